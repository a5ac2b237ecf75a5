"""The client: one polite httpx client per run, and the only module that imports httpx.

One polite client per run: a rate limiter that never exceeds the configured rate, retries
with exponential backoff and jitter that honour a capped Retry-After, a byte cap and an
overall deadline per request, no redirects, and no host but the configured site.

Every complete response, error answers and retried attempts included, can be handed to a
`recorder` (the WARC capture) with the request that asked for it; a `replay` source answers
requests from such captures instead of the network.
"""

from __future__ import annotations

import logging
import random
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx
import tenacity

from kscrape.config import Config
from kscrape.errors import BlockedError, FetchError
from kscrape.fetch.bodies import ACCEPT_ENCODING, decode_body, display_url
from kscrape.fetch.pacing import (
    RETRY_STATUSES,
    SLOW_DOWN_STATUSES,
    RateLimiter,
    Retryable,
    parse_retry_after,
)
from kscrape.models import Capture, Exchange, Recorder, Replay

log = logging.getLogger("kscrape.fetch")

HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)

# httpx logs every request URL at INFO; keep URLs (and anything in them) out of user logs.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Response:
    """A complete, checked response body."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    capture: Capture | None = None  # where the capture of this response lies, when recorded

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


_CAPTURE = "kscrape.capture"


class Fetcher:
    """The crawler's only door to the network. Use as a context manager."""

    def __init__(
        self,
        config: Config,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        recorder: Recorder | None = None,
        replay: Replay | None = None,
    ) -> None:
        self.config = config
        self.requests = 0
        self._sleep = sleep
        self._refusals = 0
        self._recorder = recorder
        self.limiter = RateLimiter(config.rate, sleep=sleep)
        if replay is not None:
            transport = _ReplayTransport(replay)
        self._client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(config.timeout),
            follow_redirects=False,
            verify=_ssl_context(config.ca_bundle),
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        html: bool = True,
        max_bytes: int | None = None,
    ) -> Response:
        return self.request("GET", url, params=params, html=html, max_bytes=max_bytes)

    def post(self, url: str, *, data: Mapping[str, str], html: bool = True) -> Response:
        return self.request("POST", url, data=data, html=html)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        html: bool = True,
        max_bytes: int | None = None,
    ) -> Response:
        """One logical request with retries; raises FetchError/BlockedError when it gives up."""
        target = self.resolve(url)
        limit = max_bytes or self.config.max_page_bytes
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.config.retries),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(Retryable),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, target, params, data, html, limit)
        except Retryable as exc:
            raise FetchError(
                f"{method} {display_url(target)} failed after {self.config.retries} attempts: "
                f"{exc}",
                url=target,
                status=exc.status,
            ) from None

    def resolve(self, url: str) -> str:
        """Absolute URL on the configured site; anything else is refused before any I/O."""
        absolute = urljoin(self.config.host + "/", url)
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != self.config.host:
            raise FetchError(
                f"refusing to contact {parts.scheme}://{parts.netloc}: only {self.config.host} "
                "is allowed",
                url=absolute,
            )
        return absolute

    def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        html: bool,
        limit: int,
    ) -> Response:
        self.limiter.wait()
        self.requests += 1
        try:
            response = self._send(method, url, params, data, limit)
        except Retryable as exc:
            self._note_refusal(exc)
            raise
        self._check_status(response)
        if html and not HTML_END.search(response.content[-4096:]):
            raise Retryable("truncated page (no closing </html>)")
        self._refusals = 0
        self.limiter.recover()
        return response

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        limit: int,
    ) -> Response:
        deadline = time.monotonic() + self.config.deadline
        started = datetime.now(UTC)
        try:
            with self._client.stream(method, url, params=params, data=data) as stream:
                address = _peer(stream) if self._recorder is not None else ""
                declared = stream.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchError(
                        f"{display_url(url)}: response of {declared} bytes exceeds the "
                        f"{limit}-byte cap",
                        url=url,
                        status=stream.status_code,
                    )
                body = bytearray()
                for chunk in stream.iter_raw():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(
                            f"{display_url(url)}: response exceeds the {limit}-byte cap",
                            url=url,
                            status=stream.status_code,
                        )
                    if time.monotonic() > deadline:
                        raise Retryable(f"deadline of {self.config.deadline:g}s exceeded")
                raw = bytes(body)
                capture = stream.extensions.get(_CAPTURE)
                if self._recorder is not None:
                    capture = self._recorder(_exchange(stream, raw, started, address))
                content = decode_body(raw, stream.headers.get("content-encoding"), limit, url)
                return Response(str(stream.url), stream.status_code, dict(stream.headers),
                                content, capture)
        except httpx.TimeoutException as exc:
            raise Retryable(f"timeout ({type(exc).__name__})") from None
        except httpx.ConnectError as exc:
            if _certificate_rejected(exc):
                raise FetchError(
                    f"{display_url(url)}: TLS certificate not trusted ({_reason(exc)}); "
                    "if the site's chain is incomplete, set ca_bundle",
                    url=url,
                ) from None
            raise Retryable(f"cannot connect: {_reason(exc)}") from None
        except httpx.RemoteProtocolError as exc:
            # Hung up before answering is a refusal; a body cut short is data loss, retried.
            no_response = "without sending a response" in str(exc)
            raise Retryable(f"connection dropped: {_reason(exc)}", refusal=no_response) from None
        except httpx.ReadError as exc:
            raise Retryable(f"connection reset: {_reason(exc)}", refusal=True) from None
        except httpx.TransportError as exc:
            raise Retryable(f"network error: {_reason(exc)}") from None

    def _check_status(self, response: Response) -> None:
        status = response.status
        if status == 200:
            return
        if 300 <= status < 400:
            where = response.headers.get("location", "?")
            raise FetchError(
                f"{display_url(response.url)}: redirect to {where} not followed",
                url=response.url,
                status=status,
            )
        if status == 403:
            exc = Retryable("HTTP 403 Forbidden", status=403, refusal=True)
            self._note_refusal(exc)
            raise exc
        if status in RETRY_STATUSES:
            if status in SLOW_DOWN_STATUSES:
                self.limiter.slow_down()
            raise Retryable(
                f"HTTP {status}",
                status=status,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        raise FetchError(
            f"{display_url(response.url)}: HTTP {status}", url=response.url, status=status
        )

    def _note_refusal(self, exc: Retryable) -> None:
        if not exc.refusal:
            return
        self._refusals += 1
        if self._refusals >= self.config.block_after:
            raise BlockedError(
                f"the site refuses our requests ({exc}, {self._refusals} times in a row); "
                "stopping instead of retrying — try later or from another network",
                status=exc.status,
            )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.config.retry_after_max)
        base = self.config.backoff_initial * 2 ** (state.attempt_number - 1)
        jitter = random.uniform(0, self.config.backoff_initial)
        return min(base + jitter, self.config.backoff_max)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("retrying in %.1fs after attempt %d: %s", wait, state.attempt_number, exc)


class _ReplayTransport(httpx.BaseTransport):
    """Answers every request from captured exchanges; one never captured cannot connect."""

    def __init__(self, replay: Replay) -> None:
        self._replay = replay

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        found = self._replay(request.method, str(request.url), request.read())
        if found is None:
            raise httpx.ConnectError("this request was never captured", request=request)
        return httpx.Response(
            found.status,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in found.headers],
            stream=httpx.ByteStream(found.body),
            extensions={"reason_phrase": found.reason.encode("latin-1", "replace"),
                        "http_version": found.http_version.encode("ascii", "replace"),
                        _CAPTURE: found.capture},
        )


def _peer(stream: httpx.Response) -> str:
    """The server's IP address, read while the connection is open (for WARC-IP-Address)."""
    network = stream.extensions.get("network_stream")
    try:
        peer = network.get_extra_info("server_addr") if network is not None else None
    except OSError:
        return ""
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""


def _exchange(stream: httpx.Response, body: bytes, started: datetime, address: str) -> Exchange:
    request = stream.request
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=_text_pairs(request.headers.raw),
        request_body=request.read(),
        status=stream.status_code,
        reason=stream.reason_phrase,
        http_version=stream.http_version,
        headers=_text_pairs(stream.headers.raw),
        body=body,
        started=started,
        address=address,
    )


def _text_pairs(raw: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    """Header names and values as sent; latin-1 maps every byte to one character and back."""
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)


def _ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificates are always verified; a CA bundle can only add trust, never remove checks."""
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def _certificate_rejected(exc: BaseException) -> bool:
    """A failed certificate check is permanent: retrying it only repeats the handshake."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
