"""The site farm: small realistic sites served on loopback, for the tests and ``govscan demo``.

One ``Farm`` runs a few *servers* (one port each). Every port speaks both plain HTTP and
HTTPS - the first byte of a connection tells which (0x16 starts a TLS handshake) - so
``http://127.0.0.1:P/`` and ``https://127.0.0.1:P/`` behave like ports 80 and 443 of one
real host. Each server has a *profile*: which certificate it presents (valid from the farm's
trustme CA, expired, self-signed, for the wrong host name), what plain HTTP does (301/302
to https, or serve the page) and which HSTS header it sends.

Requests are routed by (Host, path) to the sites in ``crawler/farm/sites/``; a request to
``127.0.0.1`` goes to the profile's default host. Host names like ``gov.test`` reach the farm
through a resolve map (``farm.resolve``; the CLI's ``--resolve``, Chromium's
``--host-resolver-rules``), never through DNS.

The farm records every request (time, host, path, how many were in flight to that host), so
tests can assert politeness ("never more than 2 in flight to one host").
"""

from __future__ import annotations

import datetime as dt
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import trustme

FARM_HOSTS = ("gov.test", "www.gov.test", "my.gov.test", "www.my.gov.test", "legacy.test",
              "www.legacy.test", "buxoro-old.test", "localhost")


@dataclass
class Request:
    method: str
    host: str  # without port
    path: str  # path + query
    headers: dict[str, str]
    body: bytes
    scheme: str  # http | https
    port: int

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> str:
        return urlsplit(self.path).query


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering (slow servers, politeness tests)
    action: str = ""  # "reset" = close the socket without answering; "hang" = never answer
    chunks: int = 0  # stream the body in this many pieces (huge pages)


Handler = Callable[[Request], Reply]


@dataclass
class Profile:
    """How one farm port behaves at the TLS/HTTP level."""

    name: str
    cert: str = "valid"  # valid | expired | self-signed | wrong-host | none
    http: str = "redirect-301"  # redirect-301 | redirect-302 | serve | refuse
    hsts: str | tuple[str, ...] = "max-age=31536000; includeSubDomains"  # "" = none
    default_host: str = "gov.test"
    # i14-https (crawler/farm/tls_hosts.py): the protocol/ciphers served (modern | tls1.0 |
    # tls1.1 | rsa-kex), what https does (serve | redirect-http); a tuple ``hsts`` is sent
    # as that many header fields; certs self-signed-leaf | no-subject | rsa too
    tls: str = "modern"
    https: str = "serve"


DEFAULT_PROFILES = (
    Profile("main"),
    Profile("no-redirect", http="serve"),
    Profile("redirect-302", http="redirect-302"),
    Profile("weak-hsts", hsts="max-age=300"),
    Profile("no-hsts", hsts=""),
    Profile("expired", cert="expired"),
    Profile("self-signed", cert="self-signed"),
    Profile("wrong-host", cert="wrong-host"),
    Profile("http-only", cert="none", http="serve", hsts=""),
)


class Routes:
    """(host, path) -> handler. Exact paths first, then the longest prefix route."""

    def __init__(self):
        self.exact: dict[tuple[str, str], Handler] = {}
        self.prefix: list[tuple[str, str, Handler]] = []

    def add(self, host: str, path: str, handler: Handler, prefix: bool = False):
        if prefix:
            self.prefix.append((host, path, handler))
            self.prefix.sort(key=lambda r: -len(r[1]))
        else:
            self.exact[(host, path)] = handler

    def page(self, host: str, path: str, html: str | bytes, **kw):
        """Serve a fixed document at ``host`` + ``path``."""
        reply = Reply(body=html, **kw)
        self.add(host, path, lambda req: reply)

    def find(self, host: str, path: str) -> Handler | None:
        h = self.exact.get((host, path))
        if h is None and path.endswith("/") and len(path) > 1:
            h = self.exact.get((host, path.rstrip("/")))
        if h is not None:
            return h
        for rhost, rpath, handler in self.prefix:
            if rhost == host and path.startswith(rpath):
                return handler
        return None


class _Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.log: list[tuple[float, str, str, str, int]] = []  # t, method, host, path, inflight

    def enter(self, method, host, path) -> None:
        with self.lock:
            n = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = n
            self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), n)
            self.log.append((time.monotonic(), method, host, path, n))

    def leave(self, host) -> None:
        with self.lock:
            self.in_flight[host] -= 1


class _FarmHTTPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, farm: "Farm", profile: Profile, ssl_ctx: ssl.SSLContext | None):
        self.farm, self.profile, self.ssl_ctx = farm, profile, ssl_ctx
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request, client_address):
        """In the worker thread: sniff the first byte, wrap in TLS when it is a handshake."""
        sock = request
        sock.settimeout(10)
        scheme = "http"
        try:
            first = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first == b"\x16":
            if self.ssl_ctx is None:
                return  # an http-only port: the TLS client sees the connection dropped
            try:
                sock = self.ssl_ctx.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                return
            scheme = "https"
        try:
            self.RequestHandlerClass(sock, (client_address, scheme), self)
        finally:
            if sock is not request:
                try:
                    sock.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):  # quiet: clients hang up on purpose
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _FarmHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "govscan-farm/1"

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    def _serve(self, method: str):
        farm, profile = self.server.farm, self.server.profile
        scheme = self.client_address[1]
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if host in ("127.0.0.1", "", "::1"):
            host = profile.default_host
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(method, host, self.path, {k.lower(): v for k, v in self.headers.items()},
                      body, scheme, self.server.server_address[1])
        farm.stats.enter(method, host, self.path)
        try:
            if scheme == "http" and profile.http == "refuse":
                self.close_connection = True
                return
            if scheme == "https" and profile.https == "redirect-http":  # i14-https
                hostport = self.headers.get("Host") or f"127.0.0.1:{req.port}"
                self._send(req, Reply(301, b"", {"Location": f"http://{hostport}{self.path}"}))
                return
            if scheme == "http" and profile.http.startswith("redirect") and \
                    not self.path.startswith("/.well-known/"):
                code = 302 if profile.http == "redirect-302" else 301
                hostport = self.headers.get("Host") or f"127.0.0.1:{req.port}"
                self._send(req, Reply(code, b"", {"Location": f"https://{hostport}{self.path}"}))
                return
            handler = farm.routes.find(host, req.path_only)
            reply = handler(req) if handler else Reply(404, farm.not_found_html)
            self._send(req, reply)
        finally:
            farm.stats.leave(host)

    def _send(self, req: Request, reply: Reply):
        if reply.delay:
            time.sleep(reply.delay)
        if reply.action == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            return
        if reply.action == "hang":
            time.sleep(30)
            self.close_connection = True
            return
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        self.send_response(reply.status)
        headers = {"Content-Type": reply.content_type, **reply.headers}
        if req.scheme == "https" and self.server.profile.hsts and \
                "Strict-Transport-Security" not in headers:
            headers["Strict-Transport-Security"] = self.server.profile.hsts
        headers.setdefault("Content-Length", str(len(body)))
        for k, v in headers.items():
            for one in (v if isinstance(v, tuple) else (v,)):  # i14-https: repeated fields
                if one is not None:
                    self.send_header(k, one)
        self.end_headers()
        if req.method == "HEAD":
            return
        try:
            if reply.chunks:
                step = max(1, len(body) // reply.chunks)
                for i in range(0, len(body), step):
                    self.wfile.write(body[i:i + step])
            else:
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def do_GET(self):
        self._serve("GET")

    def do_HEAD(self):
        self._serve("HEAD")

    def do_POST(self):
        self._serve("POST")


class Farm:
    """Start with ``with Farm() as farm:``; ``farm.url("main", "/oz/buxoro")``."""

    def __init__(self, workdir: str | Path | None = None, profiles=DEFAULT_PROFILES,
                 sites: bool = True):
        import tempfile

        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="govscan-farm-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.profiles = {p.name: p for p in profiles}
        self.routes = Routes()
        self.stats = _Stats()
        self.servers: dict[str, _FarmHTTPServer] = {}
        self.not_found_html = ("<!doctype html><html lang=en><head><title>404</title></head>"
                               "<body><h1>Not found</h1></body></html>")
        self._make_certs()
        if sites:
            from . import sites as sites_pkg

            sites_pkg.install_all(self)

    # --- certificates -------------------------------------------------------------------
    def _make_certs(self):
        self.ca = trustme.CA(organization_name="govscan farm CA")
        self.ca_pem = self.workdir / "farm-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem))
        now = dt.datetime.now(dt.timezone.utc)
        ids = ("127.0.0.1",) + FARM_HOSTS
        self._leafs = {
            "valid": self.ca.issue_cert(*ids, not_before=now - dt.timedelta(days=30),
                                        not_after=now + dt.timedelta(days=300)),
            "expired": self.ca.issue_cert(*ids, not_before=now - dt.timedelta(days=400),
                                          not_after=now - dt.timedelta(days=5)),
            "wrong-host": self.ca.issue_cert("other.example", "www.other.example"),
            "self-signed": trustme.CA(organization_name="self").issue_cert(*ids),
        }
        self._tls_ids = ids  # i14-https: the TLS hosts' certificates, made on first use

    def _leaf(self, kind: str):
        if kind not in self._leafs:  # i14-https
            from .tls_hosts import make_leafs

            self._leafs.update(make_leafs(self.ca, self.workdir, self._tls_ids))
        return self._leafs[kind]

    def _ssl_ctx(self, kind: str, tls: str = "modern") -> ssl.SSLContext | None:
        if kind == "none":
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_alpn_protocols(["http/1.1"])
        self._leaf(kind).configure_cert(ctx)
        if tls != "modern":  # i14-https
            from .tls_hosts import apply_tls

            apply_tls(ctx, tls)
        return ctx

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> "Farm":
        for name, prof in self.profiles.items():
            srv = _FarmHTTPServer(self, prof, self._ssl_ctx(prof.cert, prof.tls))
            threading.Thread(target=srv.serve_forever, name=f"farm-{name}",
                             daemon=True).start()
            self.servers[name] = srv
        return self

    def stop(self):
        for srv in self.servers.values():
            srv.shutdown()
            srv.server_close()
        self.servers.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- addressing ---------------------------------------------------------------------
    def port(self, profile: str = "main") -> int:
        return self.servers[profile].server_address[1]

    def url(self, profile: str = "main", path: str = "/", host: str = "127.0.0.1",
            scheme: str = "https") -> str:
        return f"{scheme}://{host}:{self.port(profile)}{path}"

    def host_url(self, host: str, path: str = "/", scheme: str = "https",
                 profile: str = "main") -> str:
        """URL on a farm host name (needs ``resolve``), e.g. ``https://gov.test:PORT/oz/x``."""
        return self.url(profile, path, host, scheme)

    @property
    def resolve(self) -> dict[str, str]:
        """Host name -> address map for every farm host (for the fetcher and Chromium)."""
        return {h: "127.0.0.1" for h in FARM_HOSTS if h != "localhost"}

    def closed_port(self) -> int:
        """A loopback port where nothing listens (connection refused)."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def requests_to(self, host: str) -> list[tuple[float, str, str, str, int]]:
        return [r for r in self.stats.log if r[2] == host]
