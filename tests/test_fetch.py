"""The fetcher against the farm's hostile servers: every failure cause, robots, politeness,
retries, decoding, redirects, the SSRF guard."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from crawler.causes import Cause
from crawler.farm.sites import broken
from crawler.fetch import guard as fetch_guard
from crawler.fetch import Fetcher, FetchConfig, detect_encoding, failure_of, is_public_address


def cfg(farm, **kw) -> FetchConfig:
    base = dict(allow_private=True, ca_bundle=str(farm.ca_pem),
                resolve={**farm.resolve, **broken.RESOLVE}, per_host_delay=0.0,
                retries=2, backoff=0.05)
    base.update(kw)
    return FetchConfig(**base)


def B(farm, path: str, host: str = "broken.test") -> str:
    return f"http://{host}:{farm.port('no-redirect')}{path}"


def run(coro):
    return asyncio.run(coro)


async def _get(farm, url, conf=None, **kw):
    async with Fetcher(conf or cfg(farm)) as f:
        return await f.fetch(url, **kw)


def test_plain_page_and_address(farm):
    r = run(_get(farm, B(farm, "/ok")))
    assert r.error is None and r.status == 200 and r.ok
    assert "<h1>OK</h1>" in r.text and r.ip == "127.0.0.1" and r.redirects == []


def test_https_records_tls_facts(farm):
    r = run(_get(farm, farm.host_url("gov.test", "/oz/buxoro")))
    assert r.ok and r.tls is not None and r.tls.verified
    assert r.tls.version.startswith("TLS") and r.tls.not_after > r.tls.not_before
    assert "gov.test" in r.tls.sans


@pytest.mark.parametrize("profile,message", [
    ("expired", "expired"), ("self-signed", "issuer"), ("wrong-host", "mismatch")])
def test_tls_invalid(farm, profile, message):
    r = run(_get(farm, farm.url(profile, "/")))
    assert r.error is not None and r.error.cause == Cause.TLS_INVALID
    assert message in r.error.detail.lower()
    # the served certificate is read anyway (non-verifying second handshake)
    assert r.tls is not None and not r.tls.verified and r.tls.not_after


def test_http_redirect_hops_recorded(farm):
    r = run(_get(farm, farm.url("main", "/oz/buxoro", scheme="http")))
    assert r.ok and r.url.startswith("https://")
    assert [h.status for h in r.redirects] == [301]
    assert r.redirects[0].location.startswith("https://")


def test_redirect_loop_and_too_many(farm):
    loop = run(_get(farm, B(farm, "/loop/a")))
    assert loop.error.cause == Cause.REDIRECT_LOOP and len(loop.redirects) == 2
    self_loop = run(_get(farm, B(farm, "/self")))
    assert self_loop.error.cause == Cause.REDIRECT_LOOP
    many = run(_get(farm, B(farm, "/chain/15")))
    assert many.error.cause == Cause.TOO_MANY_REDIRECTS and len(many.redirects) == 11
    fine = run(_get(farm, B(farm, "/chain/3")))
    assert fine.ok and len(fine.redirects) == 3 and fine.url.endswith("/chain/0")
    nofollow = run(_get(farm, B(farm, "/chain/3"), follow_redirects=False))
    assert nofollow.status == 302 and nofollow.error is None


def test_too_large_streamed_and_declared(farm):
    conf = cfg(farm, max_body=1024 * 1024)
    r = run(_get(farm, B(farm, "/big"), conf))
    assert r.error.cause == Cause.TOO_LARGE and r.truncated
    assert len(r.body) == 1024 * 1024
    r2 = run(_get(farm, B(farm, "/big-declared"), conf))
    assert r2.error.cause == Cause.TOO_LARGE and r2.truncated
    small = run(_get(farm, B(farm, "/ok"), conf))
    assert small.error is None and not small.truncated


def test_reset_refused_dns_timeout(farm):
    conf = cfg(farm, read_timeout=0.5, retries=0)
    assert run(_get(farm, B(farm, "/reset"), conf)).error.cause == Cause.RESET
    refused = run(_get(farm, f"http://127.0.0.1:{farm.closed_port()}/", conf))
    assert refused.error.cause == Cause.REFUSED
    dns = run(_get(farm, "http://no-such-host.invalid/", conf))
    assert dns.error.cause == Cause.DNS
    t0 = time.monotonic()
    hang = run(_get(farm, B(farm, "/hang"), conf))
    assert hang.error.cause == Cause.TIMEOUT and time.monotonic() - t0 < 5


def test_total_timeout(farm):
    conf = cfg(farm, total_timeout=0.1, retries=0)
    r = run(_get(farm, B(farm, "/slow"), conf))
    assert r.error.cause == Cause.TIMEOUT and "total" in r.error.detail


def test_bad_url(farm):
    assert run(_get(farm, "ftp://example.uz/x")).error.cause == Cause.BAD_URL


def test_protocol_error():
    """A server that answers with garbage instead of HTTP."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    port = srv.getsockname()[1]

    def serve():
        for _ in range(3):
            try:
                c, _ = srv.accept()
            except OSError:
                return
            c.recv(4096)
            c.sendall(b"HELLO THERE\r\nthis is not http\r\n\r\n")
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        conf = FetchConfig(allow_private=True, per_host_delay=0, retries=0, obey_robots=False)
        r = asyncio.run(_get(None, f"http://127.0.0.1:{port}/", conf))
        assert r.error.cause == Cause.PROTOCOL
    finally:
        srv.close()


def test_not_html_only_when_asked(farm):
    r = run(_get(farm, B(farm, "/pdf"), html_only=True))
    assert r.error.cause == Cause.NOT_HTML and r.body == b""
    r2 = run(_get(farm, B(farm, "/pdf")))
    assert r2.error is None and r2.body.startswith(b"%PDF")


def test_http_error_statuses_are_answers(farm):
    r = run(_get(farm, B(farm, "/status/404")))
    assert r.error is None and r.status == 404 and "Topilmadi" in r.text
    assert failure_of(r).cause == Cause.HTTP_ERROR
    assert failure_of(run(_get(farm, B(farm, "/status/403")))).cause == Cause.BLOCKED_BOT
    assert failure_of(run(_get(farm, B(farm, "/ok")))) is None


def test_robots_disallow(farm):
    async def go():
        async with Fetcher(cfg(farm)) as f:
            a = await f.fetch(B(farm, "/private/page"))
            b = await f.fetch(B(farm, "/to-disallowed"))
            c = await f.fetch(B(farm, "/private/page"), robots=False)
            d = await f.fetch(B(farm, "/ok"))
            return a, b, c, d

    a, b, c, d = run(go())
    assert a.error.cause == Cause.ROBOTS
    assert b.error.cause == Cause.ROBOTS and len(b.redirects) == 1  # a hop into /private
    assert c.ok and d.ok
    # not obeying robots is a configuration choice
    assert run(_get(farm, B(farm, "/private/page"), cfg(farm, obey_robots=False))).ok


def test_robots_5xx_disallows_everything(farm):
    r = run(_get(farm, B(farm, "/anything", host="robots5xx.test")))
    assert r.error.cause == Cause.ROBOTS and "503" in r.error.detail


def test_robots_fetched_once_per_origin(farm):
    async def go():
        async with Fetcher(cfg(farm)) as f:
            await asyncio.gather(*(f.fetch(B(farm, f"/ok?r={i}")) for i in range(6)))

    before = len([x for x in farm.requests_to("broken.test") if x[3] == "/robots.txt"])
    run(go())
    after = len([x for x in farm.requests_to("broken.test") if x[3] == "/robots.txt"])
    assert after - before == 1


def test_crawl_delay_honoured(farm):
    async def go():
        async with Fetcher(cfg(farm, per_host_delay=0.0)) as f:
            await asyncio.gather(*(f.fetch(B(farm, f"/p{i}", host="slowbot.test"))
                                   for i in range(3)))
            return f.host_delay("slowbot.test")

    t0 = time.monotonic()
    delay = run(go())
    assert delay == 1.0
    starts = sorted(t for t, m, h, p, n in farm.requests_to("slowbot.test")
                    if t >= t0 and p.startswith("/p"))
    assert len(starts) == 3
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.8 and starts[-1] - starts[0] >= 1.9, gaps


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_per_host_concurrency_limit(farm, limit):
    async def go():
        async with Fetcher(cfg(farm, per_host_concurrency=limit)) as f:
            await f.fetch(B(farm, "/ok"))  # robots first
            broken.HELD.reset()
            return await asyncio.gather(*(f.fetch(B(farm, f"/held?c={limit}-{i}"))
                                          for i in range(7)))

    rs = run(go())
    assert all(r.ok for r in rs)
    assert broken.HELD.total == 7
    assert broken.HELD.max == limit  # reached, and never more


def test_global_concurrency_limit(farm):
    async def go():
        async with Fetcher(cfg(farm, per_host_concurrency=8, global_concurrency=2)) as f:
            await f.fetch(B(farm, "/ok"))
            broken.HELD.reset()
            return await asyncio.gather(*(f.fetch(B(farm, f"/held?g={i}")) for i in range(6)))

    assert all(r.ok for r in run(go()))
    assert broken.HELD.max == 2


def test_per_host_delay_spaces_request_starts(farm, monkeypatch):
    from crawler.fetch import politeness

    turns: list[float] = []  # when each request was let go, as the fetcher paced it
    real = politeness.HostState.wait_turn

    async def paced(self):
        await real(self)
        turns.append(time.monotonic())

    monkeypatch.setattr(politeness.HostState, "wait_turn", paced)

    async def go():
        async with Fetcher(cfg(farm, per_host_delay=0.2, per_host_concurrency=4)) as f:
            await f.fetch(B(farm, "/ok"))
            t0 = time.monotonic()
            await asyncio.gather(*(f.fetch(B(farm, f"/ok?d={i}")) for i in range(5)))
            return t0

    t0 = run(go())
    mine = [t for t in turns if t >= t0]
    assert len(mine) == 5
    assert min(b - a for a, b in zip(mine, mine[1:])) >= 0.19  # the client's pacing: exact
    # what the server saw: five arrivals over at least four delays. Single gaps are not
    # asserted: an arrival can trail its start by a scheduling delay of a loaded machine
    # (CI once saw 0.40 s then 0.02 s for two starts 0.2 s apart each)
    starts = sorted(t for t, m, h, p, n in farm.requests_to("broken.test")
                    if t >= t0 and p.startswith("/ok?d="))
    assert len(starts) == 5 and starts[-1] - starts[0] >= 0.75, starts


def test_retry_after_429_and_503(farm):
    t0 = time.monotonic()
    r = run(_get(farm, B(farm, f"/retry429?t={t0}")))
    assert r.ok and time.monotonic() - t0 >= 0.95
    r2 = run(_get(farm, B(farm, f"/retry503?t={t0}")))
    assert r2.ok
    n = len([x for x in farm.requests_to("broken.test") if x[3] == f"/retry503?t={t0}"])
    assert n == 3
    # no retries allowed: the 429 is the answer
    r3 = run(_get(farm, B(farm, f"/retry429?t={t0}x"), cfg(farm, retries=0)))
    assert r3.status == 429 and failure_of(r3).cause == Cause.BLOCKED_BOT
    # a Retry-After longer than the cap is not waited for: one request, no wait (the bound
    # is loose: a loaded 2-core machine takes seconds to start a fetcher)
    t1 = time.monotonic()
    r4 = run(_get(farm, B(farm, f"/always503?t={t1}")))
    assert r4.status == 503 and time.monotonic() - t1 < 10
    assert len([x for x in farm.requests_to("broken.test") if x[3] == f"/always503?t={t1}"]) == 1


@pytest.mark.parametrize("path", ["/cp1251-header", "/cp1251-meta", "/cp1251-bare"])
def test_windows_1251_decoded(farm, path):
    r = run(_get(farm, B(farm, path)))
    assert r.encoding == "windows-1251"
    assert "Хокимият Бухарской области" in r.text and "\ufffd" not in r.text


def test_bom_wins_over_header(farm):
    r = run(_get(farm, B(farm, "/utf8-bom")))
    assert r.encoding == "utf-8" and "Ўзбекистон" in r.text


def test_detect_encoding_unit():
    assert detect_encoding("Привет мир".encode("utf-8"), "text/html") == "utf-8"
    assert detect_encoding(b"<meta charset='koi8-r'>", "text/html") == "koi8-r"
    assert detect_encoding(b"x", "text/html; charset=ISO-8859-1") == "windows-1252"


def test_ssrf_guard_refuses_private_without_allow_private(farm):
    conf = cfg(farm, allow_private=False)
    r = run(_get(farm, farm.host_url("gov.test", "/oz/buxoro"), conf))
    assert r.error.cause == Cause.PRIVATE_ADDRESS
    assert run(_get(farm, "http://169.254.169.254/latest/", conf)).error.cause == \
        Cause.PRIVATE_ADDRESS
    assert run(_get(farm, "http://[::1]:8080/", conf)).error.cause == Cause.PRIVATE_ADDRESS


def test_ssrf_guard_checks_every_redirect_hop(farm, monkeypatch):
    """Pretend 127.0.0.1 is public: the farm page redirects to a metadata address."""
    real = fetch_guard.is_public_address
    monkeypatch.setattr(fetch_guard, "is_public_address",
                        lambda ip: ip == "127.0.0.1" or real(ip))
    r = run(_get(farm, B(farm, "/to-metadata"), cfg(farm, allow_private=False)))
    assert r.error.cause == Cause.PRIVATE_ADDRESS and "169.254.169.254" in r.error.detail
    assert len(r.redirects) == 1 and r.redirects[0].status == 302


@pytest.mark.parametrize("ip,public", [
    ("8.8.8.8", True), ("195.158.1.1", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("192.168.0.1", False), ("172.16.5.5", False), ("169.254.169.254", False),
    ("100.64.0.1", False), ("224.0.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fd00:ec2::254", False), ("fe80::1", False), ("::ffff:10.0.0.1", False),
    ("2001:4860:4860::8888", True)])
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


def test_unresolvable_host_fails_fast_after_first_lookup():
    """A scan behind a firewall: the second request to a name that did not resolve does not
    queue behind the host's politeness delay."""
    import time as _t

    from crawler.fetch import FetchConfig, Fetcher

    async def go():
        async with Fetcher(FetchConfig(per_host_delay=2.0, retries=0)) as f:
            first = await f.fetch("https://nothing-here.invalid/")
            t0 = _t.monotonic()
            rest = await asyncio.gather(*(f.fetch(f"https://nothing-here.invalid/{i}")
                                          for i in range(5)))
            return first, rest, _t.monotonic() - t0

    first, rest, took = asyncio.run(go())
    assert first.error.cause == "dns"
    assert all(r.error.cause == "dns" for r in rest)
    assert took < 1.0


def test_refused_port_is_given_up_but_not_its_neighbours(farm):
    from crawler.fetch import FetchConfig, Fetcher

    closed = f"https://127.0.0.1:{farm.closed_port()}/"

    async def go():
        cfg = FetchConfig(per_host_delay=0.0, retries=0, allow_private=True,
                          ca_bundle=str(farm.ca_pem))
        async with Fetcher(cfg) as f:
            dead = [await f.fetch(closed + str(i)) for i in range(6)]
            alive = await f.fetch(farm.url("main", "/oz/buxoro"))
            return dead, alive

    dead, alive = asyncio.run(go())
    assert all(r.error.cause == "refused" for r in dead)
    assert "given up" in dead[-1].error.detail
    assert alive.ok  # another port of the same address is not affected


# --- content codings (crawler.fetch.decoding): every coding, stacked, split anywhere ----------

def _encoded():
    import gzip
    import zlib

    from crawler.fetch.decoding import supported_codings

    data = ("<p>Oʻzbekiston Respublikasi — Ўзбекистон Республикаси</p>\n" * 3000).encode()
    out = [("gzip", gzip.compress(data)), ("x-gzip", gzip.compress(data)),
           ("deflate", zlib.compress(data)),
           ("deflate", zlib.compress(data)[2:-4]),  # raw deflate sent as "deflate"
           ("gzip", gzip.compress(data[:1000]) + gzip.compress(data[1000:])),  # two members
           ("identity", data), ("", data), ("gzip, deflate", zlib.compress(gzip.compress(data)))]
    if "br" in supported_codings():
        import brotli

        out += [("br", brotli.compress(data)), ("gzip, br", brotli.compress(gzip.compress(data)))]
    if "zstd" in supported_codings():
        import zstandard

        out.append(("zstd", zstandard.ZstdCompressor().compress(data)))
    return data, out


@pytest.mark.parametrize("step", [1, 7, 4096, 1 << 20])
def test_every_coding_decodes_whatever_the_chunking(step):
    from crawler.fetch.decoding import BodyDecoder

    data, cases = _encoded()
    for coding, enc in cases:
        if step == 1 and len(enc) > 20_000:
            continue  # byte by byte only for the small ones (the stream logic, not speed)
        d = BodyDecoder(coding, 8 * 1024 * 1024)
        for i in range(0, len(enc), step):
            d.feed(enc[i:i + step])
        assert d.finish() == data, coding


def test_decoding_caps_decoded_bytes_and_names_bad_codings():
    import gzip

    from crawler.fetch.decoding import BodyDecoder, DecodingError, TooLarge

    bomb = gzip.compress(bytes(1 << 20), 9) * 64  # 64 MiB of zeros in ~64 KB
    d = BodyDecoder("gzip", 1 << 20)
    with pytest.raises(TooLarge) as exc:
        d.feed(bomb)
    assert len(exc.value.partial) == 1 << 20
    with pytest.raises(DecodingError, match="unknown content coding 'compress'"):
        BodyDecoder("compress", 100)
    with pytest.raises(DecodingError, match="stacked"):
        BodyDecoder("gzip, gzip, gzip, gzip, gzip", 100)
    with pytest.raises(DecodingError, match="corrupt"):
        BodyDecoder("gzip", 100).feed(b"<html>not gzip</html>")
    cut = BodyDecoder("gzip", 1 << 20)
    cut.feed(gzip.compress(b"x" * 5000)[:-10])
    with pytest.raises(DecodingError, match="ends before"):
        cut.finish()
    # junk after the last gzip member is ignored, as browsers do
    tail = BodyDecoder("gzip", 1 << 20)
    tail.feed(gzip.compress(b"ok") + b"\r\n")
    assert tail.finish() == b"ok"


def test_hermetic_guard_refuses_real_names():
    """tests/conftest.py: in the test process a real name never reaches DNS, and the test
    that asks is failed; reserved test names just do not resolve."""
    import conftest

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("gov.uz", 443)
    assert conftest._looked_up == ["gov.uz"]
    conftest._looked_up.clear()  # this test asked on purpose
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("no-such-host.invalid", 80)
    assert conftest._looked_up == []
    assert socket.getaddrinfo("127.0.0.1", 80)
