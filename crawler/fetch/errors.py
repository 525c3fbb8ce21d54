"""Failures of a fetch, mapped onto the closed cause set of ``crawler.causes``.

``classify`` turns any exception raised while fetching into a ``FetchError`` (a cause plus
its message); ``failure_of`` gives the failure a ``Response`` stands for (its error, or its
HTTP error status). Also the sets the fetcher's decisions are made on: which failures are
transient (retried with exponential backoff: reset, connect timeout, protocol error), which
mean no HTTP exchange was possible at all (``UNREACHABLE``), which statuses are retried
(429 and 502/503/504; 429/503 honour ``Retry-After``, capped) and how ``Retry-After`` reads.

One job: name what went wrong. May import the standard library, aiohttp,
``crawler.causes``, ``crawler.artifacts``, ``.guard`` (for its exception types) and ``.tls``
(``exception_chain``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import socket
import ssl
import time

import aiohttp
from aiohttp import http_exceptions

from ..artifacts import Response
from ..causes import Cause, FetchError, status_failure
from .guard import DNSError, PrivateAddressError
from .tls import exception_chain


# aiohttp's timeout classes -> the words the causes use ("connect" marks a connection that
# could not be opened: ``is_connect_failure``)
_TIMEOUT_KINDS = {"ConnectionTimeoutError": "connect timeout",
                  "SocketTimeoutError": "read timeout", "ServerTimeoutError": "read timeout"}


def classify(exc: BaseException) -> FetchError:
    """Map any exception of a fetch onto the closed set of causes (with its message)."""
    chain = list(exception_chain(exc))
    detail = "; ".join(dict.fromkeys(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
                                     for e in chain[:3]))[:500]
    for e in chain:
        if isinstance(e, PrivateAddressError):
            return FetchError(Cause.PRIVATE_ADDRESS, str(e))
        if isinstance(e, DNSError | socket.gaierror):
            return FetchError(Cause.DNS, str(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            return FetchError(Cause.TLS_INVALID, e.verify_message or str(e))
        if isinstance(e, ssl.SSLError):
            return FetchError(Cause.TLS_INVALID, str(e))
    for e in chain:
        if isinstance(e, TimeoutError):  # aiohttp's timeouts are TimeoutErrors too
            return FetchError(Cause.TIMEOUT, _TIMEOUT_KINDS.get(type(e).__name__, "timeout"))
        if isinstance(e, ConnectionRefusedError):
            return FetchError(Cause.REFUSED, str(e))
        if isinstance(e, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return FetchError(Cause.RESET, str(e))
    msg = str(exc).lower()
    for e in chain:
        if isinstance(e, aiohttp.InvalidURL):
            return FetchError(Cause.BAD_URL, str(e))
        if isinstance(e, aiohttp.ServerDisconnectedError):
            return FetchError(Cause.RESET, "the server closed the connection without an answer"
                                           if not str(e) or "disconnected" in msg else str(e))
        if isinstance(e, aiohttp.ClientPayloadError):
            # a body shorter than its Content-Length or a chunked body cut off: the
            # connection was closed mid-body (httpx called this "peer closed connection")
            if "not completed" in msg or "content length" in msg or "contentlength" in msg:
                return FetchError(Cause.RESET, detail)
            return FetchError(Cause.PROTOCOL, detail)
        if isinstance(e, aiohttp.ClientResponseError | http_exceptions.HttpProcessingError):
            # raised while parsing: a status line or headers that are not HTTP (an answer
            # with a real status is a Response, never an exception)
            if "data after" in msg:
                # llhttp refuses bytes beyond Content-Length on a closing connection (the
                # answer is dropped whole: aiohttp has no lenient switch for it)
                return FetchError(Cause.PROTOCOL, "the server sent more bytes than its "
                                  "Content-Length announced, on a closing connection")
            return FetchError(Cause.PROTOCOL, detail)
        if isinstance(e, aiohttp.ClientConnectorError):
            if "refused" in msg or "errno 111" in msg:
                return FetchError(Cause.REFUSED, str(e))
            if "reset" in msg:
                return FetchError(Cause.RESET, str(e))
            if "name or service" in msg or "nodename" in msg or "getaddrinfo" in msg:
                return FetchError(Cause.DNS, str(e))
            return FetchError(Cause.REFUSED, detail)
        if isinstance(e, aiohttp.ClientOSError | aiohttp.ClientConnectionError):
            return FetchError(Cause.RESET, detail)
    return FetchError(Cause.OTHER, detail)


def failure_of(resp: Response) -> FetchError | None:
    """``resp.error``, or for an HTTP error status the cause it stands for
    (``crawler.causes.status_failure``: ``blocked-bot`` for 403/429, else ``http-error``).
    HTTP error answers are *answers*: fetch() keeps them as a status with ``error=None``
    (their body and headers still matter to probes)."""
    return resp.error or status_failure(resp.status)


# robots.txt failures where no HTTP request reached the server at all (so the page is
# attempted and fails with its own error). Not ``crawler.causes.ENDPOINT_DOWN``: a TLS
# failure counts here (no HTTP exchange happened), a timeout or reset does not.
UNREACHABLE = {Cause.DNS, Cause.REFUSED, Cause.TLS_INVALID, Cause.PRIVATE_ADDRESS,
               Cause.BAD_URL}
TRANSIENT = {Cause.RESET, Cause.TIMEOUT, Cause.PROTOCOL}


def is_connect_failure(err: FetchError) -> bool:
    """The connection itself could not be opened (refused, or a connect timeout): nothing
    reached the server, and the next attempt a moment later will most likely fail the same."""
    return err.cause == Cause.REFUSED or (err.cause == Cause.TIMEOUT and
                                          "connect" in err.detail)


RETRY_STATUSES = {429, 502, 503, 504}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
