"""kscrape: korea.kr press releases into a deduplicated SQLite archive."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kscrape")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
