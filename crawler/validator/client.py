"""Posting documents to the running vnu service over HTTP: the Content-Type to send, the
request, the one retry/recovery loop, and reading vnu's JSON answer.

Every document is POSTed to the service (``?out=json``; style sheets ``?out=json&css=yes``
as UTF-8 ``text/css``). ``validate_html`` / ``validate_css`` are blocking and thread-safe
(one pooled ``httpx.Client`` per service); ``avalidate_html`` / ``avalidate_css`` are for
asyncio (an ``httpx.AsyncClient`` per event loop). Both paths run the same steps,
``_exchange``: they differ only in how a step is carried out (a blocking call or an awaited
one). A document that cannot be checked while the service lives raises ``ValidationFailed``;
a service that is gone raises ``ValidatorUnavailable``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Generator

import httpx

from ..causes import Cause, FetchError
from .service import ValidatorUnavailable

if TYPE_CHECKING:  # pragma: no cover
    from .service import VnuService


class ValidationFailed(RuntimeError):
    """One document could not be checked (timeout, a non-JSON answer) while the service
    itself is alive. ``cause`` is a ``Cause``."""

    def __init__(self, cause: Cause, detail: str):
        super().__init__(detail)
        self.cause = cause

    def to_fetch_error(self) -> FetchError:
        return FetchError(self.cause, str(self))


def html_content_type(content_type: str) -> str:
    """The Content-Type to send for a page served with ``content_type``: the served
    media type (XHTML stays ``application/xhtml+xml``; anything else HTML-ish is
    ``text/html``) with the served ``charset`` parameter, if there was one. No charset is
    invented: vnu then finds it as a browser would (BOM, ``<meta charset>``) and reports
    a missing declaration, as the W3C service does."""
    parts = [p.strip() for p in (content_type or "").split(";")]
    media = parts[0].lower() if parts else ""
    if media not in ("text/html", "application/xhtml+xml", "image/svg+xml"):
        media = "application/xhtml+xml" if media.endswith("+xml") else "text/html"
    charset = ""
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            charset = v.strip().strip("\"'")
    return f"{media}; charset={charset}" if charset else media


CSS_CONTENT_TYPE = "text/css; charset=utf-8"


def _params(css: bool) -> dict[str, str]:
    return {"out": "json", "css": "yes"} if css else {"out": "json"}


def _parse(resp: httpx.Response) -> list[dict]:
    if resp.status_code != 200:
        raise ValidationFailed(Cause.OTHER, f"vnu answered HTTP {resp.status_code}")
    try:
        data = resp.json()
    except ValueError as exc:
        raise ValidationFailed(Cause.OTHER, f"vnu answered non-JSON: {exc}") from exc
    return list(data.get("messages") or [])


# --- the HTTP clients of a service (kept on the service; ``VnuService.stop`` closes them) ---

def _limits() -> httpx.Limits:
    return httpx.Limits(max_connections=16, max_keepalive_connections=16)


def _sync_client(svc: "VnuService") -> httpx.Client:
    with svc._lock:
        if svc._client is None:
            svc._client = httpx.Client(timeout=svc.request_timeout, trust_env=False,
                                       limits=_limits())
        return svc._client


def _async_client(svc: "VnuService") -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    with svc._lock:
        entry = svc._aclients.get(id(loop))
        if entry is None or entry[0] is not loop:
            for key, (lp, _ac) in list(svc._aclients.items()):
                if lp.is_closed():
                    del svc._aclients[key]
            ac = httpx.AsyncClient(timeout=svc.request_timeout, trust_env=False,
                                   limits=_limits())
            entry = (loop, ac)
            svc._aclients[id(loop)] = entry
        return entry[1]


def close_clients(svc: "VnuService") -> None:
    """Close the service's clients (the async ones on their loop, if it still runs)."""
    with svc._lock:
        if svc._client is not None:
            svc._client.close()
            svc._client = None
        for loop, ac in list(svc._aclients.values()):
            if not loop.is_closed():
                try:
                    if loop.is_running():
                        loop.create_task(ac.aclose())
                except RuntimeError:
                    pass
        svc._aclients.clear()


# --- the retry/recovery loop, once -----------------------------------------------------------
#
# ``_exchange`` is the loop written as a generator of steps: it yields START, RECOVER or POST,
# and for POST is sent back what the request gave (the ``httpx.Response``, or the
# ``httpx.TransportError`` it raised). It returns vnu's messages or raises. ``_post`` (blocking)
# and ``_apost`` (asyncio) only carry the steps out.

START, RECOVER, POST = "start", "recover", "post"
ATTEMPTS = 2  # a failed request is tried once more, after recovering the service

Step = str
Outcome = Any  # httpx.Response | httpx.TransportError | None


def _after_failure(svc: "VnuService", exc: Exception, attempt: int) -> Exception | None:
    """What a failed POST means: a timeout while the JVM lives is this document's
    failure; any failure on the last attempt means the service is gone; else None
    (recover the service and try once more)."""
    if isinstance(exc, httpx.TimeoutException) and svc.alive():
        return ValidationFailed(Cause.TIMEOUT, f"vnu did not answer in "
                                f"{svc.request_timeout:.0f} s")
    if attempt >= ATTEMPTS - 1:
        return ValidatorUnavailable(f"vnu request failed: {exc!r}")
    return None


def _exchange(svc: "VnuService") -> Generator[Step, Outcome, list[dict]]:
    """The steps of posting one document: before each attempt, start a never-started service
    or recover a dead one; post; on a transport failure (timeouts included) decide with
    ``_after_failure``, then recover and try again."""
    for attempt in range(ATTEMPTS):
        if not svc.alive():
            first = svc.proc is None and not svc.unavailable and svc.starts == 0
            yield START if first else RECOVER
        outcome = yield POST
        if not isinstance(outcome, httpx.TransportError):
            return _parse(outcome)
        err = _after_failure(svc, outcome, attempt)
        if err is not None:
            raise err from outcome
        yield RECOVER
    raise ValidatorUnavailable("unreachable")  # pragma: no cover


def _post(svc: "VnuService", body: bytes, content_type: str, css: bool) -> list[dict]:
    steps, outcome = _exchange(svc), None
    while True:
        try:
            step = steps.send(outcome)
        except StopIteration as done:
            return done.value
        if step == POST:
            try:
                outcome = _sync_client(svc).post(svc.url, params=_params(css), content=body,
                                                 headers={"Content-Type": content_type})
            except httpx.TransportError as exc:
                outcome = exc
        else:
            outcome = svc.start() if step == START else svc._recover()


async def _apost(svc: "VnuService", body: bytes, content_type: str, css: bool) -> list[dict]:
    steps, outcome = _exchange(svc), None
    while True:
        try:
            step = steps.send(outcome)
        except StopIteration as done:
            return done.value
        if step == POST:
            try:
                outcome = await _async_client(svc).post(svc.url, params=_params(css),
                                                        content=body,
                                                        headers={"Content-Type": content_type})
            except httpx.TransportError as exc:
                outcome = exc
        else:
            outcome = await asyncio.to_thread(svc.start if step == START else svc._recover)


# --- the public calls ----------------------------------------------------------------------

def validate_html(svc: "VnuService", body: bytes, content_type: str = "text/html") -> list[dict]:
    """vnu's JSON messages for one document given as the bytes served and the served
    Content-Type header value."""
    return _post(svc, body, html_content_type(content_type), css=False)


def validate_css(svc: "VnuService", text: str) -> list[dict]:
    """vnu's JSON messages for one style sheet (sent as UTF-8 ``text/css``)."""
    return _post(svc, text.encode("utf-8"), CSS_CONTENT_TYPE, css=True)


async def avalidate_html(svc: "VnuService", body: bytes,
                         content_type: str = "text/html") -> list[dict]:
    """``validate_html`` for asyncio."""
    return await _apost(svc, body, html_content_type(content_type), css=False)


async def avalidate_css(svc: "VnuService", text: str) -> list[dict]:
    """``validate_css`` for asyncio."""
    return await _apost(svc, text.encode("utf-8"), CSS_CONTENT_TYPE, css=True)
