"""A synthetic farm for the crawler benchmarks: N sites x M pages on disk, served by
Debian's nginx on loopback.

Each site gets its own loopback address (``127.0.<1+i//250>.<1+i%250>``, all of 127/8 is
loopback on Linux), so every site is a separate *host* for politeness and for Scrapy's
per-domain slots, with no DNS and no resolve map. Pages look like hokimiyat pages: a header
with navigation (about, news, appeals, contacts, search, sitemap), 25-60 KB of Uzbek /
Russian text, a news list, 40+ in-site links, links out (pm.gov.uz, t.me), a footer with
phone and e-mail. Every page of a site is reachable from its home page within a few
clicks, so a crawl with a budget of M pages per site fetches the whole farm.

    python bench/farmgen.py --sites 200 --pages 30 --out /tmp/govscan-bench
    # writes /tmp/govscan-bench/{sites/,nginx.conf,farm.json}

``NginxFarm(out).start()`` runs nginx with the generated config as a non-daemon child.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

NGINX = "/usr/sbin/nginx"

WORDS_OZ = ("viloyat hokimligi aholining murojaatlarini ko‘rib chiqish hududni ijtimoiy "
            "iqtisodiy rivojlantirish dasturlarini amalga oshirish tadbirkorlikni qo‘llab "
            "quvvatlash investitsiyalarni jalb qilish bo‘yicha ishlarni olib bormoqda "
            "yig‘ilish qaror farmon davlat xizmatlari yoshlar ta’lim sog‘liqni saqlash "
            "qishloq xo‘jaligi suv ta’minoti yo‘l qurilishi mahalla").split()
WORDS_RU = ("хокимият области ведёт работу по рассмотрению обращений граждан реализации "
            "программ социально экономического развития территории поддержке "
            "предпринимательства привлечению инвестиций заседание решение указ "
            "государственные услуги молодёжь образование здравоохранение").split()

SECTIONS = [("about", "Hokimlik haqida"), ("news", "Yangiliklar"), ("appeals", "Murojaatlar"),
            ("contacts", "Bog‘lanish"), ("search", "Qidiruv"), ("sitemap", "Sayt xaritasi"),
            ("documents", "Hujjatlar"), ("services", "Davlat xizmatlari"),
            ("faq", "Ko‘p beriladigan savollar"), ("leadership", "Rahbariyat")]


def _http_common(out: Path) -> str:
    """The http{} settings both nginx configs share: types, charset, temp paths in ``out``."""
    return f"""    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type text/html;
    charset utf-8;
    client_body_temp_path {out}/tmp/body;
    proxy_temp_path {out}/tmp/proxy;
    fastcgi_temp_path {out}/tmp/fastcgi;
    uwsgi_temp_path {out}/tmp/uwsgi;
    scgi_temp_path {out}/tmp/scgi;
"""


def site_ip(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def _para(rng: random.Random, words, n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def page_paths(m: int) -> list[str]:
    """The M page paths of a site: home, the sections, then news items."""
    paths = ["/"] + [f"/{s}/" for s, _ in SECTIONS]
    i = 1
    while len(paths) < m:
        paths.append(f"/news/{i}.html")
        i += 1
    return paths[:m]


def make_page(site: int, path: str, paths: list[str], rng: random.Random,
              base: str = "") -> str:
    """One page; ``base`` prefixes every in-site link (a section of a shared host)."""
    title = dict((f"/{s}/", t) for s, t in SECTIONS).get(path, "Yangilik" if "news" in path
                                                          else "Bosh sahifa")
    nav = "".join(f'<li><a href="{base}/{s}/">{t}</a></li>' for s, t in SECTIONS
                  if f"/{s}/" in paths)
    # 40+ in-site links: the sections above, plus a news list of other pages
    others = [p for p in paths if p != path]
    news = rng.sample(others, min(len(others), 36))
    items = "".join(
        f'<article class="news-item"><h3><a href="{base}{p}">{_para(rng, WORDS_OZ, 6)}</a></h3>'
        f'<span class="date">{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026 '
        f'{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}</span></article>' for p in news)
    target = rng.randint(25_000, 60_000)
    body_parts = []
    size = 0
    while size < target - 8000:
        words = WORDS_OZ if rng.random() < 0.7 else WORDS_RU
        p = f"<p>{_para(rng, words, rng.randint(40, 90))}</p>"
        body_parts.append(p)
        size += len(p.encode())
    search = (f'<form role="search" action="{base}/search/" method="get"><input type="search" '
              'name="q" aria-label="Qidiruv"><button>Qidirish</button></form>')
    contacts = ""
    if path == "/contacts/":
        contacts = ('<address>Manzil: Mustaqillik ko‘chasi, 1. Ishonch telefoni: '
                    '<a href="tel:+998652222222">+998 65 222-22-22</a>, '
                    f'<a href="mailto:info{site}@example.uz">info{site}@example.uz</a></address>')
    if path == "/appeals/":
        contacts = (f'<form action="{base}/appeals/" method="post"><label>F.I.Sh. <input name="fio">'
                    '</label><label>Murojaat matni <textarea name="text"></textarea></label>'
                    '<button>Yuborish</button></form>')
    sm_link = (f'<a href="{base}/sitemap/">Sayt xaritasi</a> · ' if "/sitemap/" in paths
               else "")
    return (f'<!DOCTYPE html><html lang="uz-Latn"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{title} - Tuman {site} hokimligi</title>'
            f'<meta property="article:modified_time" content="2026-11-{rng.randint(1, 27):02d}'
            f'T10:00:00+05:00"></head><body>'
            f'<header><a href="{base}/" class="logo">Tuman {site} hokimligi</a>'
            f'<nav aria-label="main"><ul>{nav}</ul></nav>{search}</header>'
            f'<main><h1>{title}</h1>{contacts}{"".join(body_parts)}'
            f'<section class="news"><h2>Yangiliklar</h2>{items}</section></main>'
            f'<footer>{sm_link}'
            f'<a href="https://pm.gov.uz/uz#/">Prezidentga murojaat</a> · '
            f'<a href="https://t.me/tuman{site}bot">Telegram</a>'
            f'<p>Ishonch telefoni: (+998 65) 222-22-22 · tuman{site}@exat.uz</p>'
            f'<p>© 2026 Tuman {site} hokimligi</p></footer></body></html>')


def generate(out: Path, sites: int, pages: int, port: int, seed: int = 308) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o755)  # nginx workers run as nobody when started by root
    root = out / "sites"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    paths = page_paths(pages)
    total = 0
    for i in range(sites):
        d = root / f"s{i}"
        for p in paths:
            f = d / (p.lstrip("/") + ("index.html" if p.endswith("/") else ""))
            f.parent.mkdir(parents=True, exist_ok=True)
            data = make_page(i, p, paths, rng).encode()
            total += len(data)
            f.write_bytes(data)
        (d / "robots.txt").write_text(f"User-agent: *\nDisallow: /admin/\n"
                                      f"Sitemap: http://{site_ip(i)}:{port}/sitemap.xml\n")
        urls = "".join(f"<url><loc>http://{site_ip(i)}:{port}{p}</loc>"
                       f"<lastmod>2026-11-20</lastmod></url>" for p in paths)
        (d / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{urls}</urlset>')
    meta = {"sites": sites, "pages": pages, "port": port, "bytes": total,
            "urls": [f"http://{site_ip(i)}:{port}/" for i in range(sites)]}
    (out / "farm.json").write_text(json.dumps(meta))
    write_nginx_conf(out, sites, port)
    return meta


def generate_shared(out: Path, sections: int, pages: int, port: int, rate: float,
                    seed: int = 308) -> dict:
    """The nightly farm: ``sections`` targets ``/oz/t<i>/`` of ONE host (127.0.0.1), like
    the hokimiyat sections of gov.uz; nginx limits the host to ``rate`` requests/s."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o755)  # nginx workers run as nobody when started by root
    root = out / "shared"
    if root.exists():
        shutil.rmtree(root)
    (root / "oz").mkdir(parents=True)
    rng = random.Random(seed)
    paths = page_paths(pages)
    for i in range(sections):
        base = f"/oz/t{i}"
        for p in paths:
            f = root / base.lstrip("/") / (p.lstrip("/") + ("index.html" if p.endswith("/")
                                                            else ""))
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(make_page(i, p, paths, rng, base).encode())
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n")
    # https like gov.uz: a trustme CA (its PEM is handed to govscan as --ca-bundle)
    import trustme

    ca = trustme.CA(organization_name="govscan bench CA")
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(out / "ca.pem"))
    leaf.private_key_and_cert_chain_pem.write_to_path(str(out / "server.pem"))
    meta = {"sections": sections, "pages": pages, "port": port, "rate": rate,
            "ca": str((out / "ca.pem").resolve()),
            "urls": [f"https://127.0.0.1:{port}/oz/t{i}/" for i in range(sections)]}
    (out / "shared.json").write_text(json.dumps(meta))
    out = out.resolve()
    (out / "logs").mkdir(exist_ok=True)
    (out / "tmp").mkdir(exist_ok=True)
    conf = f"""worker_processes 1;
pid {out}/nginx-shared.pid;
error_log {out}/logs/error-shared.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    log_format st '$msec $request_time $status $request_uri';
    access_log {out}/logs/access-shared.log st;
    sendfile on;
    keepalive_requests 100000;
{_http_common(out)}    limit_req_zone $server_name zone=host:1m rate={max(1, round(rate))}r/s;
    limit_req_status 503;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {out}/server.pem;
        ssl_certificate_key {out}/server.pem;
        # plain http on this port: redirect to https, as a real site's port 80 would
        error_page 497 =301 https://$host:$server_port$request_uri;
        add_header Strict-Transport-Security "max-age=31536000" always;
        server_name shared;
        root {out}/shared;
        limit_req zone=host burst={max(2, round(rate))};
        location / {{ try_files $uri $uri/index.html =404; }}
        error_page 405 =200 $uri;
    }}
}}
"""
    (out / "nginx-shared.conf").write_text(conf)
    return meta


def write_nginx_conf(out: Path, sites: int, port: int, rate: float | None = None) -> Path:
    """nginx.conf: one server per site on its own loopback address. With ``rate``, every
    site shares one limit_req zone keyed by nothing (a host limited to R requests/s)."""
    out = Path(out).resolve()
    (out / "logs").mkdir(exist_ok=True)
    (out / "tmp").mkdir(exist_ok=True)
    servers = []
    for i in range(sites):
        servers.append(
            f"server {{ listen {site_ip(i)}:{port}; server_name _; root {out}/sites/s{i}; "
            f"location / {{ try_files $uri $uri/index.html =404; }} "
            f"error_page 405 =200 $uri; }}")
    conf = f"""worker_processes 1;
pid {out}/nginx.pid;
error_log {out}/logs/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 60;
{_http_common(out)}    {chr(10).join('    ' + s for s in servers)}
}}
"""
    path = out / "nginx.conf"
    path.write_text(conf)
    return path


class NginxFarm:
    """Run nginx on a generated farm as a child process (``with NginxFarm(out):``)."""

    def __init__(self, out: Path, conf: Path | None = None,
                 addr: tuple[str, int] | None = None):
        self.out = Path(out).resolve()
        self.conf = conf or self.out / "nginx.conf"
        self.addr = addr
        self.proc: subprocess.Popen | None = None

    def start(self) -> "NginxFarm":
        if self.addr is None:
            meta = json.loads((self.out / "farm.json").read_text())
            self.addr = (site_ip(0), meta["port"])
        self.proc = subprocess.Popen([NGINX, "-p", str(self.out), "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        host, port = self.addr
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read().decode())
            try:
                socket.create_connection((host, port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--port", type=int, default=0, help="(default: a free port)")
    ap.add_argument("--out", default="/tmp/govscan-bench")
    a = ap.parse_args()
    meta = generate(Path(a.out), a.sites, a.pages, a.port or free_port())
    print(f"{a.sites} sites x {a.pages} pages, {meta['bytes'] / 1e6:.1f} MB, port "
          f"{meta['port']}, in {a.out}")


if __name__ == "__main__":
    main()
