"""Markup validation throughput: govscan's path (one warm local vnu service) against
``java -jar vnu.jar`` run once per document, in the same run.

Pages are generated hokimiyat-like documents of 25-60 KB (header and navigation, news list,
a table, a form, Uzbek Latin / Cyrillic and Russian text; a third of them with the template
defects real themes have: a duplicate id, a stray end tag). They are wrapped as crawled
``Page`` objects of 30-page sites and validated by ``crawler.validator.gather_vnu`` - the
gatherer a scan runs - with several sites in flight, as ``govscan.runner`` does.

    .venv/bin/python bench/bench_vnu.py [--pages 1000] [--cli-docs 10] [--sites-in-flight 4]

It also reports the JVM's CPU time for the measured run (``docs_per_jvm_cpu_s``): on a
machine shared with other work the wall-clock rate says more about the neighbours than about
govscan, while documents per CPU-second times the cores the JVM gets is the service's
capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.artifacts import Page, Response, SiteCapture  # noqa: E402
from crawler.capture import CaptureEnv  # noqa: E402
from crawler.farm.sites._html import FILLER, esc  # noqa: E402
from crawler.targets import Target  # noqa: E402
from crawler.validator import VnuService, gather_vnu  # noqa: E402

NAV = {"oz": ("Bosh sahifa", "Hokimlik haqida", "Yangiliklar", "Murojaatlar", "Bog‘lanish",
              "Sayt xaritasi"),
       "uz": ("Бош саҳифа", "Ҳокимлик ҳақида", "Янгиликлар", "Мурожаатлар", "Боғланиш",
              "Сайт харитаси"),
       "ru": ("Главная", "О хокимияте", "Новости", "Обращения", "Контакты", "Карта сайта")}
LANG = {"oz": "uz-Latn", "uz": "uz-Cyrl", "ru": "ru"}


def make_page(i: int, rng: random.Random) -> bytes:
    """One 25-60 KB page; every third page carries template defects."""
    lang = ("oz", "uz", "ru")[i % 3]
    words = FILLER[lang].split()
    target = rng.randint(25_000, 60_000)
    nav = "".join(f'<li><a href="/{lang}/s{i % 50}/{k}">{esc(t)}</a></li>'
                  for k, t in enumerate(NAV[lang]))
    head = (f'<!DOCTYPE html>\n<html lang="{LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(NAV[lang][2])} - {i}</title>\n'
            f'<link rel="stylesheet" href="/static/site.css">\n</head>\n<body>\n'
            f'<header><a href="/{lang}/s{i % 50}" class="logo">{esc(NAV[lang][0])}</a>'
            f'<nav aria-label="main"><ul>{nav}</ul></nav>'
            f'<form role="search" action="/{lang}/search" method="get"><input type="search" '
            f'name="q" aria-label="{esc(NAV[lang][5])}"><button type="submit">OK</button>'
            f'</form></header>\n')
    if i % 3 == 0:  # the theme's defects: a reused id, a stray end tag
        head += '<div id="banner" class="top">1083</div><div id="banner"></div></div>\n'
    parts = [head, "<main>\n"]
    size = len(head)
    n = 0
    while size < target - 2_000:
        n += 1
        k = rng.randint(len(words) // 2, len(words))
        para = esc(" ".join(rng.sample(words, k)))
        block = (f'<article class="news-item"><h2><a href="/{lang}/news/{i}-{n}">'
                 f'{para[:60]}</a></h2><time datetime="2026-0{1 + n % 9}-1{n % 9}">'
                 f'1{n % 9}.0{1 + n % 9}.2026</time><p>{para}.</p><p>{para[::-1]}.</p>'
                 f'</article>\n')
        if n % 7 == 0:
            block += ("<table><caption>Ko‘rsatkichlar</caption><thead><tr><th>Yil</th>"
                      "<th>Soni</th></tr></thead><tbody>"
                      + "".join(f"<tr><td>{2020 + r}</td><td>{rng.randint(1, 999)}</td></tr>"
                                for r in range(6)) + "</tbody></table>\n")
        parts.append(block)
        size += len(block.encode())
    parts.append('</main>\n<footer><p>© 2026 · <a href="mailto:info@gov.uz">info@gov.uz</a> '
                 '· +998 71 200-00-00</p></footer>\n</body>\n</html>\n')
    return "".join(parts).encode("utf-8")


def make_sites(pages: int, per_site: int = 30, seed: int = 308) -> list[SiteCapture]:
    rng = random.Random(seed)
    sites = []
    for s in range(0, pages, per_site):
        start = f"https://s{s // per_site}.gov.test/oz"
        site = SiteCapture(target=Target(f"s{s}", "", "", "bench", start, start))
        for i in range(s, min(pages, s + per_site)):
            url = f"{start}/p{i}"
            site.pages.append(Page(Response(url, url, 200, {
                "content-type": "text/html; charset=utf-8"}, body=make_page(i, rng),
                encoding="utf-8")))
        sites.append(site)
    return sites


def farm_sites(farm_dir: Path, pages: int, per_site: int = 30) -> list[SiteCapture]:
    """Pages of a farm written by bench/farmgen.py (``sites/s<i>/**/index.html``), as the
    crawl would capture them (served by nginx as ``text/html; charset=utf-8``)."""
    files = sorted((farm_dir / "sites").glob("s*/**/*.html"),
                   key=lambda p: (int(p.relative_to(farm_dir / "sites").parts[0][1:]), str(p)))
    sites, cur = [], None
    for f in files[:pages]:
        sid = f.relative_to(farm_dir / "sites").parts[0]
        if cur is None or cur.target.id != sid or len(cur.pages) >= per_site:
            start = f"https://{sid}.bench.test/"
            cur = SiteCapture(target=Target(sid, "", "", "bench", start, start))
            sites.append(cur)
        url = f"https://{sid}.bench.test/{f.relative_to(farm_dir / 'sites' / sid).as_posix()}"
        cur.pages.append(Page(Response(url, url, 200, {"content-type": "text/html; charset=utf-8"},
                                       body=f.read_bytes(), encoding="utf-8")))
    return sites


async def run_govscan(sites: list[SiteCapture], svc: VnuService, in_flight: int) -> float:
    env = CaptureEnv(fetcher=None, validator=svc)
    sem = asyncio.Semaphore(in_flight)

    async def one(site):
        async with sem:
            await gather_vnu(site, env)

    t0 = time.monotonic()
    await asyncio.gather(*(one(s) for s in sites))
    return time.monotonic() - t0


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc (Linux)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    import os

    return round(os.getloadavg()[0], 1)


def run_cli(svc: VnuService, docs: list[bytes]) -> float:
    """``java -jar vnu.jar page.html`` once per document (what a naive integration does)."""
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for k, body in enumerate(docs):
            p = Path(d) / f"p{k}.html"
            p.write_bytes(body)
            paths.append(p)
        t0 = time.monotonic()
        for p in paths:
            subprocess.run([svc.java, "-Xss4m", "-jar", str(svc.jar), "--exit-zero-always",
                            "--format", "json", str(p)], capture_output=True, check=False)
        return time.monotonic() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--cli-docs", type=int, default=10)
    ap.add_argument("--sites-in-flight", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=200,
                    help="pages validated before the measured run (JIT warm-up)")
    ap.add_argument("--farm", type=Path,
                    help="validate the pages of a farm written by bench/farmgen.py "
                         "(e.g. /tmp/gb) instead of generating them")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    sites = farm_sites(args.farm, args.pages) if args.farm else make_sites(args.pages)
    pages = [p for s in sites for p in s.pages]
    sizes = [len(p.response.body) for p in pages]
    print(f"{len(pages)} pages in {len(sites)} sites, {min(sizes) // 1024}-"
          f"{max(sizes) // 1024} KB (median {statistics.median(sizes) // 1024} KB)")
    t0 = time.monotonic()
    svc = VnuService().start()
    startup = time.monotonic() - t0
    try:
        # warm-up (JIT) on a separate set of pages, then the measured run
        asyncio.run(run_govscan(make_sites(args.warmup, seed=1), svc, args.sites_in_flight))
        load_before, cpu0 = load_average(), cpu_seconds(svc.pid)
        secs = asyncio.run(run_govscan(sites, svc, args.sites_in_flight))
        jvm_cpu = cpu_seconds(svc.pid) - cpu0
        load_after = load_average()
        failed = sum(1 for p in pages if p.vnu is None or p.vnu.error is not None)
        invalid = sum(1 for p in pages if p.vnu is not None and p.vnu.errors)
        cli_secs = run_cli(svc, [p.response.body for p in pages[:args.cli_docs]])
    finally:
        svc.stop()
    res = {"pages": len(pages), "source": str(args.farm or "generated"), "service_startup_s": round(startup, 1),
           "govscan_s": round(secs, 1), "govscan_docs_per_s": round(len(pages) / secs, 1),
           "jvm_cpu_s": round(jvm_cpu, 1),
           "docs_per_jvm_cpu_s": round(len(pages) / jvm_cpu, 1),
           "load_average_1min": [load_before, load_after],
           "not_validated": failed, "invalid_pages": invalid,
           "cli_docs": args.cli_docs, "cli_s": round(cli_secs, 1),
           "cli_docs_per_s": round(args.cli_docs / cli_secs, 2),
           "speedup": round((len(pages) / secs) / (args.cli_docs / cli_secs), 1)}
    print(json.dumps(res, indent=1))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
