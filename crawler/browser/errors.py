"""Why a browser visit failed, on the same closed set of causes as the fetcher.

Chromium reports a failed navigation as a ``net::ERR_*`` code inside Playwright's message
(``Page.goto: net::ERR_CONNECTION_REFUSED at https://...``); Playwright reports its own
timeouts as ``TimeoutError`` ("Timeout 30000ms exceeded"). ``classify_browser_error`` maps
either onto ``crawler.causes.Cause`` - the causes the static fetcher uses for the same
failure (a refused port is ``refused`` whether httpx or Chromium saw it) -, a crashed page
onto ``renderer-crashed``, and everything else (a closed browser, an unknown code) onto
``render-failed``.
"""

from __future__ import annotations

import re

from ..causes import Cause, FetchError

# Chromium net error code -> cause. Exact codes first; then prefixes (``PREFIXES``).
NET_ERRORS: dict[str, Cause] = {
    "ERR_NAME_NOT_RESOLVED": Cause.DNS,
    "ERR_NAME_RESOLUTION_FAILED": Cause.DNS,
    "ERR_CONNECTION_REFUSED": Cause.REFUSED,
    # the fetcher files "no route to host" under refused too: the name resolved, the
    # address does not answer
    "ERR_ADDRESS_UNREACHABLE": Cause.REFUSED,
    "ERR_CONNECTION_FAILED": Cause.REFUSED,
    "ERR_BLOCKED_BY_PRIVATE_NETWORK_ACCESS_CHECKS": Cause.PRIVATE_ADDRESS,
    "ERR_BAD_SSL_CLIENT_AUTH_CERT": Cause.TLS_INVALID,
    "ERR_CONNECTION_RESET": Cause.RESET,
    "ERR_CONNECTION_CLOSED": Cause.RESET,
    "ERR_CONNECTION_ABORTED": Cause.RESET,
    "ERR_EMPTY_RESPONSE": Cause.RESET,
    "ERR_TIMED_OUT": Cause.TIMEOUT,
    "ERR_CONNECTION_TIMED_OUT": Cause.TIMEOUT,
    "ERR_TOO_MANY_REDIRECTS": Cause.TOO_MANY_REDIRECTS,
    "ERR_INVALID_URL": Cause.BAD_URL,
    "ERR_UNSAFE_PORT": Cause.BAD_URL,
    "ERR_UNKNOWN_URL_SCHEME": Cause.BAD_URL,
    "ERR_DISALLOWED_URL_SCHEME": Cause.BAD_URL,
    "ERR_ADDRESS_INVALID": Cause.BAD_URL,
    "ERR_INVALID_RESPONSE": Cause.PROTOCOL,
    "ERR_INVALID_HTTP_RESPONSE": Cause.PROTOCOL,
    "ERR_INVALID_CHUNKED_ENCODING": Cause.PROTOCOL,
    "ERR_CONTENT_LENGTH_MISMATCH": Cause.PROTOCOL,
    "ERR_CONTENT_DECODING_FAILED": Cause.PROTOCOL,
    "ERR_HTTP_RESPONSE_CODE_FAILURE": Cause.HTTP_ERROR,  # a 4xx/5xx with an empty body
}
PREFIXES: tuple[tuple[str, Cause], ...] = (
    ("ERR_DNS_", Cause.DNS),
    ("ERR_CERT_", Cause.TLS_INVALID),
    ("ERR_SSL_", Cause.TLS_INVALID),
    ("ERR_RESPONSE_HEADERS_", Cause.PROTOCOL),
    ("ERR_HTTP2_", Cause.PROTOCOL),
)
# Playwright's own words (no net:: code)
MESSAGES: tuple[tuple[re.Pattern, Cause], ...] = (
    (re.compile(r"\bTimeout \d+(\.\d+)?ms exceeded|\btimed out\b", re.I), Cause.TIMEOUT),
    (re.compile(r"Download is starting", re.I), Cause.NOT_HTML),
    (re.compile(r"\b(Target|Page) crashed\b", re.I), Cause.RENDERER_CRASHED),
)

_CODE = re.compile(r"\b(ERR_[A-Z0-9_]+)\b")


def net_error_cause(code: str) -> Cause | None:
    """The cause of one Chromium ``ERR_*`` code (``None`` when it is not in the table)."""
    code = code.removeprefix("net::")
    if code in NET_ERRORS:
        return NET_ERRORS[code]
    for prefix, cause in PREFIXES:
        if code.startswith(prefix):
            return cause
    return None


def classify_browser_error(exc_or_message: BaseException | str) -> FetchError:
    """A failed visit (an exception, or the text of one) as a ``FetchError``: its cause from
    the tables above (``render-failed`` when nothing matches: a crash, a closed browser, an
    unknown code) and its first line as the detail."""
    if isinstance(exc_or_message, BaseException):
        text = str(exc_or_message)
        is_timeout = type(exc_or_message).__name__ == "TimeoutError"  # asyncio + Playwright
        if not text.strip():
            text = "timed out" if is_timeout else type(exc_or_message).__name__
    else:
        text, is_timeout = str(exc_or_message), False
    detail = (text.strip().splitlines() or [""])[0][:500]
    for m in _CODE.finditer(text):
        cause = net_error_cause(m.group(1))
        if cause is not None:
            return FetchError(cause, detail)
    if is_timeout:
        return FetchError(Cause.TIMEOUT, detail)
    for pattern, cause in MESSAGES:
        if pattern.search(text):
            return FetchError(cause, detail)
    return FetchError(Cause.RENDER_FAILED, detail)
