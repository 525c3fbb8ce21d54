"""The hostile farm: raw-socket servers on loopback that misbehave as a nightly run meets them.

The site farm (``crawler.farm.server``) is a well-behaved ``http.server``; what it cannot do -
trickle headers a byte at a time, accept and never answer, reset mid-body, lie in
``Content-Length``, serve decompression bombs in every coding and stack of codings, robots.txt
files and sitemaps written to hurt - is done here, one port per case, so that one case's
remembered failures (the fetcher's per-port breakers) never touch another's. Every server
listens on 127.0.0.1 only, answers ``Connection: close`` and stops trickling by itself after
``MAX_TRICKLE`` seconds, so nothing outlives the tests.

``HostileFarm().start()`` serves every case of ``CASES``; ``farm.url(name, path="/")`` is
its address (host ``<name>.hostile.test``, reached through ``farm.resolve``, never DNS),
``farm.requests(name)`` the paths it was asked for. Each ``Case`` says what
govscan should report for its start page (``cause``: a ``crawler.causes`` value, or ``""``
for an answer that is judged) - the tests assert it, ``govscan scan`` of the whole farm too.
The bombs are built once, lazily, and cached (``payload``).

Loopback test infrastructure: imports the standard library and the optional compressors
(brotli, zstandard) only.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

MAX_TRICKLE = 60.0  # a trickling server gives up after this long whatever the client does
TRICKLE_EVERY = 0.25  # seconds between the bytes of a slow-loris
BOMB_MB = 256  # decoded size of the single-coding bombs (the cap is 8 MiB)
STACKED_INNER_MB = 1024  # decoded size of the stacked bomb's inner gzip (1 GiB of zeros)


def _zeros_stream(mb: int, wbits: int) -> bytes:
    """One deflate stream of ``mb`` MiB of zeros - gzip (``wbits`` 31), zlib (15) or raw
    (-15) - built in milliseconds, never held decoded: after a full flush the compressor's
    output for the next MiB repeats exactly, so the stream is that block repeated. (The
    checksum at the end is for two MiB: a decoder meets it only after the whole bomb, which
    is the point.)"""
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    return first + again * (mb - 1) + c.flush()


def _zeros_gzip(mb: int) -> bytes:
    return _zeros_stream(mb, 16 + zlib.MAX_WBITS)


def _zeros_deflate(mb: int, raw: bool) -> bytes:
    return _zeros_stream(mb, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)


@lru_cache(maxsize=None)
def payload(kind: str) -> bytes:
    """The bomb bodies, built once per process."""
    if kind == "gzip":
        return _zeros_gzip(BOMB_MB)
    if kind == "deflate":
        return _zeros_deflate(BOMB_MB, raw=False)
    if kind == "raw-deflate":
        return _zeros_deflate(BOMB_MB, raw=True)
    if kind == "gzip,gzip":  # ~1 MB inner gzip of 1 GiB, gzipped again
        return gzip.compress(_zeros_gzip(STACKED_INNER_MB), 9)
    if kind == "br":
        import brotli

        c = brotli.Compressor(quality=5)
        block = bytes(1 << 20)
        return b"".join([c.process(block) for _ in range(BOMB_MB // 4)] + [c.finish()])
    if kind == "zstd":
        import zstandard

        c = zstandard.ZstdCompressor(level=3).compressobj()
        block = bytes(1 << 20)
        return b"".join([c.compress(block) for _ in range(BOMB_MB // 4)] + [c.flush()])
    if kind == "gzip-sitemap":  # a .gz sitemap that unpacks to 1 GiB
        return _zeros_gzip(STACKED_INNER_MB)
    raise KeyError(kind)


def available(kind: str) -> bool:
    """Whether this machine can build (and govscan decode) a bomb of ``kind``."""
    mod = {"br": "brotli", "zstd": "zstandard"}.get(kind)
    if mod is None:
        return True
    try:
        __import__(mod)
    except ImportError:
        return False
    return True


# --- the wire ----------------------------------------------------------------------------------

def _head(status: int = 200, headers: dict[str, str] | None = None,
          reason: str = "OK") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(sock: socket.socket, status: int = 200, body: bytes = b"",
          headers: dict[str, str] | None = None, ctype: str = "text/html; charset=utf-8"):
    h = {"Content-Type": ctype, "Content-Length": str(len(body))}
    h.update(headers or {})
    sock.sendall(_head(status, {k: v for k, v in h.items() if v is not None}) + body)


def _trickle(sock: socket.socket, data: bytes) -> None:
    """Send ``data`` one byte every ``TRICKLE_EVERY`` s, for ``MAX_TRICKLE`` s at most."""
    t0 = time.monotonic()
    for i in range(len(data)):
        if time.monotonic() - t0 > MAX_TRICKLE:
            return
        sock.sendall(data[i:i + 1])
        time.sleep(TRICKLE_EVERY)


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _hold(sock: socket.socket) -> None:
    """Keep the connection open, say nothing, until the client leaves (or MAX_TRICKLE)."""
    sock.settimeout(MAX_TRICKLE)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


def _page(title: str, body: str = "", links: list[str] | None = None) -> bytes:
    a = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links or [])
    return (f'<!DOCTYPE html><html lang="uz"><head><meta charset="utf-8"><title>{title}'
            f'</title></head><body><main><h1>{title}</h1>{body}<ul>{a}</ul></main>'
            f'</body></html>').encode("utf-8")


NO_ROBOTS = b"User-agent: *\nDisallow:\n"


def _robots(text: bytes = NO_ROBOTS) -> Callable:
    return lambda s, path: _send(s, 200, text, ctype="text/plain")


# --- the cases -----------------------------------------------------------------------------------

Handler = Callable[[socket.socket, str], None]  # (socket, request path) -> writes an answer
_CURRENT = threading.local()  # .base: "http://HOST:PORT" of the server answering


@dataclass
class Case:
    name: str
    what: str  # one line: how this server misbehaves
    cause: str  # what govscan reports for the start page ("" = an answer, judged)
    routes: dict[str, Handler] = field(default_factory=dict)  # path -> handler; "*" = else
    needs: str = ""  # a payload kind that must be available (br, zstd)


def _bomb(kind: str, coding: str, ctype: str = "text/html; charset=utf-8") -> Handler:
    def serve(s, path):
        _send(s, 200, payload(kind), {"Content-Encoding": coding}, ctype)

    serve.payload = kind
    return serve


def _endless(s: socket.socket, path: str) -> None:
    s.sendall(_head(200, {"Content-Type": "text/html; charset=utf-8"}))
    block = b"<p>" + b"x" * 65_000 + b"</p>\n"
    t0 = time.monotonic()
    while time.monotonic() - t0 < MAX_TRICKLE:
        s.sendall(block)


def _huge_declared(s: socket.socket, path: str) -> None:
    s.sendall(_head(200, {"Content-Type": "text/html; charset=utf-8",
                          "Content-Length": str(10 ** 12)}))
    block = b"<p>" + b"y" * 65_000 + b"</p>\n"
    t0 = time.monotonic()
    while time.monotonic() - t0 < MAX_TRICKLE:
        s.sendall(block)


def _short_body(s: socket.socket, path: str) -> None:
    body = _page("Qisqa")
    s.sendall(_head(200, {"Content-Type": "text/html; charset=utf-8",
                          "Content-Length": str(len(body) * 10)}) + body)
    s.close()


def _long_body(s: socket.socket, path: str) -> None:
    body = _page("Uzun sahifa", "<p>" + "z" * 5000 + "</p>")
    s.sendall(_head(200, {"Content-Type": "text/html; charset=utf-8",
                          "Content-Length": "120"}) + body)


def _slow_headers(s: socket.socket, path: str) -> None:
    _trickle(s, _head(200, {"Content-Type": "text/html", "X-Padding": "p" * 4000}))


def _slow_body(s: socket.socket, path: str) -> None:
    body = _page("Sekin", "<p>" + "s" * 4000 + "</p>")
    s.sendall(_head(200, {"Content-Type": "text/html; charset=utf-8",
                          "Content-Length": str(len(body))}))
    _trickle(s, body)


def _never(s: socket.socket, path: str) -> None:
    _hold(s)


def _reset_after_head(s: socket.socket, path: str) -> None:
    s.sendall(_head(200, {"Content-Type": "text/html", "Content-Length": "5000"}) + b"<html>")
    time.sleep(0.05)
    _reset(s)


def _redirect(to: str, status: int = 302) -> Handler:
    return lambda s, path: _send(s, status, b"", {"Location": to})


def _chain(s: socket.socket, path: str) -> None:
    n = int(path.rstrip("/").rsplit("/", 1)[-1] or 0) if path.startswith("/hop/") else 0
    _send(s, 302, b"", {"Location": f"/hop/{n + 1}"})


def _loop_pages(s: socket.socket, path: str) -> None:
    """A trap: every page links to ten new pages deeper down, for ever."""
    links = [f"{path.rstrip('/')}/{i}" for i in range(10)]
    _send(s, 200, _page("Tuzoq", "<p>sahifa</p>", links))


def _slow_pages(s: socket.socket, path: str) -> None:
    """Each page answers correctly but 0.6 s late: a crawl of 30 pages outlasts the budget."""
    time.sleep(0.6)
    links = [f"/bolim/{i}" for i in range(60)] if path in ("/", "") else []
    _send(s, 200, _page("Sekin sayt", '<p>Tel: +998 71 200-00-00</p>', links))


def _entity_bomb(s: socket.socket, path: str) -> None:
    ents = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">'
                                     for i in range(1, 10)]
    xml = ('<?xml version="1.0"?><!DOCTYPE urlset [' + "".join(ents) + ']><urlset '
           'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&a9;</loc></url>'
           '</urlset>')
    _send(s, 200, xml.encode(), ctype="application/xml")


def _cyclic_index(s: socket.socket, path: str) -> None:
    base = _CURRENT.base
    xml = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
           f'sitemap/0.9"><sitemap><loc>{base}/sitemap.xml</loc></sitemap><sitemap><loc>'
           f'{base}/sitemap_index.xml</loc></sitemap></sitemapindex>')
    _send(s, 200, xml.encode(), ctype="application/xml")


def _gz_sitemap(s: socket.socket, path: str) -> None:
    _send(s, 200, payload("gzip-sitemap"), ctype="application/gzip")


_gz_sitemap.payload = "gzip-sitemap"


def _cases() -> list[Case]:
    home = lambda s, p: _send(s, 200, _page("Bosh sahifa", "<p>Salom</p>"))  # noqa: E731
    return [
        # time
        Case("slowloris-headers", "every byte of every answer (robots.txt too) 0.25 s apart",
             "timeout", {"*": _slow_headers}),
        Case("slowloris-body", "headers at once, then the body a byte every 0.25 s",
             "timeout", {"/robots.txt": _robots(), "*": _slow_body}),
        Case("never-answers", "accepts, reads the request, never says a word",
             "timeout", {"*": _never}),
        Case("reset", "answers robots.txt, resets every page connection mid-body", "reset",
             {"/robots.txt": _robots(), "*": _reset_after_head}),
        Case("slow-site", "every page correct but 0.6 s late, 60 links from home: the crawl "
             "outlasts the target budget", "", {"/robots.txt": _robots(), "*": _slow_pages}),
        # size
        Case("endless-body", "200 without a length, then 64 KB blocks for ever",
             "too-large", {"/robots.txt": _robots(), "*": _endless}),
        Case("huge-content-length", "Content-Length: 10^12 and a body to match",
             "too-large", {"/robots.txt": _robots(), "*": _huge_declared}),
        Case("short-content-length", "Content-Length ten times the body, then close",
             "reset", {"/robots.txt": _robots(), "*": _short_body}),
        # llhttp (aiohttp's parser) drops such an answer whole: a clear protocol error, where
        # httpx (until issue 14) read the declared 120 bytes; browsers show them
        Case("long-content-length", "Content-Length 120, then 5 KB of body, then close",
             "protocol-error",
             {"/robots.txt": _robots(), "*": _long_body}),
        # bombs
        Case("gzip-bomb", f"{BOMB_MB} MiB of zeros, gzip", "too-large",
             {"/robots.txt": _robots(), "*": _bomb("gzip", "gzip")}),
        Case("deflate-bomb", f"{BOMB_MB} MiB of zeros, zlib deflate", "too-large",
             {"/robots.txt": _robots(), "*": _bomb("deflate", "deflate")}),
        Case("raw-deflate-bomb", f"{BOMB_MB} MiB of zeros, raw deflate as 'deflate'",
             "too-large", {"/robots.txt": _robots(), "*": _bomb("raw-deflate", "deflate")}),
        Case("br-bomb", f"{BOMB_MB // 4} MiB of zeros, brotli", "too-large",
             {"/robots.txt": _robots(), "*": _bomb("br", "br")}, needs="br"),
        Case("zstd-bomb", f"{BOMB_MB // 4} MiB of zeros, zstd", "too-large",
             {"/robots.txt": _robots(), "*": _bomb("zstd", "zstd")}, needs="zstd"),
        Case("stacked-gzip-bomb", "Content-Encoding: gzip, gzip - 1 GiB inside ~1 MB",
             "too-large", {"/robots.txt": _robots(), "*": _bomb("gzip,gzip", "gzip, gzip")}),
        Case("unknown-coding", "Content-Encoding: snappy", "bad-encoding",
             {"/robots.txt": _robots(), "*": lambda s, p: _send(
                 s, 200, _page("x"), {"Content-Encoding": "snappy"})}),
        Case("bogus-gzip", "Content-Encoding: gzip over plain HTML", "bad-encoding",
             {"/robots.txt": _robots(), "*": lambda s, p: _send(
                 s, 200, _page("x"), {"Content-Encoding": "gzip"})}),
        Case("many-codings", "Content-Encoding: gzip x6", "bad-encoding",
             {"/robots.txt": _robots(), "*": lambda s, p: _send(
                 s, 200, _page("x"), {"Content-Encoding": ", ".join(["gzip"] * 6)})}),
        # redirects
        Case("redirect-loop", "/ -> /a -> / ...", "redirect-loop",
             {"/robots.txt": _robots(), "/a": _redirect("/"), "*": _redirect("/a")}),
        Case("redirect-chain", "an endless chain of new URLs", "too-many-redirects",
             {"/robots.txt": _robots(), "*": _chain}),
        Case("redirect-to-file", "302 to file:///etc/passwd", "bad-url",
             {"/robots.txt": _robots(), "*": _redirect("file:///etc/passwd")}),
        # types and charsets
        Case("wrong-type", "an HTML page served as application/octet-stream", "not-html",
             {"/robots.txt": _robots(), "*": lambda s, p: _send(
                 s, 200, _page("x"), ctype="application/octet-stream")}),
        Case("binary-as-html", "random bytes served as text/html", "",
             {"/robots.txt": _robots(), "*": lambda s, p: _send(
                 s, 200, bytes(range(256)) * 64)}),
        Case("bogus-charset", "charset=x-no-such-charset, invalid UTF-8 inside", "",
             {"/robots.txt": _robots(), "*": lambda s, p: _send(
                 s, 200, _page("Ўзбекистон").replace(b"<p>", b"<p>\xff\xfe\xc3("),
                 ctype="text/html; charset=x-no-such-charset")}),
        # robots.txt and sitemaps
        Case("robots-bom", "robots.txt with a UTF-8 BOM before 'User-agent: *' / "
             "'Disallow: /maxfiy'", "", {
                 "/robots.txt": _robots(b"\xef\xbb\xbfUser-agent: *\nDisallow: /maxfiy\n"
                                        b"Sitemap: /sitemap.xml\n"),
                 "/": lambda s, p: _send(s, 200, _page("Bosh", "", ["/maxfiy/hujjat",
                                                                    "/ochiq"])),
                 "*": home}),
        Case("robots-disallow-all", "Disallow: / with Sitemap: lines", "blocked-by-robots", {
            "/robots.txt": _robots(b"User-agent: *\nDisallow: /\n\n"
                                   b"Sitemap: /sitemap.xml\nSitemap: /news-sitemap.xml\n"),
            "*": home}),
        Case("robots-crawl-delay", "Crawl-delay: 1", "", {
            "/robots.txt": _robots(b"User-agent: *\nCrawl-delay: 1\nDisallow: /no\n"),
            "/": lambda s, p: _send(s, 200, _page("Bosh", "", [f"/p{i}" for i in range(3)])),
            "*": home}),
        Case("robots-endless", "robots.txt streams for ever", "", {
            "/robots.txt": _endless, "*": home}),
        Case("robots-gzip-bomb", "robots.txt is a gzip bomb", "", {
            "/robots.txt": _bomb("gzip", "gzip", "text/plain"), "*": home}),
        Case("robots-redirect-loop", "robots.txt redirects to itself", "", {
            "/robots.txt": _redirect("/robots.txt"), "*": home}),
        Case("sitemap-entity-bomb", "sitemap.xml with a billion-laughs DOCTYPE", "", {
            "/robots.txt": _robots(NO_ROBOTS + b"Sitemap: /sitemap.xml\n"),
            "/sitemap.xml": _entity_bomb, "*": home}),
        Case("sitemap-gzip-bomb", "sitemap.xml.gz that unpacks to 1 GiB", "", {
            "/robots.txt": _robots(NO_ROBOTS + b"Sitemap: /sitemap.xml.gz\n"),
            "/sitemap.xml.gz": _gz_sitemap,
            "*": home}),
        Case("sitemap-cyclic-index", "sitemap indexes naming each other", "", {
            "/robots.txt": _robots(NO_ROBOTS + b"Sitemap: /sitemap.xml\n"),
            "/sitemap.xml": _cyclic_index, "/sitemap_index.xml": _cyclic_index, "*": home}),
        # traps
        Case("link-trap", "every page links to ten new pages one level deeper", "", {
            "/robots.txt": _robots(), "*": _loop_pages}),
    ]


CASES: tuple[Case, ...] = tuple(_cases())
BY_NAME = {c.name: c for c in CASES}


class _Server:
    def __init__(self, case: Case):
        self.case = case
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.paths: list[tuple[float, str]] = []
        self.stopped = False

    def serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket):
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk or data[:1] == b"\x16" or chunk[:1] == b"\x16":
                    return  # closed, or a TLS handshake: this farm speaks plain HTTP only
                data += chunk
                if len(data) > 65536:
                    return
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split(" ")
            path = parts[1] if len(parts) > 1 else "/"
            self.paths.append((time.monotonic(), path))
            conn.settimeout(MAX_TRICKLE + 5)
            _CURRENT.base = f"http://{HostileFarm.host(self.case.name)}:{self.port}"
            routes = self.case.routes
            handler = routes.get(path.split("?", 1)[0]) or routes["*"]
            handler(conn, path)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def stop(self):
        self.stopped = True
        try:
            self.sock.close()
        except OSError:
            pass


class HostileFarm:
    """Every case of ``CASES`` on its own loopback port (see the module doc)."""

    def __init__(self, names: list[str] | None = None):
        self.cases = [c for c in CASES if names is None or c.name in names]
        self.servers: dict[str, _Server] = {}

    def start(self) -> "HostileFarm":
        for c in self.cases:
            if c.needs and not available(c.needs):
                continue
            for h in c.routes.values():  # build the bombs first: no late first answer
                if getattr(h, "payload", None):
                    payload(h.payload)
            srv = _Server(c)
            threading.Thread(target=srv.serve, daemon=True).start()
            self.servers[c.name] = srv
        return self

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.stop()

    @staticmethod
    def host(name: str) -> str:
        """The case's host name: one per case, so that per-host politeness (2 in flight,
        one pool) is per case as it would be per site; reached through ``resolve``."""
        return f"{name}.hostile.test"

    @property
    def resolve(self) -> dict[str, str]:
        """host name -> 127.0.0.1 for every case (``FetchConfig.resolve``, ``--resolve``)."""
        return {self.host(n): "127.0.0.1" for n in self.servers}

    def url(self, name: str, path: str = "/") -> str:
        return f"http://{self.host(name)}:{self.servers[name].port}{path}"

    def requests(self, name: str, since: float = 0.0) -> list[str]:
        return [p for t, p in self.servers[name].paths if t >= since]

    def request_times(self, name: str, since: float = 0.0) -> list[tuple[float, str]]:
        return [(t, p) for t, p in self.servers[name].paths if t >= since]

    def targets_toml(self) -> str:
        """A targets file with one target per case (ids are the case names)."""
        out = []
        for name in self.servers:
            out.append(f'[[target]]\nid = "{name}"\nlevel = "district"\n'
                       f'start_url = "{self.url(name)}"\n')
        return "\n".join(out)

    def __enter__(self) -> "HostileFarm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
