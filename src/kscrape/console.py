"""Text for people on any console: messages that never fail on a character the console lacks.

Release texts hold characters that many code pages cannot show: ｢｣ ▴ ・ ‧ and private-use
glyphs are outside CP949, the code page of Korean Windows (and what Python gives a redirected
stdout there). A strict stream raises UnicodeEncodeError on them and stops the command, so
the streams for people are made tolerant once, at start-up:

- a stream already in UTF-8 (Windows consoles, UTF-8 locales) keeps writing UTF-8;
- a stream declared ASCII (the C locale, `PYTHONIOENCODING=ascii`) is a locale that knows no
  better, not a device limit: it writes UTF-8, as click does for it;
- any other code page (CP949, CP1252 …) keeps its encoding, so `more`, `findstr` and
  PowerShell read it right, and only the characters it lacks are replaced.

Machine-readable output does not go through these streams: see `cli.common.data_stdout`.
"""

from __future__ import annotations

import codecs
import io
import sys
from typing import Any


def prepare_console() -> None:
    """Make stdout and stderr tolerant; stderr keeps Python's `\\uXXXX` escapes for detail."""
    tolerant(sys.stdout, errors="replace")
    tolerant(sys.stderr, errors="backslashreplace")


def tolerant(stream: Any, *, errors: str) -> None:
    """Reconfigure a text stream (in place, so handlers holding it follow) not to raise."""
    if not isinstance(stream, io.TextIOWrapper):
        return
    encoding = codec_name(stream.encoding)
    if encoding == "ascii":
        stream.reconfigure(encoding="utf-8", errors=_keep_lenient(stream.errors, errors))
    elif stream.errors == "strict":
        stream.reconfigure(errors=errors)


def speaks_utf8(stream: Any) -> bool:
    """Whether every character reaches this stream as itself."""
    return codec_name(getattr(stream, "encoding", None) or "ascii") == "utf-8"


def codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def _keep_lenient(current: str, wanted: str) -> str:
    """An error handler already lenient (surrogateescape under a C locale) stays."""
    return wanted if current == "strict" else current
