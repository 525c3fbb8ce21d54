"""The report of a real farm scan, opened in Chromium: languages and their switch, filters
and sorting, platform defects, changes between two scans, the fix list PDF, escaping of a
hostile page, the CSP, and govscan's own wcag and w3c-markup probes run on the report.

One farm scan (module fixture) serves every test here: the farm's gov.uz-like host with
three sections (buxoro, its Russian section, xiva), the legacy CMS, and a small site on
``localhost`` whose page is titled with markup; a second, one-target scan of that site after
its sitemap link is removed gives the "changes" report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler import browser
from crawler.capture import CaptureOptions
from crawler.farm.server import Reply
from crawler.farm.sites import demo_targets
from crawler.targets import Target, with_exclusions
from govscan.runner import run_scan
from govscan.store import Store
from probes.base import Context, run_probe, select
from reports.html import build_report
from reports.pdf import fix_list_pdfs

from vnu_fixture import farm_capture, fetch_config, vnu  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser
CHROMIUM = browser.find_chromium()
if CHROMIUM is None:
    pytest.skip("no Chromium", allow_module_level=True)

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _evil_page(with_sitemap: bool) -> str:
    link = '<li><a href="/hujum/sayt-xaritasi">Sayt xaritasi</a></li>' if with_sitemap else ""
    return ("<!DOCTYPE html>\n<html lang=\"uz-Latn\"><head><meta charset=\"utf-8\">"
            f"<title>{EVIL}</title></head><body><header><nav><ul>"
            f"<li><a href=\"/hujum/\">Bosh sahifa</a></li>{link}</ul></nav></header>"
            "<main><h1>Hujum tumani hokimligi</h1><p>Yangiliklar.</p></main></body></html>")


def _scan(store, targets, farm, cdir):
    cfg = fetch_config(farm)
    opts = CaptureOptions(max_pages=5, render_pages=1)
    return asyncio.run(run_scan(targets, select(["all"]), store, opts, cfg, progress=False,
                                capture_dir=cdir, now=dt.date.today()))


@pytest.fixture(scope="module")
def scanned(farm, tmp_path_factory):
    d = tmp_path_factory.mktemp("report-scan")
    host, port = "localhost", farm.port("main")
    farm.routes.page(host, "/hujum/", _evil_page(True))
    farm.routes.page(host, "/hujum/sayt-xaritasi",
                     "<!DOCTYPE html><html lang=\"uz-Latn\"><head><meta charset=\"utf-8\">"
                     "<title>Sayt xaritasi</title></head><body><main><h1>Sayt xaritasi</h1>"
                     "<ul><li><a href=\"/hujum/\">Bosh sahifa</a></li></ul></main></body></html>")
    # the gov.uz-like sections and the legacy CMS (other demo sites are not needed here)
    base = [t for t in demo_targets(farm) if t["id"] in ("buxoro", "xiva", "legacy-cms")]
    g = f"https://gov.test:{port}"
    ru = {"id": "buxoro-ru", "name_uz": "Buxoro viloyati hokimligi (rus)",
          "name_ru": "Хокимият Бухарской области", "level": "region",
          "region": "Buxoro viloyati", "start_url": f"{g}/ru/buxoro", "scope": f"{g}/ru/buxoro"}
    evil = {"id": "hujum", "name_uz": EVIL, "name_ru": EVIL, "level": "district",
            "region": "Toshkent viloyati", "start_url": f"https://{host}:{port}/hujum/",
            "scope": f"https://{host}:{port}/hujum/"}
    targets = with_exclusions([Target.from_dict(t) for t in base + [ru, evil]])
    store = Store(d / "govscan.db")
    first = _scan(store, targets, farm, d / "captures")
    store.add_verdict("xiva", "search", "pass", "A. Karimov", note="qidiruv /izlash sahifasida",
                      evidence_url="https://gov.test/oz/xiva/izlash")
    store.rescore(first.run_id)
    out1 = d / "report1"
    build_report(store, first.run_id, out1)
    # the site loses its sitemap link; a second scan of it alone
    farm.routes.page(host, "/hujum/", _evil_page(False))
    second = _scan(store, [t for t in targets if t.id == "hujum"], farm, d / "captures")
    out2 = d / "report2"
    build_report(store, second.run_id, out2)
    farm.routes.page(host, "/hujum/", _evil_page(True))
    yield {"store": store, "out": out1, "out2": out2, "runs": (first.run_id, second.run_id),
           "dir": d}
    store.close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def _open(chromium, path: Path, width=1280):
    page = chromium.new_page(viewport={"width": width, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda dlg: (problems.append(f"dialog: {dlg.message}"), dlg.dismiss()))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(path.resolve().as_uri())
    return page, problems


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_opens_clean_with_the_csp(scanned, chromium):
    """No console error or warning (a CSP violation is one), no failed local request, a
    title; every page carries the Content-Security-Policy meta and only its own script."""
    pages = _pages(scanned["out"])
    assert len(pages) == 3 * (2 + 2 * 5)  # 3 languages x (index, howto, 5 targets x 2)
    page = chromium.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src '
                         r"'none'; script-src 'self';", html), p
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"inline script in {p}"
        page.goto(p.resolve().as_uri())
        assert page.title(), p
    page.close()
    assert problems == []


def test_languages_and_the_switch(scanned, chromium):
    out = scanned["out"]
    for rel, lang in (("index.html", "uz-Latn"), ("ru/index.html", "ru"),
                      ("en/index.html", "en"), ("ru/targets/xiva.html", "ru"),
                      ("fix/xiva.html", "uz-Latn"), ("en/howto.html", "en")):
        html = (out / rel).read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html, rel
    page, problems = _open(chromium, out / "targets" / "xiva.html")
    assert "Qidirish" not in page.inner_text("h1")
    page.click("nav.langs a[hreflang=ru]")
    assert page.url.endswith("/ru/targets/xiva.html")
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert "Как читать этот отчёт" in page.inner_text("header")
    page.click("nav.langs a[hreflang=en]")
    assert page.url.endswith("/en/targets/xiva.html")
    assert "How to read this report" in page.inner_text("header")
    page.click("nav.langs a[hreflang=uz]")
    assert page.url.endswith("/targets/xiva.html") and "/en/" not in page.url
    assert "Hisobotni qanday oʻqish kerak" in page.inner_text("header")
    page.close()
    assert problems == []


def _visible_rows(page):
    return page.eval_on_selector_all(
        "#matrix tr.t", "rs => rs.filter(r => r.offsetParent !== null).map(r => "
        "[r.dataset.name, r.dataset.level, r.dataset.share, r.dataset.st])")


def test_filters_and_sorting(scanned, chromium):
    page, problems = _open(chromium, scanned["out"] / "en" / "index.html")
    assert page.is_visible("#filters")  # shown by the script
    assert len(_visible_rows(page)) == 5
    page.select_option("#f-level", "district")
    rows = _visible_rows(page)
    assert {r[1] for r in rows} == {"district"} and len(rows) == 3
    assert page.inner_text("#f-count") == "3 of 5 targets shown"
    page.select_option("#f-level", "")
    page.select_option("#f-indicator", "search")
    page.select_option("#f-status", "fail")
    names = {r[0] for r in _visible_rows(page)}
    assert names == {"Eski sayt", EVIL}  # xiva's search is passed by the auditor's verdict
    page.select_option("#f-indicator", "")
    page.select_option("#f-status", "")
    page.select_option("#f-sort", "share-asc")
    shares = [float(r[2]) for r in _visible_rows(page)]
    assert shares == sorted(shares) and len(shares) == 5
    page.select_option("#f-sort", "share-desc")
    shares = [float(r[2]) for r in _visible_rows(page)]
    assert shares == sorted(shares, reverse=True)
    page.select_option("#f-sort", "region")
    assert page.eval_on_selector_all("#matrix tbody.grp", "gs => gs.filter(g => !g.hidden)"
                                     ".length") == 4
    page.close()
    assert problems == []


def test_matrix_without_script_is_complete_and_a_list_on_a_phone(scanned, chromium):
    html = (scanned["out"] / "index.html").read_text(encoding="utf-8")
    assert html.count('<tr class="t"') == 5 and html.count('class="grouprow"') == 4
    assert '<form class="filters" id="filters" hidden>' in html
    page, problems = _open(chromium, scanned["out"] / "index.html", width=375)
    assert page.evaluate("getComputedStyle(document.querySelector('#matrix thead'))"
                         ".display") == "none"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.close()
    page, _ = _open(chromium, scanned["out"] / "index.html", width=1280)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.close()
    assert problems == []


def test_platform_defect_shown_once_with_its_sections(scanned):
    out = scanned["out"]
    html = (out / "en" / "index.html").read_text(encoding="utf-8")
    section = html.split('id="platform"')[1].split("</section>")[0]
    defects = re.findall(r'<article class="defect" id="(platform-\d+)">(.*?)</article>', section,
                         re.S)
    assert defects, "no platform defect found on gov.test"
    sections = [set(re.findall(r'targets/([\w-]+)\.html', body)) for _, body in defects]
    assert all(len(s) >= 2 and s <= {"buxoro", "buxoro-ru", "xiva"} for s in sections)
    assert all("gov.test" in body for _, body in defects)
    # each defect once, never for the hosts with one target
    assert len({a for a, _ in defects}) == len(defects)
    assert "legacy.test" not in section and "localhost" not in section
    tid = sorted(sections[0])[0]
    target = (out / "en" / "targets" / f"{tid}.html").read_text(encoding="utf-8")
    assert "the platform&#39;s to fix" in target or "the platform's to fix" in target
    assert f'index.html#{defects[0][0]}' in target


def test_changes_between_two_scans(scanned, chromium):
    prev, now = scanned["runs"]
    page, problems = _open(chromium, scanned["out2"] / "en" / "index.html")
    text = page.inner_text("#changes")
    assert f"Compared with run {prev}" in text and "newly failing: 1" in text
    rows = page.eval_on_selector_all("#changes tr.chg-row", "rs => rs.map(r => [r.dataset.kind,"
                                     " r.innerText])")
    assert [r for r in rows if r[0] == "newly_failing"] == [
        ["newly_failing", f"{EVIL}\tSitemap\tnewly failing\tpass\tfail"]]
    page.close()
    first = (scanned["out"] / "en" / "index.html").read_text(encoding="utf-8")
    assert "There is no earlier completed run" in first
    target = (scanned["out2"] / "targets" / "hujum.html").read_text(encoding="utf-8")
    assert 'data-kind="newly_failing"' in target and "yangi buzilishlar" in target
    assert problems == []


def _pdf_has_text(data: bytes) -> bool:
    """A PDF page with fonts whose content streams draw text (Tj/TJ operators)."""
    if not data.startswith(b"%PDF") or b"/Font" not in data:
        return False
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(m.group(1))
        except zlib.error:
            body = m.group(1)
        if re.search(rb"\bT[jJ]\b", body):
            return True
    return False


def test_fix_list_pdf_has_text(scanned, chromium):
    out = scanned["out"]
    written = fix_list_pdfs(out, ["xiva"], chromium, ("uz", "ru"))
    assert [p.relative_to(out).as_posix() for p in written] == ["fix/xiva.pdf",
                                                                  "ru/fix/xiva.pdf"]
    for p in written:
        assert p.stat().st_size > 5000 and _pdf_has_text(p.read_bytes())
    html = (out / "fix" / "xiva.html").read_text(encoding="utf-8")
    assert "Sayt egasiga" in html and "Qanday tuzatish kerak" in html


def test_hostile_page_title_is_text_and_runs_nothing(scanned, chromium):
    for rel in ("targets/hujum.html", "index.html", "fix/hujum.html", "ru/targets/hujum.html"):
        page, problems = _open(chromium, scanned["out"] / rel)
        assert problems == [], rel  # no dialog, no blocked inline script, no image request
        assert page.evaluate("document.querySelectorAll('main script, main img[src=x]')"
                             ".length") == 0
        if rel.startswith(("targets", "ru/targets", "fix")):
            assert EVIL in page.inner_text("h1")
        else:
            assert EVIL in page.inner_text("#matrix")
        page.close()


def test_verdict_shown_beside_the_automatic_finding(scanned):
    html = (scanned["out"] / "en" / "targets" / "xiva.html").read_text(encoding="utf-8")
    block = html.split('id="f-search"')[1].split("</section>")[0]
    assert "automatic check: fail" in block and "auditor&#39;s verdict: pass" in block
    assert "A. Karimov" in block and 'href="https://gov.test/oz/xiva/izlash"' in block


def test_report_passes_govscans_own_wcag_and_markup_probes(scanned, farm, vnu):  # noqa: F811
    """The report served from the farm (https, its real CSP) is judged by the wcag and
    w3c-markup probes: no axe violation, no markup error."""
    out = scanned["out"]
    types = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js":
             "text/javascript", ".png": "image/png", ".json": "application/json",
             ".csv": "text/csv"}

    def serve(req):
        rel = req.path_only[len("/govscan-report/"):] or "index.html"
        f = (out / rel).resolve()
        if not f.is_file() or out.resolve() not in f.parents:
            return Reply(404, "not found")
        return Reply(200, f.read_bytes(), content_type=types.get(f.suffix, "text/plain"))

    farm.routes.add("gov.test", "/govscan-report/", serve, prefix=True)
    base = farm.host_url("gov.test", "/govscan-report/")
    probes = select(["wcag", "w3c-markup"])
    for start in ("index.html", "en/targets/xiva.html", "ru/fix/buxoro.html",
                  "en/howto.html"):
        target = Target.from_dict({"id": "report", "name_uz": "report", "level": "national",
                                   "start_url": base + start, "scope": base + start})
        # in a thread of its own: the module's Playwright (sync API) holds this one's loop
        with ThreadPoolExecutor(1) as pool:
            site = pool.submit(farm_capture, farm, target, ["pages", "rendered", "axe", "vnu"],
                               vnu, single_url=True, render_pages=1,
                               hints=probes[0].hints).result()
        for p in probes:
            f = run_probe(p, site, Context())
            assert f.status.value == "pass", (start, p.id, f.summary,
                                              [e.message for e in f.evidence][:5])
