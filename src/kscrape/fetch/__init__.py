"""HTTP: the crawler's only door to the network, and the only package that imports httpx.

`client` holds the Fetcher (one polite client per run: no redirects, no host but the
configured site, a byte cap and a deadline per request, captures and replay); `pacing` the
rate limiter and the retry rules; `bodies` what is done with a body before anyone reads it.
"""

from kscrape.fetch.bodies import ACCEPT_ENCODING, decode_body, filename_from_disposition
from kscrape.fetch.client import Fetcher, Response
from kscrape.fetch.pacing import RateLimiter, Retryable, parse_retry_after
from kscrape.models import Exchange, Recorder, Replay

__all__ = [
    "ACCEPT_ENCODING",
    "Exchange",
    "Fetcher",
    "RateLimiter",
    "Recorder",
    "Replay",
    "Response",
    "Retryable",
    "decode_body",
    "filename_from_disposition",
    "parse_retry_after",
]
