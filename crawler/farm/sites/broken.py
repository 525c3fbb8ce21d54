"""Hostile and awkward servers, for the crawler's own tests (served over plain http; reach
them through a resolve map that adds these names, e.g. ``{**farm.resolve, **broken.RESOLVE}``,
on the ``no-redirect`` port).

* ``broken.test``: one path per failure - a 10 MB page, a reset, a hang, a redirect loop, a
  15-hop chain, a PDF, 404/500, 429 and 503 with ``Retry-After`` (then fine), windows-1251
  pages declared three ways (header, ``<meta>``, nothing), a redirect to a metadata address.
  robots.txt disallows ``/private``.
* ``slowbot.test``: robots.txt asks ``Crawl-delay: 1``.
* ``robots5xx.test``: robots.txt answers 503 (RFC 9309: disallow everything).
* ``crawl.test``: a section ``/site`` of a bigger host - evidence pages (contacts, appeals,
  sitemap, search, FAQ) in the four language forms, news, and traps: an endless calendar,
  a query-string explosion, session ids in links, repeating path segments, very long URLs,
  links out of scope (another section, other hosts) and a robots-disallowed page.
"""

from __future__ import annotations

import threading

from ..server import Reply
from ._html import esc, page, paragraphs

HOSTS = ("broken.test", "slowbot.test", "robots5xx.test", "crawl.test", "maps.test")
RESOLVE = {h: "127.0.0.1" for h in HOSTS} | {"metadata.test": "169.254.169.254"}

RU_1251 = ("Хокимият Бухарской области. Обращения граждан принимаются ежедневно. "
           "Телефон доверия: (65) 222-22-22. Карта сайта, поиск, контакты.")

_counts: dict[str, int] = {}
_lock = threading.Lock()


def _nth(req) -> int:
    """How many times this exact path+query was requested (1 = first time)."""
    with _lock:
        _counts[req.path] = _counts.get(req.path, 0) + 1
        return _counts[req.path]


class Held:
    """Counts requests *inside* the handler of ``/held`` (the farm's own in-flight counter
    also covers the time after the response bytes were sent, so it can see one more)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.max = 0
        self.total = 0

    def reset(self):
        with self.lock:
            self.now = self.max = self.total = 0

    def __call__(self, req):
        import time

        with self.lock:
            self.now += 1
            self.total += 1
            self.max = max(self.max, self.now)
        time.sleep(0.15)
        with self.lock:
            self.now -= 1
        return Reply(body=page("held", "<p>held</p>", "en"))


HELD = Held()


def _cp1251_page(meta: bool) -> bytes:
    head = '<meta charset="windows-1251">' if meta else ""
    body = (f"<!DOCTYPE html><html lang=ru><head>{head}<title>Хокимият</title></head><body>"
            f"<h1>Хокимият</h1><p>{RU_1251}</p><p>{RU_1251}</p></body></html>")
    return body.encode("cp1251")


def _install_broken(r):
    H = "broken.test"
    r.add(H, "/robots.txt", lambda req: Reply(
        body="User-agent: *\nDisallow: /private\n", content_type="text/plain"))
    ok = page("OK", "<main><h1>OK</h1><p>fine</p></main>", "en")
    r.page(H, "/", ok)
    r.page(H, "/ok", ok)
    r.page(H, "/private", ok)
    r.page(H, "/private/page", ok)
    big = ("<!DOCTYPE html><html><body>" + "<p>" + "x" * 1000 + "</p>\n") * 10_000
    r.add(H, "/big", lambda req: Reply(body=big, chunks=50, headers={  # no length: streamed
        "Content-Length": None, "Connection": "close"}))
    r.add(H, "/big-declared", lambda req: Reply(body=big))
    r.add(H, "/reset", lambda req: Reply(action="reset"))
    r.add(H, "/hang", lambda req: Reply(action="hang"))
    r.add(H, "/held", HELD)
    r.add(H, "/slow", lambda req: Reply(body=ok, delay=0.3))
    r.add(H, "/loop/a", lambda req: Reply(302, b"", {"Location": "/loop/b"}))
    r.add(H, "/loop/b", lambda req: Reply(301, b"", {"Location": "/loop/a"}))
    r.add(H, "/self", lambda req: Reply(302, b"", {"Location": "/self"}))

    def chain(req):
        n = int(req.path_only.rsplit("/", 1)[-1])
        if n <= 0:
            return Reply(body=ok)
        return Reply(302, b"", {"Location": f"/chain/{n - 1}"})

    r.add(H, "/chain/", chain, prefix=True)
    r.add(H, "/redirect-ok", lambda req: Reply(301, b"", {"Location": "/ok"}))
    r.add(H, "/to-metadata", lambda req: Reply(
        302, b"", {"Location": "http://metadata.test/latest/meta-data/"}))
    r.add(H, "/to-disallowed", lambda req: Reply(302, b"", {"Location": "/private/page"}))
    r.add(H, "/pdf", lambda req: Reply(body=b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n",
                                       content_type="application/pdf"))
    r.add(H, "/status/404", lambda req: Reply(404, page("404", "<h1>Topilmadi</h1>")))
    r.add(H, "/status/500", lambda req: Reply(500, "<h1>Internal Server Error</h1>"))
    r.add(H, "/status/403", lambda req: Reply(403, "<h1>Forbidden</h1>"))

    def after_429(req):  # 429 with Retry-After: 1 the first time, then the page
        if _nth(req) == 1:
            return Reply(429, "slow down", {"Retry-After": "1"}, content_type="text/plain")
        return Reply(body=ok)

    def after_503(req):  # 503 twice (Retry-After as an HTTP date... 0 s away), then the page
        if _nth(req) <= 2:
            return Reply(503, "maintenance", {"Retry-After": "0"}, content_type="text/plain")
        return Reply(body=ok)

    def always_503(req):
        return Reply(503, "maintenance", {"Retry-After": "3600"}, content_type="text/plain")

    r.add(H, "/retry429", after_429)
    r.add(H, "/retry503", after_503)
    r.add(H, "/always503", always_503)
    r.add(H, "/cp1251-header", lambda req: Reply(
        body=_cp1251_page(False), content_type="text/html; charset=windows-1251"))
    r.add(H, "/cp1251-meta", lambda req: Reply(body=_cp1251_page(True),
                                               content_type="text/html"))
    r.add(H, "/cp1251-bare", lambda req: Reply(body=_cp1251_page(False),
                                               content_type="text/html"))
    r.add(H, "/utf8-bom", lambda req: Reply(
        body="\ufeff<!DOCTYPE html><html><body><p>Ўзбекистон</p></body></html>".encode(
            "utf-8"), content_type="text/html; charset=windows-1251"))


def _install_robots_hosts(r):
    r.add("slowbot.test", "/robots.txt", lambda req: Reply(
        body="User-agent: *\nCrawl-delay: 1\nDisallow: /no\n", content_type="text/plain"))
    r.add("slowbot.test", "/", lambda req: Reply(body=page("p", "<p>p</p>", "en")),
          prefix=True)
    r.add("robots5xx.test", "/robots.txt", lambda req: Reply(503, "down",
                                                             content_type="text/plain"))
    r.add("robots5xx.test", "/", lambda req: Reply(body=page("p", "<p>p</p>", "en")),
          prefix=True)


# --- crawl.test: a section with evidence pages and traps --------------------------------

BASE = "/site"
EVIDENCE = [  # path, link text
    ("/aloqa", "Bog‘lanish"),
    ("/murojaat", "Мурожаатлар"),
    ("/karta", "Карта сайта"),
    ("/faq", "FAQ"),
    ("/about-us", "About us"),
]


def _crawl_page(title: str, links: list[tuple[str, str]], extra: str = "") -> str:
    nav = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in links)
    return page(title, f"<header><nav><ul>{nav}</ul></nav></header><main><h1>{esc(title)}"
                       f"</h1>{paragraphs('oz', 2, 3)}{extra}</main>", "oz")


def _install_crawl(r):
    H = "crawl.test"
    r.add(H, "/robots.txt", lambda req: Reply(
        body=f"User-agent: *\nDisallow: {BASE}/secret\n", content_type="text/plain"))

    def home(req):
        links = [(f"{BASE}/news/{i}", f"Maqola {i}") for i in range(1, 41)]
        links += [(BASE + p, t) for p, t in EVIDENCE]
        links += [
            (f"{BASE}/calendar/2026/11", "Kalendar"),
            (f"{BASE}/list?page=1", "Ro‘yxat"),
            (f"{BASE}/news/1?PHPSESSID=abc123&utm_source=x", "Maqola 1 (sessiya)"),
            (f"{BASE}/news/2;jsessionid=XYZ", "Maqola 2 (sessiya)"),
            (f"{BASE}/a/a/a/a/x", "Takror"),
            (f"{BASE}/long/" + "z" * 2100, "Uzun"),
            (f"{BASE}/secret", "Yopiq"),
            ("/other/section", "Boshqa bo‘lim"),
            ("/site-two/", "Prefix but not the section"),
            ("https://pm.gov.uz/uz#/", "Prezidentga murojaat"),
            ("https://t.me/example_bot", "Telegram"),
            ("mailto:info@example.uz", "E-mail"),
        ]
        return Reply(body=_crawl_page("Bosh sahifa", links))

    r.add(H, BASE, home)
    r.add(H, BASE + "/", home)

    def news(req):
        n = req.path_only.rsplit("/", 1)[-1]
        return Reply(body=_crawl_page(f"Maqola {n}", [(BASE, "Bosh sahifa"),
                                                      (f"{BASE}/aloqa", "Bog‘lanish")]))

    r.add(H, BASE + "/news/", news, prefix=True)
    for p, t in EVIDENCE:
        r.page(H, BASE + p, _crawl_page(t, [(BASE, "Bosh sahifa")]))

    def calendar(req):  # endless: every month links the next and the previous one
        parts = req.path_only.rstrip("/").split("/")
        try:
            y, m = int(parts[-2]), int(parts[-1])
        except (ValueError, IndexError):
            y, m = 2026, 11
        nxt = (y + (m == 12), m % 12 + 1)
        prv = (y - (m == 1), (m - 2) % 12 + 1)
        return Reply(body=_crawl_page(f"Kalendar {y}-{m}", [
            (f"{BASE}/calendar/{nxt[0]}/{nxt[1]}", "Keyingi oy"),
            (f"{BASE}/calendar/{prv[0]}/{prv[1]}", "Oldingi oy")]))

    r.add(H, BASE + "/calendar/", calendar, prefix=True)

    def listing(req):  # a query-string explosion: page=N&sort=... forever
        q = req.query
        try:
            n = int(dict(x.split("=", 1) for x in q.split("&") if "=" in x).get("page", "1"))
        except ValueError:
            n = 1
        links = [(f"{BASE}/list?page={n + 1}", "Keyingi"),
                 (f"{BASE}/list?page={n}&sort=date", "Sana bo‘yicha"),
                 (f"{BASE}/list?sort=name&page={n}", "Nom bo‘yicha")]
        return Reply(body=_crawl_page(f"Ro‘yxat {n}", links))

    r.add(H, BASE + "/list", listing)

    def repeat(req):  # relative link that makes the path grow forever
        return Reply(body=_crawl_page("Takror", [("a/x", "Yana")]))

    r.add(H, BASE + "/a/", repeat, prefix=True)
    r.add(H, BASE + "/long/", lambda req: Reply(body=_crawl_page("Uzun", [])), prefix=True)
    r.page(H, BASE + "/secret", _crawl_page("Yopiq", []))
    r.page(H, "/other/section", _crawl_page("Boshqa", []))
    r.page(H, "/site-two/", _crawl_page("Boshqa", []))


# --- maps.test: sitemaps good and bad --------------------------------------------------

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
        b'<urlset xmlns="' + SM.encode() + b'"><url><loc>&lol3;</loc></url></urlset>')


def _urlset(base: str, paths, ns: str = SM, lastmod: str = "2026-11-20") -> bytes:
    items = "".join(f"<url><loc>{base}{p}</loc><lastmod>{lastmod}</lastmod></url>"
                    for p in paths)
    xmlns = f' xmlns="{ns}"' if ns else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset{xmlns}>{items}</urlset>'.encode()


def _install_maps(r):
    import gzip

    H = "maps.test"

    def base(req):
        return f"http://{req.headers.get('host', H)}"

    r.add(H, "/robots.txt", lambda req: Reply(
        body=(f"User-agent: *\nDisallow:\nSitemap: {base(req)}/sm/index.xml\n"
              f"sitemap: /sm/broken.xml\nSitemap: {base(req)}/sm/bomb.xml\n"
              f"Sitemap: {base(req)}/sm/missing.xml\nSitemap: {base(req)}/sm/html\n"),
        content_type="text/plain"))
    r.add(H, "/sm/index.xml", lambda req: Reply(body=(
        f'<?xml version="1.0"?><sitemapindex xmlns="{SM}">'
        f'<sitemap><loc>{base(req)}/sm/a.xml.gz</loc><lastmod>2026-11-01</lastmod></sitemap>'
        f'<sitemap><loc>{base(req)}/sm/b.xml</loc></sitemap>'
        f'<sitemap><loc>{base(req)}/sm/index.xml</loc></sitemap>'
        f'</sitemapindex>'), content_type="application/xml"))
    r.add(H, "/sm/a.xml.gz", lambda req: Reply(
        body=gzip.compress(_urlset(base(req), [f"/site/a{i}" for i in range(3)])),
        content_type="application/x-gzip"))
    r.add(H, "/sm/b.xml", lambda req: Reply(
        body=_urlset(base(req), [f"/site/b{i}" for i in range(6001)]),
        content_type="application/xml"))
    r.add(H, "/sm/broken.xml", lambda req: Reply(
        body=b'<?xml version="1.0"?><urlset xmlns="' + SM.encode() + b'"><url><loc>x</url>',
        content_type="application/xml"))
    r.add(H, "/sm/bomb.xml", lambda req: Reply(body=BOMB, content_type="application/xml"))
    r.add(H, "/sm/html", lambda req: Reply(body=page("Sayt xaritasi", "<ul><li>x</li></ul>")))
    r.add(H, "/sitemap.xml", lambda req: Reply(
        body=_urlset(base(req), ["/", "/site"], ns=""), content_type="text/xml"))
    r.add(H, "/site/sitemap.xml", lambda req: Reply(
        body=_urlset(base(req), ["/site", "/site/contacts"]), content_type="text/xml"))
    r.page(H, "/site", page("Maps", "<p>maps</p>", "en"))
    # the other usual paths answer a soft 404: an HTML page with status 200
    soft = page("Sahifa topilmadi", "<h1>Sahifa topilmadi</h1>")
    for p in ("/sitemap_index.xml", "/wp-sitemap.xml"):
        r.page(H, p, soft)


def install(farm) -> None:
    r = farm.routes
    _install_maps(r)
    _install_broken(r)
    _install_robots_hosts(r)
    _install_crawl(r)
