"""The polite fetcher: one ``Fetcher`` per run, shared by every gatherer.

``await fetcher.fetch(url)`` returns a ``crawler.artifacts.Response`` and never raises: a
failure is ``resp.error``, a ``FetchError`` whose cause comes from the closed set in
``crawler.causes`` (see ``classify``). What it does, in order, for every request:

* **SSRF guard** - the host is resolved (the ``resolve`` map first, else DNS) and refused
  with ``private-address`` when any address is loopback, private, link-local, multicast,
  reserved or a cloud metadata address, unless ``allow_private``. The check lives in the
  network backend, so it covers the start URL *and* every redirect hop, and the connection
  goes to the address that was checked (no DNS-rebinding window).
* **robots.txt** (RFC 9309, parsed by protego) - fetched once per origin and cached: 2xx is
  obeyed, 4xx means allow all, 5xx means disallow all. When robots.txt is unreachable
  (timeout, reset...) the pages of that origin are not fetched and carry that error; when
  no HTTP exchange was possible at all (DNS, refused, TLS invalid, private address) the
  page is attempted so it fails with its own error and TLS facts. ``Crawl-delay`` raises
  that host's minimum delay (capped).
* **politeness per host** - at most ``per_host_concurrency`` requests in flight to one host
  name and at least ``per_host_delay`` seconds between request starts; plus a global limit.
* **redirects** are followed here (httpx is told not to), every hop recorded in
  ``resp.redirects``; a URL seen twice is a loop, more than ``max_redirects`` is too many.
* **retries** with exponential backoff for transient failures (reset, connect timeout,
  502/503/504) and 429/503 honouring ``Retry-After`` (capped).
* **the body** is streamed with a size cap (``truncated`` + ``too-large``), and decoded from
  the Content-Type charset, a BOM, ``<meta charset>``, else detected by charset_normalizer.
* **connections**: one small httpx/httpcore pool per host (the pool scans all its
  connections on every request), keep-alive, the host map and SSRF guard in a custom
  httpcore network backend.
* **TLS facts** of https responses (``resp.tls``) from the live connection; when the
  certificate does not validate, a second non-verifying handshake reads what was served.
"""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import email.utils
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .artifacts import Hop, Response, TLSInfo
from .causes import Cause, FetchError

DEFAULT_UA = "govscan/0.1 (+https://github.com/govscan/govscan; compliance crawler for PP-308)"
ROBOTS_TOKEN = "govscan"
MiB = 1024 * 1024


@dataclass
class FetchConfig:
    user_agent: str = DEFAULT_UA
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 45.0  # one attempt, headers + body
    max_body: int = 8 * MiB
    max_redirects: int = 10
    retries: int = 2  # extra attempts for transient failures
    backoff: float = 1.0  # first retry waits this long, then doubles
    max_retry_after: float = 30.0  # cap on a server's Retry-After
    per_host_concurrency: int = 2
    per_host_delay: float = 0.5  # seconds between request starts on one host
    max_crawl_delay: float = 30.0  # cap on robots.txt Crawl-delay
    global_concurrency: int = 16
    obey_robots: bool = True
    allow_private: bool = False
    ca_bundle: str | None = None
    resolve: dict[str, str] = field(default_factory=dict)  # host -> IP (tests, --resolve)
    accept_language: str = "uz,ru;q=0.8,en;q=0.6"
    http2: bool = False


# --- errors raised inside the network backend ---------------------------------------------

class PrivateAddressError(Exception):
    """The host resolves to an address the SSRF guard refuses."""


class DNSError(Exception):
    """The host name does not resolve."""


METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"),
                      ipaddress.ip_address("fd00:ec2::254"),
                      ipaddress.ip_address("100.100.100.200")}


def is_public_address(ip: str) -> bool:
    """An address is public when it is none of: loopback, private (RFC 1918, ULA),
    link-local, multicast, reserved, unspecified, shared (CGNAT) or a cloud metadata
    address. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr in METADATA_ADDRESSES:
        return False
    if (addr.is_loopback or addr.is_private or addr.is_link_local or addr.is_multicast
            or addr.is_reserved or addr.is_unspecified):
        return False
    if isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return addr.is_global


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend: resolve through the map or DNS, refuse non-public
    addresses (unless allowed), connect to the checked address. TLS is started later by
    httpcore with the URL's host name as SNI, so certificates are checked against the name."""

    def __init__(self, config: FetchConfig):
        self.config = config
        self.inner = httpcore.AnyIOBackend()

    async def resolve(self, host: str, port: int) -> list[str]:
        host = host.strip("[]").lower()
        mapped = self.config.resolve.get(host)
        if mapped:
            return [mapped]
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise DNSError(f"{host}: {exc}") from exc
        out: list[str] = []
        for info in infos:
            ip = info[4][0]
            if ip not in out:
                out.append(ip)
        if not out:
            raise DNSError(f"{host}: no address")
        return out

    async def connect_tcp(self, host, port, timeout=None, local_address=None,
                          socket_options=None):
        ips = await self.resolve(host, port)
        if not self.config.allow_private:
            bad = [ip for ip in ips if not is_public_address(ip)]
            if bad:
                raise PrivateAddressError(f"{host} resolves to {', '.join(bad)}")
        last: Exception | None = None
        for ip in ips:
            try:
                return await self.inner.connect_tcp(ip, port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.UnsupportedProtocol("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


# --- failure classification ---------------------------------------------------------------

def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def classify(exc: BaseException) -> FetchError:
    """Map any exception of a fetch onto the closed set of causes (with its message)."""
    chain = list(_chain(exc))
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
        if isinstance(e, httpx.TimeoutException | httpcore.TimeoutException | TimeoutError):
            kind = type(e).__name__.replace("Timeout", " timeout").strip().lower()
            return FetchError(Cause.TIMEOUT, kind or "timeout")
        if isinstance(e, ConnectionRefusedError):
            return FetchError(Cause.REFUSED, str(e))
        if isinstance(e, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return FetchError(Cause.RESET, str(e))
    msg = str(exc).lower()
    for e in chain:
        if isinstance(e, httpx.UnsupportedProtocol | httpx.InvalidURL | httpcore.UnsupportedProtocol):
            return FetchError(Cause.BAD_URL, str(e))
        if isinstance(e, httpx.ConnectError | httpcore.ConnectError):
            if "refused" in msg or "errno 111" in msg:
                return FetchError(Cause.REFUSED, str(e))
            if "reset" in msg:
                return FetchError(Cause.RESET, str(e))
            if "name or service" in msg or "nodename" in msg or "getaddrinfo" in msg:
                return FetchError(Cause.DNS, str(e))
            return FetchError(Cause.REFUSED, detail)
        if isinstance(e, httpx.RemoteProtocolError | httpcore.RemoteProtocolError):
            if "without sending" in msg or "disconnected" in msg or "peer closed" in msg:
                return FetchError(Cause.RESET, str(e))
            return FetchError(Cause.PROTOCOL, str(e))
        if isinstance(e, httpx.ReadError | httpx.WriteError | httpcore.ReadError
                      | httpcore.WriteError | httpx.CloseError):
            return FetchError(Cause.RESET, detail)
        if isinstance(e, httpx.DecodingError | httpx.LocalProtocolError
                      | httpcore.LocalProtocolError | httpx.ProtocolError):
            return FetchError(Cause.PROTOCOL, str(e))
    return FetchError(Cause.OTHER, detail)


def failure_of(resp: Response) -> FetchError | None:
    """``resp.error``, or for an HTTP error status the cause it stands for (``http-error``;
    ``blocked-bot`` for 403/429). HTTP error answers are *answers*: fetch() keeps them as
    a status with ``error=None`` (their body and headers still matter to probes)."""
    if resp.error is not None:
        return resp.error
    if resp.status is not None and resp.status >= 400:
        cause = Cause.BLOCKED_BOT if resp.status in (403, 429) else Cause.HTTP_ERROR
        return FetchError(cause, f"HTTP {resp.status}")
    return None


# robots.txt failures where no HTTP request reached the server at all
UNREACHABLE = {Cause.DNS, Cause.REFUSED, Cause.TLS_INVALID, Cause.PRIVATE_ADDRESS,
               Cause.BAD_URL}
TRANSIENT = {Cause.RESET, Cause.TIMEOUT, Cause.PROTOCOL}
DNS_NEGATIVE_TTL = 300.0  # seconds a failed name lookup (or a host given up) is remembered
HOST_DOWN_AFTER = 4  # connections in a row that could not be opened before a host is given up


def _is_connect_failure(err: FetchError) -> bool:
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


# --- decoding -----------------------------------------------------------------------------

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in ("utf8",):
        name = "utf-8"
    if name in ("x-user-defined",):
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # HTML's rule: latin-1/ascii labels mean windows-1252
    if info.name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return info.name


_CANON = {"cp1251": "windows-1251", "cp1252": "windows-1252", "utf-8": "utf-8"}


def detect_encoding(body: bytes, content_type: str = "", is_html: bool = True) -> str:
    """The encoding of a body: Content-Type charset, BOM, ``<meta charset>`` (first 4 KB),
    valid UTF-8, else charset_normalizer's best guess."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return enc
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.I)
    enc = _codec(m.group(1)) if m else None
    if enc:
        return _CANON.get(enc, enc)
    if is_html:
        m2 = _CHARSET_RE.search(body[:4096])
        enc = _codec(m2.group(1).decode("ascii", "ignore")) if m2 else None
        if enc:
            if enc.startswith("utf-16"):  # a meta tag readable as ASCII cannot be UTF-16
                enc = "utf-8"
            return _CANON.get(enc, enc)
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:65536]).best()
        if best is not None and best.encoding:
            enc = _codec(best.encoding) or best.encoding
            return _CANON.get(enc, enc)
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return "utf-8"


# --- TLS facts ----------------------------------------------------------------------------

def tls_from_ssl_object(obj: ssl.SSLObject) -> TLSInfo | None:
    """TLS facts of a verified live connection (the same fields as ``tls_from_der``)."""
    try:
        der = obj.getpeercert(binary_form=True)
        if not der:
            return None
        info = tls_from_der(der, obj.version() or "", (obj.cipher() or ("",))[0])
    except Exception:  # noqa: BLE001 - facts are best effort
        return None
    info.verified = True
    return info


def tls_from_der(der: bytes, version: str = "", cipher: str = "") -> TLSInfo:
    """Certificate facts from a DER certificate (the non-verifying second handshake)."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = [str(n) for n in san.get_values_for_type(x509.DNSName)] + \
               [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        sans = []
    subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    return TLSInfo(verified=False, version=version, cipher=cipher, subject=subject,
                   issuer=issuer, sans=sans,
                   not_before=cert.not_valid_before_utc.isoformat(timespec="seconds"),
                   not_after=cert.not_valid_after_utc.isoformat(timespec="seconds"),
                   self_signed=subject == issuer)


# --- robots -------------------------------------------------------------------------------

@dataclass
class RobotsRule:
    """What robots.txt says for one origin: a protego parser, or a blanket rule."""

    origin: str
    parser: Any = None  # protego.Protego when robots.txt was readable
    allow_all: bool = False
    disallow_all: bool = False
    error: FetchError | None = None  # robots.txt unreachable: pages get this error
    status: int | None = None
    crawl_delay: float | None = None
    response: Response | None = None  # the robots.txt fetch itself (gather_robots uses it)

    def allowed(self, url: str, token: str) -> bool:
        if self.allow_all:
            return True
        if self.disallow_all or self.error is not None:
            return False
        return self.parser is None or self.parser.can_fetch(url, token)


def origin_of(url: str) -> str:
    p = urlsplit(url)
    host = (p.hostname or "").lower()
    port = p.port
    default = {"http": 80, "https": 443}.get(p.scheme)
    netloc = host if (port is None or port == default) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port in (None, default) else f"[{host}]:{port}"
    return f"{p.scheme}://{netloc}"


# --- the fetcher --------------------------------------------------------------------------

class _Host:
    """Politeness state of one host name."""

    def __init__(self, concurrency: int, delay: float):
        self.sem = asyncio.Semaphore(concurrency)
        self.delay = delay
        self.next_start = 0.0
        self.lock = asyncio.Lock()
        self.requests = 0

    async def wait_turn(self):
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)
        self.requests += 1


class Fetcher:
    """``async with Fetcher(cfg) as f: resp = await f.fetch(url)``. See the module doc."""

    def __init__(self, config: FetchConfig | None = None):
        self.config = config or FetchConfig()
        self.ssl_context = self._make_ssl_context()
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, asyncio.Future] = {}
        self._tls_cache: dict[str, TLSInfo] = {}
        self._unresolvable: dict[str, tuple[float, FetchError]] = {}  # negative DNS cache
        # host:port -> (connection failures in a row, when the last was, its error)
        self._down: dict[str, tuple[int, float, FetchError]] = {}
        self._global = asyncio.Semaphore(max(1, self.config.global_concurrency))
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._backend = _GuardedBackend(self.config)
        self._started = False
        self.requests = 0  # HTTP requests sent (every hop and retry)
        # run-wide caches shared by gatherers (e.g. sitemaps of a host that carries many
        # targets are fetched once per run, not once per target)
        self.shared: dict[str, Any] = {}

    def _make_ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        try:
            import certifi

            ctx.load_verify_locations(certifi.where())
        except (ImportError, OSError):
            pass
        if self.config.ca_bundle:
            ctx.load_verify_locations(self.config.ca_bundle)
        if self.config.http2:
            ctx.set_alpn_protocols(["h2", "http/1.1"])
        else:
            ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    async def __aenter__(self) -> "Fetcher":
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    async def start(self):
        self._started = True

    def _new_client(self) -> httpx.AsyncClient:
        c = self.config
        n = max(4, c.per_host_concurrency * 2)
        transport = httpx.AsyncHTTPTransport(
            verify=self.ssl_context, http2=c.http2, trust_env=False,
            limits=httpx.Limits(max_connections=n, max_keepalive_connections=n,
                                keepalive_expiry=15.0))
        transport._pool._network_backend = self._backend  # host map + SSRF guard
        return httpx.AsyncClient(
            transport=transport, follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(connect=c.connect_timeout, read=c.read_timeout,
                                  write=c.read_timeout, pool=c.total_timeout),
            headers={"User-Agent": c.user_agent,
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                               "*/*;q=0.8",
                     "Accept-Language": c.accept_language})

    def client_for(self, host: str) -> httpx.AsyncClient:
        """One small connection pool per host: httpcore's pool scans every connection it
        holds on each request, so one pool per host keeps that scan a handful long."""
        cl = self._clients.get(host)
        if cl is None:
            cl = self._clients[host] = self._new_client()
        return cl

    async def aclose(self):
        clients, self._clients = list(self._clients.values()), {}
        for cl in clients:
            try:
                await cl.aclose()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    # politeness ------------------------------------------------------------------------
    def host_state(self, host: str) -> _Host:
        h = self._hosts.get(host)
        if h is None:
            h = self._hosts[host] = _Host(max(1, self.config.per_host_concurrency),
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
        rule = RobotsRule(origin, status=resp.status, response=resp)
        if resp.error is not None and resp.error.cause != Cause.TOO_LARGE:
            rule.error = FetchError(resp.error.cause,
                                    f"robots.txt unreachable: {resp.error.detail}")
        elif resp.status is not None and 400 <= resp.status < 500:
            rule.allow_all = True
        elif resp.status is None or resp.status >= 500:
            rule.disallow_all = True
        else:
            from protego import Protego

            try:
                rule.parser = Protego.parse(resp.text)
            except Exception:  # noqa: BLE001 - an unparsable file restricts nothing
                rule.allow_all = True
            else:
                delay = rule.parser.crawl_delay(ROBOTS_TOKEN)
                if delay:
                    rule.crawl_delay = float(delay)
                    host = urlsplit(origin).hostname or ""
                    st = self.host_state(host)
                    st.delay = max(st.delay, min(float(delay), self.config.max_crawl_delay))
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
            resp = await self._one(requested, url, method, headers, data, html_only, max_body,
                                   host)
            if attempt >= c.retries:
                return resp
            wait = None
            if resp.error is not None and resp.error.cause in TRANSIENT:
                if resp.error.cause == Cause.TIMEOUT and "read" in resp.error.detail:
                    return resp  # a server that hangs will hang again: do not triple it
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

    async def _one(self, requested, url, method, headers, data, html_only, max_body,
                   host) -> Response:
        """One HTTP request (no redirects) under the host and global limits."""
        known = self._unresolvable.get(host)
        if known is not None and time.monotonic() - known[0] < DNS_NEGATIVE_TTL:
            # the name did not resolve a moment ago: fail at once instead of queueing behind
            # the host's politeness delay for a host we cannot reach (a scan behind a
            # firewall would otherwise wait delay x requests for nothing)
            return Response(requested_url=requested, url=url, error=known[1])
        endpoint = urlsplit(url).netloc.lower()  # refused/unreachable is a property of a port
        down = self._down.get(endpoint)
        if down is not None and down[0] >= HOST_DOWN_AFTER and \
                time.monotonic() - down[1] < DNS_NEGATIVE_TTL:
            # circuit breaker: several connections in a row could not even be opened
            err = down[2]
            return Response(requested_url=requested, url=url, error=FetchError(
                err.cause, f"{err.detail} (host given up after {down[0]} failed connections "
                           f"in a row)"))
        st = self.host_state(host)
        async with st.sem:
            await st.wait_turn()
            async with self._global:
                self.requests += 1
                try:
                    async with asyncio.timeout(self.config.total_timeout):
                        resp = await self._send(requested, url, method, headers, data,
                                                html_only, max_body)
                    self._down.pop(endpoint, None)  # a connection worked: it is up
                    return resp
                except asyncio.CancelledError:
                    raise
                except TimeoutError:
                    return Response(requested_url=requested, url=url, error=FetchError(
                        Cause.TIMEOUT, f"total timeout {self.config.total_timeout:g}s"))
                except Exception as exc:  # noqa: BLE001
                    err = classify(exc)
                    if err.cause == Cause.DNS:
                        self._unresolvable[host] = (time.monotonic(), err)
                    elif _is_connect_failure(err):
                        n = self._down.get(endpoint, (0, 0.0, err))[0] + 1
                        self._down[endpoint] = (n, time.monotonic(), err)
                    resp = Response(requested_url=requested, url=url, error=err)
                    if err.cause == Cause.TLS_INVALID:
                        await st.wait_turn()  # a second connection: polite like a request
                        resp.tls = await self._unverified_tls(url, err.detail)
                    return resp

    async def _send(self, requested, url, method, headers, data, html_only,
                    max_body) -> Response:
        kw: dict[str, Any] = {}
        if data is not None:
            if isinstance(data, (bytes, str)):
                kw["content"] = data
            else:
                kw["data"] = data
        client = self.client_for((urlsplit(url).hostname or "").lower())
        req = client.build_request(method, url, headers=headers, **kw)
        r = await client.send(req, stream=True)
        try:
            hdrs = _headers(r.headers)
            resp = Response(requested_url=requested, url=url, status=r.status_code,
                            headers=hdrs)
            stream = r.extensions.get("network_stream")
            if stream is not None:
                addr = stream.get_extra_info("server_addr")
                if addr:
                    resp.ip = str(addr[0])
                if url.startswith("https:"):
                    resp.tls = self._tls_info(url, stream)
            if method == "HEAD" or 300 <= r.status_code < 400 and "location" in hdrs:
                return resp
            if html_only and r.status_code < 400:
                ct = resp.content_type
                if ct and ct not in ("text/html", "application/xhtml+xml"):
                    resp.error = FetchError(Cause.NOT_HTML, ct)
                    return resp
            chunks, size = [], 0
            async for chunk in r.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > max_body:
                    resp.truncated = True
                    resp.error = FetchError(Cause.TOO_LARGE,
                                            f"body larger than the cap of {max_body} bytes")
                    break
            body = b"".join(chunks)
            if resp.truncated:
                body = body[:max_body]
            resp.body = body
            if body:
                ct = hdrs.get("content-type", "")
                resp.encoding = detect_encoding(body, ct, is_html=resp.is_html or not ct)
            return resp
        finally:
            await r.aclose()

    def _tls_info(self, url: str, stream) -> TLSInfo | None:
        origin = origin_of(url)
        info = self._tls_cache.get(origin)
        if info is None:
            obj = stream.get_extra_info("ssl_object")
            if obj is None:
                return None
            info = tls_from_ssl_object(obj)
            if info is not None:
                self._tls_cache[origin] = info
        return info

    async def _unverified_tls(self, url: str, why: str) -> TLSInfo | None:
        """Read the certificate a server presents although it did not validate."""
        p = urlsplit(url)
        host, port = p.hostname or "", p.port or 443
        try:
            ips = await _GuardedBackend(self.config).resolve(host, port)
            if not self.config.allow_private and not all(map(is_public_address, ips)):
                return None
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            async with asyncio.timeout(self.config.connect_timeout):
                reader, writer = await asyncio.open_connection(
                    ips[0], port, ssl=ctx, server_hostname=host)
            try:
                obj = writer.get_extra_info("ssl_object")
                der = obj.getpeercert(binary_form=True) if obj else None
                if not der:
                    return None
                info = tls_from_der(der, obj.version() or "", (obj.cipher() or ("",))[0])
            finally:
                writer.close()
                try:
                    await writer.wait_closed()
                except Exception:  # noqa: BLE001
                    pass
            info.verify_error = why
            return info
        except Exception:  # noqa: BLE001 - best effort
            return None


def _headers(h: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in h.multi_items():
        k = k.lower()
        if k in out:
            out[k] = out[k] + ("\n" if k == "set-cookie" else ", ") + v
        else:
            out[k] = v
    return out
