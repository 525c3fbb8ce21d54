"""The closed set of reasons a fetch (or a render, or a validation) can fail.

Every network/browser/validator error is mapped onto one of these (after GSA site-scanning's
``scan-status``), and each has a sentence a user understands and, where we know one, what to
do about it. The value is what the database, the JSON output and the report carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Cause(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    RESET = "reset"
    TIMEOUT = "timeout"
    TLS_INVALID = "tls-invalid"
    TOO_LARGE = "too-large"
    NOT_HTML = "not-html"
    ROBOTS = "blocked-by-robots"
    HTTP_ERROR = "http-error"
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    PRIVATE_ADDRESS = "private-address"
    BLOCKED_BOT = "blocked-bot"  # 403/429 that looks like bot blocking
    OUT_OF_SCOPE = "out-of-scope"
    BAD_URL = "bad-url"
    PROTOCOL = "protocol-error"
    RENDER_FAILED = "render-failed"
    VALIDATOR_UNAVAILABLE = "validator-unavailable"
    BROWSER_UNAVAILABLE = "browser-unavailable"
    NOT_CAPTURED = "not-captured"
    PROBE_CRASHED = "probe-crashed"
    OTHER = "other"
    BAD_ENCODING = "bad-encoding"  # Content-Encoding unknown, unsupported or corrupt
    TIME_BUDGET = "time-budget"  # the target's time budget ran out before this was gathered


EXPLANATIONS: dict[Cause, str] = {
    Cause.DNS: "The host name does not resolve (DNS lookup failed): the site is not "
               "published under this name, or this machine has no route to a DNS server.",
    Cause.REFUSED: "The server refused the connection: nothing listens on that port, or a "
                   "firewall rejects us.",
    Cause.RESET: "The server closed or reset the connection before sending a full response.",
    Cause.TIMEOUT: "The server did not answer in time (connect, read or total timeout).",
    Cause.TLS_INVALID: "The HTTPS certificate did not validate (expired, untrusted issuer, "
                       "wrong host name, or the TLS handshake failed).",
    Cause.TOO_LARGE: "The response was larger than the body size cap and was not read whole.",
    Cause.NOT_HTML: "The response is not an HTML page (its media type says otherwise).",
    Cause.ROBOTS: "robots.txt disallows this URL for our user agent, so it was not fetched.",
    Cause.HTTP_ERROR: "The server answered with an HTTP error status (4xx/5xx).",
    Cause.REDIRECT_LOOP: "The redirects go round in a loop and never reach a page.",
    Cause.TOO_MANY_REDIRECTS: "More redirects than the limit allows.",
    Cause.PRIVATE_ADDRESS: "The host resolves to a loopback, private, link-local or metadata "
                           "address; refused unless --allow-private is given.",
    Cause.BLOCKED_BOT: "The server refused our crawler (HTTP 403/429 or a bot challenge); the "
                       "site may block automated visitors.",
    Cause.OUT_OF_SCOPE: "The URL is outside the target's scope and was not fetched.",
    Cause.BAD_URL: "The URL is malformed or uses an unsupported scheme.",
    Cause.PROTOCOL: "The server broke the HTTP protocol (malformed response).",
    Cause.RENDER_FAILED: "The browser could not render the page (crash, timeout or "
                         "navigation error).",
    Cause.VALIDATOR_UNAVAILABLE: "The local Nu HTML Checker service is not available (Java "
                                 "missing, or the service died twice).",
    Cause.BROWSER_UNAVAILABLE: "No browser could be started (Chromium not installed?).",
    Cause.NOT_CAPTURED: "The artifact this probe needs was not captured in this run.",
    Cause.PROBE_CRASHED: "The probe itself failed on this input (a govscan bug: please "
                         "report it with the URL).",
    Cause.OTHER: "An unexpected error.",
    Cause.BAD_ENCODING: "The body could not be decoded: its Content-Encoding is unknown or "
                        "not supported, or the compressed data is corrupt.",
    Cause.TIME_BUDGET: "The target's time budget ran out: what was captured until then was "
                       "judged, the rest was not gathered (raise --target-budget, or the "
                       "server is very slow).",
}


@dataclass(frozen=True)
class FetchError:
    """Why something could not be captured: a closed cause plus the specific message."""

    cause: Cause
    detail: str = ""  # the low-level message (exception text, status code...)

    @property
    def message(self) -> str:
        base = EXPLANATIONS.get(self.cause, "")
        return f"{base} ({self.detail})" if self.detail else base

    def to_dict(self) -> dict:
        return {"cause": str(self.cause), "detail": self.detail}

    @classmethod
    def from_dict(cls, d: dict | None) -> "FetchError | None":
        if not d:
            return None
        return cls(Cause(d["cause"]), d.get("detail", ""))


# --- shared rules over causes (one place each; probes may import these) -------------------

def cause_for_status(status: int | None) -> Cause | None:
    """The cause an HTTP status stands for when it is a failure: 403 (Forbidden) and 429
    (Too Many Requests) mean the server refused our crawler - ``blocked-bot``; any other
    status >= 400 is ``http-error``; a status below 400 (or none) is no failure (None).
    (Retrying a 429 after ``Retry-After`` is the fetcher's own, separate rule.)"""
    if status is None or status < 400:
        return None
    return Cause.BLOCKED_BOT if status in (403, 429) else Cause.HTTP_ERROR


def status_failure(status: int | None, what: str = "HTTP") -> "FetchError | None":
    """The failure an HTTP error status stands for (``cause_for_status``), with the status
    in its detail ("HTTP 404", or ``what`` before the number), or None."""
    cause = cause_for_status(status)
    return FetchError(cause, f"{what} {status}") if cause is not None else None


# An endpoint is *down* (pshtt's "not live") when nothing answered there at all: the name
# does not resolve, or the connection was refused, timed out or was reset before any HTTP
# response. A TLS failure or an HTTP error status is not "down": a server answered.
ENDPOINT_DOWN: frozenset[Cause] = frozenset({Cause.DNS, Cause.REFUSED, Cause.TIMEOUT,
                                             Cause.RESET})
