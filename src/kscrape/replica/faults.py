"""Armable misbehaviour: each kind is one small function that rewrites a planned response.

A kind gets the response the replica would have sent, the fault's parameters and a context that
can re-render the page with overrides, and returns the response to send instead. Transport-level
kinds (reset, short bodies, slow or huge streams) only set fields that the writer honours.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from kscrape.replica.render import render_error_page, render_maintenance

ROUTES = ("list", "view", "download", "other", "*")
HTML_TYPE = "text/html;charset=UTF-8"


@dataclass
class Response:
    """A response the writer will send; the extra fields describe how to break the transport."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    stream: Callable[[], Iterator[bytes]] | None = None  # lazily produced body (huge)
    content_length: int | None = None  # declared length; None → len(body)
    send_bytes: int | None = None  # stop after this many body bytes, then close
    chunked_close: bool = False  # no Content-Length; the connection close ends the body
    abort: bool = False  # reset the connection before sending anything
    drip_interval: float = 0.0
    drip_chunk: int = 0


@dataclass
class FaultContext:
    """What a kind may look at: the request and a way to re-render with overrides."""

    route: str
    params: dict[str, str]
    rerender: Callable[..., Response]


Kind = Callable[[Response, dict[str, Any], FaultContext], Response]
KINDS: dict[str, Kind] = {}


def kind(name: str) -> Callable[[Kind], Kind]:
    """Register a fault kind under `name`."""

    def register(fn: Kind) -> Kind:
        KINDS[name] = fn
        return fn

    return register


@dataclass
class Fault:
    route: str
    kind: str
    times: int | None
    match: dict[str, str]
    params: dict[str, Any]
    hits: int = 0

    def matches(self, route: str, params: dict[str, str]) -> bool:
        if self.route not in ("*", route):
            return False
        return all(params.get(k) == str(v) for k, v in self.match.items())


class Faults:
    """The armed faults of one replica; the first live match wins and uses up one of its times."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        route: str = "*",
        *,
        kind: str,
        times: int | None = 1,
        match: dict[str, Any] | None = None,
        **params: Any,
    ) -> Fault:
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; expected one of {ROUTES}")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(KINDS)}")
        fault = Fault(route, kind, times, {k: str(v) for k, v in (match or {}).items()}, params)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, route: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(route, params):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def apply(self, fault: Fault, resp: Response, ctx: FaultContext) -> Response:
        return KINDS[fault.kind](resp, fault.params, ctx)


def _html(text: str | bytes, status: int = 200, **headers: str) -> Response:
    """A page from text (sent as UTF-8) or from exact bytes (e.g. in a wrong encoding)."""
    body = text.encode() if isinstance(text, str) else text
    return Response(status=status, headers={"Content-Type": HTML_TYPE, **headers}, body=body)


def _with_body(resp: Response, body: bytes) -> Response:
    return replace(resp, body=body, content_length=None)


@kind("status")
def _status(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    code = int(p.get("code", 503))
    body = p.get("body", f"<html><body><h1>{code}</h1></body></html>")
    out = _html(body, code)
    out.headers.update({k: str(v) for k, v in (p.get("headers") or {}).items()})
    return out


@kind("reset")
def _reset(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    return replace(resp, abort=True)


@kind("drop_mid_body")
def _drop_mid_body(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    return replace(resp, send_bytes=int(len(resp.body) * float(p.get("fraction", 0.5))))


@kind("short_body")
def _short_body(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    missing = int(p.get("missing", max(1, len(resp.body) // 2)))
    return replace(resp, content_length=len(resp.body) + missing, send_bytes=len(resp.body))


@kind("truncate_html")
def _truncate_html(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    cut = int(len(resp.body) * float(p.get("fraction", 0.5)))
    return replace(resp, body=resp.body[:cut], chunked_close=True)


@kind("slow_drip")
def _slow_drip(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    interval = float(p.get("interval", 0.5))
    max_seconds = float(p.get("max_seconds", 10.0))
    chunks = max(1, int(max_seconds / interval)) if interval > 0 else 1
    size = int(p.get("chunk", 0)) or -(-len(resp.body) // chunks)
    return replace(resp, drip_interval=interval, drip_chunk=max(1, size))


@kind("huge")
def _huge(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    size = int(p.get("size", 50_000_000))
    filler = (
        bytes(p.get("filler", b"x"))
        if not isinstance(p.get("filler"), str)
        else p["filler"].encode()
    )
    head = resp.body[: int(p.get("prefix", 0))]

    def produce() -> Iterator[bytes]:
        block = (filler * (65536 // max(1, len(filler)) + 1))[:65536]
        yield head
        left = size - len(head)
        while left > 0:
            piece = block[: min(left, len(block))]
            left -= len(piece)
            yield piece

    declared = size if p.get("declare_length", True) else None
    return replace(
        resp, body=b"", stream=produce, content_length=declared, chunked_close=declared is None
    )


@kind("maintenance")
def _maintenance(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    return _html(p.get("body") or render_maintenance(), int(p.get("code", 200)))


@kind("empty_list")
def _empty_list(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    if ctx.route != "list":
        return resp
    return ctx.rerender(empty=True, no_data=bool(p.get("no_data", False)))


@kind("renamed_classes")
def _renamed_classes(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    mapping = p.get("mapping") or {"list_type": "list_kind", "view_title": "view_ttl"}
    text = resp.body.decode("utf-8")
    for old, new in mapping.items():
        text = re.sub(rf'class="{re.escape(old)}"', f'class="{new}"', text)
    return _with_body(resp, text.encode("utf-8"))


@kind("redirect")
def _redirect(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    return Response(
        status=int(p.get("code", 302)),
        headers={"Location": str(p.get("location", "/")), "Content-Type": HTML_TYPE},
    )


@kind("euc_kr")
def _euc_kr(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    text = resp.body.decode("utf-8")
    text = re.sub(r'<meta charset="UTF-8"\s*/?>', '<meta charset="euc-kr">', text, flags=re.I)
    text = re.sub(r"(<meta[^>]+content=\"[^\"]*charset=)utf-8", r"\1euc-kr", text, flags=re.I)
    body = text.encode("euc-kr", errors="xmlcharrefreplace")
    return replace(
        resp, body=body, content_length=None, headers={**resp.headers, "Content-Type": "text/html"}
    )


@kind("html_instead_of_file")
def _html_instead_of_file(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    body = (p.get("body") or render_error_page()).encode("utf-8")
    return replace(resp, status=200, body=body, content_length=None, stream=None)


@kind("truncated_zip")
def _truncated_zip(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    return _with_body(resp, resp.body[: int(len(resp.body) * float(p.get("fraction", 0.5)))])


@kind("wrong_content_type")
def _wrong_content_type(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    content_type = str(p.get("content_type", HTML_TYPE))
    return replace(resp, headers={**resp.headers, "Content-Type": content_type})


DEFAULT_INJECTION = (
    '<p><a href="http://169.254.169.254/latest/meta-data/">메타데이터</a> '
    '<a href="file:///etc/passwd">passwd</a> '
    '<a href="https://evil.example.com/briefing/pressReleaseView.do?newsId=999999999">외부</a> '
    '<img src="http://evil.example.com/pixel.gif" alt=""></p>'
)
DEFAULT_ATTACHMENT_INJECTION = (
    '<p><span><a href="http://evil.example.com/common/download.do?fileId=1&amp;tblKey=GMN">'
    '<img src="/images/icon/icon_ihangul.gif" alt="한글파일">외부 첨부.hwpx</a></span>'
    '<span><a class="down" href="http://evil.example.com/common/download.do?fileId=1&amp;tblKey=GMN">'
    "내려받기</a></span></p>"
)


@kind("inject_html")
def _inject_html(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    """Extra markup in the article body and an off-host attachment inside `div.filedown`."""
    text = resp.body.decode("utf-8")
    body_html = p.get("html", DEFAULT_INJECTION)
    file_html = p.get("attachment_html", DEFAULT_ATTACHMENT_INJECTION)
    if body_html:
        text = text.replace('<div class="view_cont">', f'<div class="view_cont">{body_html}', 1)
    if file_html:
        text = text.replace(
            "<dt>첨부파일</dt>\n\t\t\t\t\t<dd>", f"<dt>첨부파일</dt>\n\t\t\t\t\t<dd>{file_html}", 1
        )
    return _with_body(resp, text.encode("utf-8"))


@kind("attachment_name")
def _attachment_name(resp: Response, p: dict[str, Any], ctx: FaultContext) -> Response:
    name = str(p.get("name", "../../x.hwpx"))
    if ctx.route == "view":
        return ctx.rerender(attachment_name=name)
    if ctx.route == "download":
        mangled = name.encode("utf-8").decode("latin-1")
        headers = {**resp.headers, "Content-Disposition": f'attachment; filename="{mangled}"'}
        return replace(resp, headers=headers)
    return resp
