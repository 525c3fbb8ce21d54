"""The polite fetcher: one ``Fetcher`` per run, shared by every gatherer.

``await fetcher.fetch(url)`` returns a ``crawler.artifacts.Response`` and never raises: a
failure is ``resp.error``, a ``FetchError`` whose cause comes from the closed set in
``crawler.causes`` (see ``.errors.classify``). What it does, in order, for every request:

* **SSRF guard** - every connection's host is checked by ``.guard`` in the connector
  (start URL and every redirect hop, names and IP literals; the connection goes to the
  address that was checked).
* **robots.txt** - fetched once per origin and cached, read by ``.robots.parse_robots``;
  when robots.txt is unreachable the pages of that origin carry that error, unless no HTTP
  exchange was possible at all (``.errors.UNREACHABLE``): then the page is attempted so it
  fails with its own error and TLS facts. ``Crawl-delay`` raises that host's minimum delay
  (capped).
* **politeness per host** - at most ``per_host_concurrency`` requests in flight to one host
  name and at least ``per_host_delay`` seconds between request starts (``.politeness``);
  plus a global limit.
* **remembered failures** - a name that did not resolve, and a host:port whose connections
  could not be opened ``HOST_DOWN_AFTER`` times in a row (circuit breaker), fail at once for
  ``DNS_NEGATIVE_TTL`` seconds instead of queueing behind the host's delay; a host:port that
  timed out ``HOST_SLOW_AFTER`` times in a row after it was reached is given up for
  ``HOST_SLOW_TTL`` seconds (then one request may try again).
* **redirects** are followed here (aiohttp is told not to), every hop recorded in
  ``resp.redirects``; a URL seen twice is a loop, more than ``max_redirects`` is too many.
* **retries** with exponential backoff for transient failures (reset, connect timeout,
  502/503/504) and 429/503 honouring ``Retry-After`` (capped) - ``.errors``. A timeout after
  the server was reached (its connection opened, as aiohttp's trace events tell: slow
  headers, a trickled body, an accepted connection never answered) is *not* retried: each
  attempt has the ``total_timeout`` deadline, and a slow server would be as slow again.
* **the body** is streamed raw and its content codings undone incrementally by
  ``.decoding`` with the cap on *decoded* bytes (``truncated`` + ``too-large``; an unknown
  or corrupt coding is ``bad-encoding``); ``Accept-Encoding`` offers only what it can undo.
  The text is decoded from the Content-Type charset, a BOM, ``<meta charset>``, else
  detected by charset_normalizer (``.encoding``).
* **connections**: one aiohttp session for the run, keep-alive (15 s), HTTP/1.1, a cookie
  jar (IP hosts too), the host map and SSRF guard in its connector (``.guard``). aiohttp
  rather than httpx: on the bench farm an HTTP/1.1 request costs ~1 ms of CPU in aiohttp
  against ~4.5 ms in httpx + httpcore + anyio (``bench/README.md``, issue 14), and the crawl's
  event loop is the static pipeline's bottleneck. aiohttp has no HTTP/2; neither do the
  sites' checks need it (Scrapy crawls HTTP/1.1 by default too).
* **TLS facts** of https responses (``resp.tls``) from the live connection (kept on the
  end of a chain that left https for http); when the handshake fails, look-only
  handshakes read what the server negotiates and serves and name the cause - protocol,
  key exchange or certificate (``.tls.handshake_facts``).

One job: the HTTP client - requests, retries, redirects, the body cap. May import every
other module of this package, aiohttp, ``crawler.causes`` and ``crawler.artifacts``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import yarl

from ..artifacts import Hop, Response, TLSInfo
from ..causes import Cause, FetchError
from .config import FetchConfig
from .decoding import BodyDecoder, DecodingError, TooLarge, supported_codings
from .encoding import detect_encoding
from .errors import (RETRY_STATUSES, TRANSIENT, UNREACHABLE, classify, is_connect_failure,
                     parse_retry_after)
from .guard import AddressGuard, GuardedConnector
from .politeness import HostState
from .robots import ROBOTS_TOKEN, RobotsRule, origin_of, parse_robots
from .tls import handshake_facts, tls_from_ssl_object

DNS_NEGATIVE_TTL = 300.0  # seconds a failed name lookup (or a host given up) is remembered
HOST_DOWN_AFTER = 4  # connections in a row that could not be opened before a host is given up
HOST_SLOW_AFTER = 3  # timeouts in a row after the server was reached before it is given up
HOST_SLOW_TTL = 120.0  # seconds a host given up for its timeouts is left alone


class Fetcher:
    """``async with Fetcher(cfg) as f: resp = await f.fetch(url)``. See the module doc."""

    def __init__(self, config: FetchConfig | None = None):
        self.config = config or FetchConfig()
        self.ssl_context = self._make_ssl_context()
        self._hosts: dict[str, HostState] = {}
        self._robots: dict[str, asyncio.Future] = {}
        self._tls_cache: dict[str, TLSInfo] = {}
        self._unresolvable: dict[str, tuple[float, FetchError]] = {}  # negative DNS cache
        # host:port -> (connection failures in a row, when the last was, its error)
        self._down: dict[str, tuple[int, float, FetchError]] = {}
        # host:port -> (timeouts in a row after the server was reached, when, the error)
        self._slow: dict[str, tuple[int, float, FetchError]] = {}
        self._global = asyncio.Semaphore(max(1, self.config.global_concurrency))
        self._session: aiohttp.ClientSession | None = None
        self._guard = AddressGuard(self.config)
        self._started = False
        self.requests = 0  # HTTP requests sent (every hop and retry)
        # run-wide caches shared by gatherers (e.g. sitemaps of a host that carries many
        # targets are fetched once per run, not once per target)
        self.shared: dict[str, Any] = {}

    def _make_ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        for path in self._ca_files():
            try:
                ctx.load_verify_locations(path)
            except OSError:
                if path != self.config.ca_bundle:
                    continue
                raise
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    async def __aenter__(self) -> "Fetcher":
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    async def start(self):
        self._started = True

    def session(self) -> aiohttp.ClientSession:
        """The run's one aiohttp session (made on first use, inside the running loop)."""
        if self._session is None:
            c = self.config
            trace = aiohttp.TraceConfig()
            trace.on_connection_create_end.append(_reached)
            trace.on_connection_reuseconn.append(_reached)
            trace.on_request_headers_sent.append(_reached)
            self._session = aiohttp.ClientSession(
                connector=GuardedConnector(self._guard, ssl=self.ssl_context, limit=0,
                                           keepalive_timeout=15.0),
                # the fetcher sets the limits (per host, global); redirects, decoding and
                # timeouts of the whole attempt are done here, not by aiohttp
                cookie_jar=aiohttp.CookieJar(unsafe=True), auto_decompress=False,
                trust_env=False, response_class=_Response, trace_configs=[trace],
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=c.connect_timeout,
                                              sock_read=c.read_timeout),
                max_line_size=MAX_HEADER_LINE, max_field_size=MAX_HEADER_LINE,
                headers={"User-Agent": c.user_agent,
                         "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                                   "*/*;q=0.8",
                         "Accept-Language": c.accept_language,
                         # only what .decoding can undo under the body cap
                         "Accept-Encoding": ", ".join(supported_codings())})
        return self._session

    async def aclose(self):
        session, self._session = self._session, None
        if session is not None:
            try:
                await session.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    # politeness ------------------------------------------------------------------------
    def host_state(self, host: str) -> HostState:
        h = self._hosts.get(host)
        if h is None:
            h = self._hosts[host] = HostState(max(1, self.config.per_host_concurrency),
                                              max(0.0, self.config.per_host_delay))
        return h

    def host_delay(self, host: str) -> float:
        return self.host_state(host).delay

    # robots ----------------------------------------------------------------------------
    async def robots_for(self, url: str) -> RobotsRule:
        """The robots rule for ``url``'s origin (fetched once, shared by concurrent callers)."""
        origin = origin_of(url)
        fut = self._robots.get(origin)
        if fut is None:
            fut = self._robots[origin] = asyncio.ensure_future(self._load_robots(origin))
        return await asyncio.shield(fut)

    async def _load_robots(self, origin: str) -> RobotsRule:
        resp = await self._fetch_chain(origin + "/robots.txt", "GET", None, None, False,
                                       512 * 1024, True, robots=False, max_redirects=5)
        rule = parse_robots(origin, resp)
        if rule.crawl_delay:
            host = urlsplit(origin).hostname or ""
            # from the very next request on (the one after robots.txt included)
            self.host_state(host).raise_delay(min(rule.crawl_delay, self.config.max_crawl_delay))
        return rule

    async def allowed(self, url: str) -> tuple[bool, FetchError | None]:
        """May ``url`` be fetched under robots.txt? (False, why) when not."""
        if not self.config.obey_robots:
            return True, None
        rule = await self.robots_for(url)
        if rule.error is not None:
            if rule.error.cause in UNREACHABLE:
                # nothing HTTP reached the server: let the page fail with its own error
                # (and its own TLS facts) rather than blame robots.txt
                return True, None
            return False, rule.error
        if rule.allowed(url, ROBOTS_TOKEN):
            return True, None
        why = ("robots.txt answered HTTP %s: everything disallowed (RFC 9309)" % rule.status
               if rule.disallow_all else "disallowed by robots.txt")
        return False, FetchError(Cause.ROBOTS, why)

    # fetching --------------------------------------------------------------------------
    async def fetch(self, url: str, method: str = "GET", headers: dict | None = None,
                    data: Any = None, html_only: bool = False, robots: bool = True,
                    follow_redirects: bool = True, max_body: int | None = None) -> Response:
        """Fetch ``url`` politely; never raises (see the module doc)."""
        try:
            return await self._fetch_chain(
                url, method, headers, data, html_only,
                max_body if max_body is not None else self.config.max_body,
                follow_redirects, robots=robots, max_redirects=self.config.max_redirects)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the contract: never raises
            return Response(requested_url=url, error=classify(exc))

    async def fetch_once(self, url: str, **kw) -> Response:
        """``fetch`` with a run-wide cache: concurrent and later callers asking for the same
        URL (and arguments) share one request. For documents of a host that many targets
        share (robots.txt, root sitemaps); callers must not mutate the Response."""
        key = "fetch:" + url + repr(sorted(kw.items()))
        fut = self.shared.get(key)
        if fut is None:
            fut = self.shared[key] = asyncio.ensure_future(self.fetch(url, **kw))
        return await asyncio.shield(fut)

    async def _fetch_chain(self, url, method, headers, data, html_only, max_body,
                           follow, robots: bool, max_redirects: int) -> Response:
        t0 = time.monotonic()
        hops: list[Hop] = []
        seen: set[tuple[str, str]] = set()
        current, meth, body_data = url, method.upper(), data
        hop_tls: TLSInfo | None = None  # i14-https: the first https hop's TLS facts
        while True:
            p = urlsplit(current)
            if p.scheme not in ("http", "https") or not p.hostname:
                return self._done(Response(requested_url=url, url=current, redirects=hops,
                                           error=FetchError(Cause.BAD_URL, current)), t0)
            if robots:
                ok, why = await self.allowed(current)
                if not ok:
                    return self._done(Response(requested_url=url, url=current, redirects=hops,
                                               error=why), t0)
            seen.add((meth, current))
            resp = await self._attempts(url, current, meth, headers, body_data, html_only,
                                        max_body, follow)
            resp.redirects = hops
            hop_tls = hop_tls or resp.tls
            if resp.tls is None and hop_tls is not None and url.startswith("https:"):
                resp.tls = hop_tls  # https -> http: the https endpoint keeps its TLS facts
            if not follow or resp.error is not None or resp.status not in (301, 302, 303,
                                                                           307, 308):
                return self._done(resp, t0)
            location = resp.headers.get("location", "")
            if not location:
                return self._done(resp, t0)
            try:
                nxt = urljoin(current, location.strip()).split("#", 1)[0]
            except ValueError:
                resp.error = FetchError(Cause.BAD_URL, f"redirect to {location!r}")
                return self._done(resp, t0)
            hops.append(Hop(current, resp.status, location, dict(resp.headers)))
            if resp.status == 303 or (resp.status in (301, 302) and meth == "POST"):
                meth, body_data = "GET", None
            if (meth, nxt) in seen:
                return self._done(Response(
                    requested_url=url, url=nxt, redirects=hops,
                    error=FetchError(Cause.REDIRECT_LOOP, f"{nxt} was already visited "
                                     f"after {len(hops)} redirects")), t0)
            if len(hops) > max_redirects:
                return self._done(Response(
                    requested_url=url, url=nxt, redirects=hops,
                    error=FetchError(Cause.TOO_MANY_REDIRECTS,
                                     f"more than {max_redirects} redirects")), t0)
            current = nxt

    @staticmethod
    def _done(resp: Response, t0: float) -> Response:
        resp.elapsed_ms = round((time.monotonic() - t0) * 1000, 1)
        return resp

    async def _attempts(self, requested, url, method, headers, data, html_only, max_body,
                        follow) -> Response:
        c = self.config
        host = (urlsplit(url).hostname or "").lower()
        attempt = 0
        while True:
            resp, reached = await self._one(requested, url, method, headers, data, html_only,
                                            max_body, host)
            if attempt >= c.retries:
                return resp
            wait = None
            if resp.error is not None and resp.error.cause in TRANSIENT:
                if resp.error.cause == Cause.TIMEOUT and reached:
                    # the server was reached and is just slow (slow headers, a trickled
                    # body, an accepted connection never answered): it will be as slow
                    # again, so one deadline is spent, not 1 + retries
                    return resp
                wait = c.backoff * (2 ** attempt)
            elif resp.error is None and resp.status in RETRY_STATUSES:
                wait = c.backoff * (2 ** attempt)
                if resp.status in (429, 503):
                    ra = parse_retry_after(resp.headers.get("retry-after"))
                    if ra is not None:
                        if ra > c.max_retry_after:
                            return resp  # the server asks for longer than we wait
                        wait = ra
            if wait is None:
                return resp
            attempt += 1
            await asyncio.sleep(wait)

    def _remembered(self, host: str, endpoint: str) -> FetchError | None:
        """A failure remembered for this host or port, to fail at once with (or None)."""
        now = time.monotonic()
        known = self._unresolvable.get(host)
        if known is not None and now - known[0] < DNS_NEGATIVE_TTL:
            # the name did not resolve a moment ago: fail at once instead of queueing behind
            # the host's politeness delay for a host we cannot reach (a scan behind a
            # firewall would otherwise wait delay x requests for nothing)
            return known[1]
        down = self._down.get(endpoint)
        if down is not None and down[0] >= HOST_DOWN_AFTER and now - down[1] < DNS_NEGATIVE_TTL:
            # circuit breaker: several connections in a row could not even be opened
            return FetchError(down[2].cause, f"{down[2].detail} (host given up after "
                                             f"{down[0]} failed connections in a row)")
        slow = self._slow.get(endpoint)
        if slow is not None and slow[0] >= HOST_SLOW_AFTER and now - slow[1] < HOST_SLOW_TTL:
            # circuit breaker: the server answered too slowly several times in a row; one
            # request is let through again after HOST_SLOW_TTL (and gives it up again when
            # it times out too)
            return FetchError(Cause.TIMEOUT, f"{slow[2].detail} (host given up for "
                                             f"{HOST_SLOW_TTL:g}s after {slow[0]} timeouts "
                                             f"in a row)")
        return None

    async def _one(self, requested, url, method, headers, data, html_only, max_body,
                   host) -> tuple[Response, bool]:
        """One HTTP request (no redirects) under the host and global limits, and whether the
        server was reached (a TCP connection opened to it)."""
        endpoint = urlsplit(url).netloc.lower()  # refused/unreachable is a property of a port
        known = self._remembered(host, endpoint)
        if known is not None:
            return Response(requested_url=requested, url=url, error=known), False
        st = self.host_state(host)
        async with st.sem:
            await st.wait_turn()
            known = self._remembered(host, endpoint)  # given up while this one queued
            if known is not None:
                return Response(requested_url=requested, url=url, error=known), False
            async with self._global:
                self.requests += 1
                seen = _Progress()
                try:
                    async with asyncio.timeout(self.config.total_timeout):
                        resp = await self._send(requested, url, method, headers, data,
                                                html_only, max_body, seen)
                    self._down.pop(endpoint, None)  # a connection worked: it is up
                    self._slow.pop(endpoint, None)  # and it answered in time
                    return resp, True
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001
                    if isinstance(exc, TimeoutError):
                        err = FetchError(Cause.TIMEOUT, f"total timeout "
                                                        f"{self.config.total_timeout:g}s")
                    else:
                        err = classify(exc)
                    if err.cause == Cause.TIMEOUT and seen.reached:
                        err = FetchError(Cause.TIMEOUT, f"{err.detail} {seen.where()}")
                        n = self._slow.get(endpoint, (0, 0.0, err))[0] + 1
                        self._slow[endpoint] = (n, time.monotonic(), err)
                    elif err.cause == Cause.DNS:
                        self._unresolvable[host] = (time.monotonic(), err)
                    elif is_connect_failure(err):
                        n = self._down.get(endpoint, (0, 0.0, err))[0] + 1
                        self._down[endpoint] = (n, time.monotonic(), err)
                    resp = Response(requested_url=requested, url=url, error=err)
                    if err.cause == Cause.TLS_INVALID:
                        await st.wait_turn()  # a second connection: polite like a request
                        resp.tls = await self._unverified_tls(url, exc, err.detail)
                    return resp, seen.reached

    async def _send(self, requested, url, method, headers, data, html_only,
                    max_body, seen: "_Progress") -> Response:
        kw: dict[str, Any] = {}
        if data is not None:
            kw["data"] = data
        try:
            target = yarl.URL(url)
        except (ValueError, TypeError) as exc:
            raise aiohttp.InvalidURL(url, str(exc)) from exc
        r = await self.session().request(method, target, headers=headers,
                                         allow_redirects=False, trace_request_ctx=seen, **kw)
        seen.stage = "body"
        complete = False
        try:
            hdrs = _headers(r.raw_headers)
            resp = Response(requested_url=requested, url=url, status=r.status, headers=hdrs)
            if r.peer:
                resp.ip = str(r.peer[0])
            if url.startswith("https:") and r.ssl_object is not None:
                resp.tls = self._tls_info(url, r.ssl_object)
            if method == "HEAD" or 300 <= r.status < 400 and "location" in hdrs:
                return resp
            if html_only and r.status < 400:
                ct = resp.content_type
                if ct and ct not in ("text/html", "application/xhtml+xml"):
                    resp.error = FetchError(Cause.NOT_HTML, ct)
                    return resp
            resp.body, resp.error = await _read_body(r, max_body)
            complete = resp.error is None
            resp.truncated = resp.error is not None and resp.error.cause == Cause.TOO_LARGE
            body = resp.body
            if body:
                ct = hdrs.get("content-type", "")
                resp.encoding = detect_encoding(body, ct, is_html=resp.is_html or not ct)
            return resp
        finally:
            if complete:
                r.release()  # back to the pool (aiohttp closes it if anything is left)
            else:
                r.close()  # a body left unread or cut short: the connection is not reused

    def _tls_info(self, url: str, obj: ssl.SSLObject) -> TLSInfo | None:
        origin = origin_of(url)
        info = self._tls_cache.get(origin)
        if info is None:
            info = tls_from_ssl_object(obj)
            if info is not None:
                self._tls_cache[origin] = info
        return info

    async def _unverified_tls(self, url: str, exc: BaseException, why: str) -> TLSInfo | None:
        """What a server whose handshake failed negotiates and serves, and why it failed
        (``.tls.handshake_facts``: look-only handshakes, nothing is requested over them)."""
        p = urlsplit(url)
        host, port = p.hostname or "", p.port or 443
        key = f"{origin_of(url)} {why}"  # one look per origin and failure, not per request
        if key in self._tls_cache:
            return self._tls_cache[key]
        try:
            # the SSRF guard as for any connection (PrivateAddressError -> None below)
            ips = await self._guard.checked_addresses(host, port)
            info = await handshake_facts(ips[0], port, host, exc, why, self._ca_files(),
                                         self.config.connect_timeout)
        except Exception:  # noqa: BLE001 - best effort
            return None
        self._tls_cache[key] = info
        return info

    def _ca_files(self) -> list[str]:
        """The CA files the fetcher trusts besides the system store (certifi, --ca-bundle)."""
        out = []
        try:
            import certifi

            out.append(certifi.where())
        except ImportError:
            pass
        if self.config.ca_bundle:
            out.append(self.config.ca_bundle)
        return out


# i14-https: every Strict-Transport-Security field kept, one a line: only the first counts
# (RFC 6797 section 8.1), which a ", " join would hide
_LINE_JOINED = ("set-cookie", "strict-transport-security")


# the longest header line aiohttp accepts (its default is 8190 bytes; real sites send longer
# Content-Security-Policy and Set-Cookie fields, and httpx/h11 took up to 64 KB)
MAX_HEADER_LINE = 65536


class _Response(aiohttp.ClientResponse):
    """aiohttp's response, with the peer address and TLS object of its connection read when
    it starts (a response without a body gives its connection back before the caller could
    ask it)."""

    peer: Any = None
    ssl_object: ssl.SSLObject | None = None

    async def start(self, connection):
        tr = connection.transport
        if tr is not None:
            self.peer = tr.get_extra_info("peername")
            self.ssl_object = tr.get_extra_info("ssl_object")
        return await super().start(connection)


class _Progress:
    """How far one request got (from aiohttp's trace events): whether a connection to the
    server was opened, and in which stage a timeout struck."""

    def __init__(self):
        self.reached = False
        self.stage = "connect"

    def where(self) -> str:
        return ("(the server was reached, but its headers did not arrive in time; not retried)"
                if self.stage == "headers" else
                "(the server was reached, but its body did not arrive in time; not retried)")


async def _reached(session, ctx, params) -> None:
    """aiohttp trace hook: a connection is open (new or reused) or the request was sent."""
    seen = ctx.trace_request_ctx
    if isinstance(seen, _Progress):
        seen.reached = True
        if seen.stage == "connect":
            seen.stage = "headers"


async def _read_body(r: aiohttp.ClientResponse, max_body: int) -> tuple[bytes, FetchError | None]:
    """The body of a streamed response, its content codings undone incrementally with the
    cap on *decoded* bytes (``.decoding``); (body, error) - a body over the cap is kept up to
    the cap with ``too-large``, an unknown or corrupt coding is ``bad-encoding``."""
    coding = r.headers.get("content-encoding", "")
    too_large = FetchError(Cause.TOO_LARGE, f"body larger than the cap of {max_body} bytes")
    try:
        dec = BodyDecoder(coding, max_body)
        raw = 0
        async for chunk in r.content.iter_any():
            raw += len(chunk)
            dec.feed(chunk)
            if raw > max_body:  # compressed bytes beyond the cap: too large whatever they hold
                return b"".join(dec.parts), too_large
        return dec.finish(), None
    except TooLarge as exc:
        return exc.partial, too_large
    except DecodingError as exc:
        return b"", FetchError(Cause.BAD_ENCODING, f"Content-Encoding {coding!r}: {exc}")


def _header_text(raw: bytes) -> str:
    """A header's bytes as text: ASCII, else UTF-8, else Latin-1 (as httpx read them)."""
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _headers(raw) -> dict[str, str]:
    """Response header fields (``(name, value)`` byte or text pairs, in order) as one dict
    with lower-case names: repeated fields joined with ", ", or one a line for the fields
    where the first one counts or a comma is part of the value (``_LINE_JOINED``)."""
    out: dict[str, str] = {}
    for k, v in raw:
        k = (_header_text(k) if isinstance(k, bytes) else k).lower()
        v = _header_text(v) if isinstance(v, bytes) else v
        if k in out:
            out[k] = out[k] + ("\n" if k in _LINE_JOINED else ", ") + v
        else:
            out[k] = v
    return out
