"""The HTML report built from a stored run (no browser): catalogues, escaping, exports,
scores from the store, verdicts, platform defects, changes. The browser side is
``tests/test_report_browser.py``."""

from __future__ import annotations

import csv
import json
import string
import tomllib
from pathlib import Path

import pytest

from crawler.causes import Cause
from govscan.store import Store
from probes.base import UI as RUN_UI, Evidence, Finding, Status, UIStrings, registry
from reports import i18n, platform
from reports.html import build_report, evidence_line, safe_url, trend_svg
from reports.i18n import Catalogue, LANGS
from tests.helpers import site_from_pages

ROOT = Path(__file__).resolve().parent.parent
EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _db(tmp_path, second: bool = False):
    """Two gov.test sections sharing a header defect, one other host; optionally a second
    run where buxoro's search breaks."""
    s = Store(tmp_path / "g.db")
    a = site_from_pages({"https://gov.test/oz/buxoro": "<title>B</title>"})
    b = site_from_pages({"https://gov.test/oz/xiva": "<title>X</title>"})
    c = site_from_pages({"https://evil.test/": f"<title>{EVIL}</title>"})
    from dataclasses import replace

    a.target = replace(a.target, id="buxoro", region="Buxoro viloyati", level="region")
    b.target = replace(b.target, id="xiva", region="Buxoro viloyati",
                       level="district")
    c.target = replace(c.target, id="evil", name_uz=EVIL)
    header = Evidence("https://gov.test/oz/buxoro", "element",
                      snippet='<a href="/oz/buxoro/news"><img src="logo.png"></a>',
                      selector="header > a", message="image-alt (critical): no alt")

    def findings(target, search_ok=False):
        url = target.start_url
        ev = Evidence(url, header.kind, header.snippet.replace("/oz/buxoro", target.scope[
            len("https://gov.test"):]), header.selector, header.message)
        return [
            Finding("https", Status.PASS, url, "Valid HTTPS",
                    [Evidence("http://gov.test/", "redirect", snippet="301 http → https")]),
            Finding("search", Status.PASS if search_ok else Status.FAIL, url,
                    "No search box <b>here</b>",
                    [Evidence(url, "element", snippet="<form action=/login>",
                              selector="form")]),
            Finding("wcag", Status.FAIL, url, "axe found 1 violation",
                    [ev, Evidence(url, "message", message="checked 2 page(s)")]),
        ]

    run = s.start_run({}, [a.target, b.target, c.target])
    s.save_target_result(run, a, findings(a.target, search_ok=True))
    s.save_target_result(run, b, findings(b.target))
    s.save_target_result(run, c, [
        Finding("https", Status.ERROR, c.start_url, "DNS failed", details={"cause": "dns"},
                message={"id": "cause.dns", "params": {"detail": "no such host"}}),
        Finding("search", Status.FAIL, c.start_url, f"Page {EVIL}",
                [Evidence("javascript:alert(3)", "element", snippet=f"<title>{EVIL}</title>",
                          message=EVIL)]),
    ])
    s.finish_run(run, "completed", {})
    if not second:
        return s, run
    run2 = s.start_run({}, [a.target])
    s.save_target_result(run2, a, findings(a.target, search_ok=False))
    s.finish_run(run2, "completed", {})
    return s, run2


# --- catalogues --------------------------------------------------------------------------

def test_ui_catalogue_has_the_same_keys_and_parameters_in_every_language():
    cat = i18n.ui_catalogue()
    assert set(cat) == set(LANGS)
    causes = {f"cause.{c}" for c in Cause}
    assert set(cat["uz"]) == set(cat["ru"]) == set(cat["en"]) | causes
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    for key, en in cat["en"].items():
        for lang in ("uz", "ru"):
            assert fields(cat[lang][key]) == fields(en), (lang, key)
            assert cat[lang][key].strip()
    # real Uzbek Latin: the oʻ/gʻ letters are the modifier letter, not an ASCII quote
    uz = " ".join(cat["uz"].values())
    assert "oʻ" in uz and "gʻ" in uz and "o'" not in uz and "g'" not in uz


def test_every_label_the_report_uses_is_in_the_catalogue():
    """Literal keys of the templates and of reports/*.py, and the dynamic families."""
    used = set()
    for p in list((ROOT / "reports" / "templates").glob("*.html")) + \
            list((ROOT / "reports").glob("*.py")):
        used |= i18n.used_label_keys(p.read_text(encoding="utf-8"))
    used = {k for k in used if not k.endswith(".")}  # "status." ~ s: the families below
    used |= {f"status.{s}" for s in ("pass", "warn", "fail", "error", "manual",
                                     "not_applicable", "none")}
    used |= {f"band.{b}" for b in ("very-high", "high", "middle", "low")}
    used |= {f"criterion.{c}" for c in ("osi", "losi", "content")}
    used |= {f"runstatus.{s}" for s in ("completed", "running", "aborted")}
    with open(ROOT / "targets.toml", "rb") as fh:
        levels = {t.get("level") for t in tomllib.load(fh).get("target", [])} - {None}
    used |= {f"level.{lv}" for lv in levels | {"none", "url"}}  # url: `govscan probe URL`
    used |= {f"msg.run.{k}" for k in RUN_UI.strings}
    for lang in LANGS:
        missing = {k for k in used if k not in i18n.ui_catalogue()[lang]}
        assert not missing, (lang, sorted(missing))
    for lang in ("uz", "ru"):
        assert all(Catalogue(lang).cause(str(c)) for c in Cause)


def test_probe_locale_files_match_their_modules():
    """Every probes/locales/<module>.toml that exists: a probe module with a UI block, the
    same keys in [uz] and [ru], the same {parameters} as the English."""
    ns = i18n.namespaces()
    modules = {m: n for n, m in ns.items()}
    import importlib

    for path in sorted((ROOT / "probes" / "locales").glob("*.toml")):
        module = path.stem
        assert module in modules, f"{path.name}: no probe module with a UI block"
        ui = getattr(importlib.import_module(f"probes.{module}"), "UI")
        assert isinstance(ui, UIStrings)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for lang in ("uz", "ru"):
            assert set(data.get(lang, {})) == set(ui.strings), (path.name, lang)
            for key, text in data[lang].items():
                en = {f for _, f, _, _ in string.Formatter().parse(ui.strings[key]) if f}
                assert {f for _, f, _, _ in string.Formatter().parse(text) if f} == en


def test_namespaces_come_from_the_registry():
    ns = i18n.namespaces()
    assert ns["contact-form"] == "contact_form" and ns["run"] == "base"
    assert set(ns.values()) >= {p.judge.__module__.rsplit(".", 1)[1]
                                for p in registry().values()}


def test_messages_render_translated_or_fall_back_to_the_stored_english(monkeypatch, tmp_path):
    loc = tmp_path / "locales"
    loc.mkdir()
    (loc / "search.toml").write_text('[uz]\nfail_no_box = "Qidiruv maydoni topilmadi."\n'
                                     'pass = "Qidiruv ishlaydi: {n} ta natija."\n'
                                     '[ru]\nfail_no_box = "Поле поиска не найдено: {x}."\n',
                                     encoding="utf-8")
    monkeypatch.setattr(i18n, "PROBE_LOCALES", loc)
    i18n.probe_locale.cache_clear()
    try:
        uz, ru, en = Catalogue("uz"), Catalogue("ru"), Catalogue("en")
        msg = {"id": "search.pass", "params": {"n": 5, "method": "GET"}}
        assert uz.message(msg, "Search works: 5") == "Qidiruv ishlaydi: 5 ta natija."
        assert en.message(msg, "Search works: 5") == "Search works: 5"
        # a parameter the stored message lacks: the English, counted, never "{x}"
        assert ru.message({"id": "search.fail_no_box", "params": {}}, "No box") == "No box"
        assert ru.message({"id": "sitemap.fail", "params": {}}, "No sitemap") == "No sitemap"
        assert ru.fallbacks["message"] == 2 and uz.fallbacks["message"] == 0
        assert uz.message({"id": "cause.dns", "params": {"detail": "x.uz"}}, "DNS") \
            .startswith("Xost nomi topilmadi") and "(x.uz)" in uz.message(
                {"id": "cause.dns", "params": {"detail": "x.uz"}}, "DNS")
        assert ru.message({"id": "run.crashed", "params": {"probe": "wcag", "error": "E"}},
                          "") == "Проверка wcag завершилась с ошибкой: E"
        assert uz.message({}, "plain") == "plain"
    finally:
        i18n.probe_locale.cache_clear()


def test_indicator_guidance_from_data_with_catalogue_fallback(monkeypatch, tmp_path):
    (tmp_path / "indicators.toml").write_text(
        '[search]\ntitle = { uz = "Saytda qidiruv", ru = "Поиск по сайту", en = "Site search" }\n'
        'fix = { uz = "Sarlavhaga qidiruv maydonini qoʻshing.", ru = "Добавьте поиск.", '
        'en = "Add a search box." }\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.indicator_guidance.cache_clear()
    try:
        uz = Catalogue("uz")
        assert uz.indicator("search") == "Saytda qidiruv"
        assert uz.indicator("search", "fix").startswith("Sarlavhaga")
        assert uz.indicator("sitemap") == "Sitemap"  # catalogue English title
        assert uz.indicator("sitemap", "fix") == "" and uz.fallbacks["indicator-title"] == 1
    finally:
        i18n.indicator_guidance.cache_clear()


# --- the built report ------------------------------------------------------------------

def test_report_files_escaping_and_csp(tmp_path):
    s, run = _db(tmp_path)
    out = tmp_path / "out"
    build_report(s, run, out)
    pages = sorted(out.rglob("*.html"))
    assert {p.relative_to(out).as_posix() for p in pages} >= {
        "index.html", "ru/index.html", "en/index.html", "howto.html", "targets/xiva.html",
        "fix/xiva.html", "ru/fix/xiva.html", "en/targets/xiva.html"}
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in html and "<script>" not in html, p
        assert EVIL not in html and "<img src=x" not in html, p  # always escaped
        assert 'href="javascript:' not in html, p
    text = (out / "targets" / "evil.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "javascript:alert(3)" in text  # shown as text, not linked
    assert json.loads((out / "fallbacks.json").read_text())["uz"].get("label", 0) == 0


def test_scores_are_the_stored_ones(tmp_path):
    s, run = _db(tmp_path)
    out = tmp_path / "out"
    build_report(s, run, out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    key = lambda r: (r["target_id"], r["criterion"])  # noqa: E731
    assert sorted(summary["scores"], key=key) == sorted(s.scores(run), key=key)
    html = (out / "en" / "targets" / "xiva.html").read_text(encoding="utf-8")
    row = next(r for r in s.scores(run) if r["target_id"] == "xiva" and r["criterion"] ==
               "losi")
    assert f"{row['strict'] * 100:.0f} %" in html
    assert "OSI value" not in html


def test_exports_csv_bom_names_and_evidence(tmp_path):
    s, run = _db(tmp_path)
    out = tmp_path / "out"
    build_report(s, run, out)
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 8
    x = next(r for r in rows if r["target"] == "xiva" and r["indicator"] == "search")
    assert x["region"] == "Buxoro viloyati" and x["level"] == "district"
    assert x["evidence"] == "element https://gov.test/oz/xiva form"
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert len(data["findings"]) == 8 and data["findings"][0]["evidence"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"]["fail"] == 4 and "meta" in summary


def test_verdict_is_shown_beside_the_finding_and_decides_the_score(tmp_path):
    s, run = _db(tmp_path)
    s.add_verdict("xiva", "search", "pass", "N. Qodirova", note="qidiruv menyuda bor")
    s.rescore(run)
    out = tmp_path / "out"
    build_report(s, run, out)
    html = (out / "targets" / "xiva.html").read_text(encoding="utf-8")
    block = html.split('id="f-search"')[1].split("</section>")[0]
    assert "avtomatik tekshiruv: bajarilmagan" in block
    assert "auditor xulosasi: bajarilgan" in block and "N. Qodirova" in block


def test_platform_defect_once_and_marked_on_each_section(tmp_path):
    s, run = _db(tmp_path)
    out = tmp_path / "out"
    build_report(s, run, out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["platform_defects"] == [{"host": "gov.test", "indicator": "wcag",
                                            "sections": ["buxoro", "xiva"], "of": 2}]
    for tid in ("buxoro", "xiva"):
        html = (out / "en" / "targets" / f"{tid}.html").read_text(encoding="utf-8")
        wcag = html.split('id="f-wcag"')[1].split("</section>")[0]
        assert "the platform&#39;s to fix" in wcag
        search = html.split('id="f-search"')[1].split("</section>")[0]
        assert "platform" not in search  # the search form differs: the section's own


def test_platform_rule_needs_most_sections_and_ignores_notes():
    targets = {t: {"id": t, "start_url": f"https://gov.test/oz/{t}",
                   "scope": f"https://gov.test/oz/{t}"} for t in ("a", "b", "c", "d", "e")}
    note = {"url": "https://gov.test/oz/a", "kind": "message", "message": "checked 3 page(s)"}
    bad = {"url": "", "kind": "element", "selector": "header img", "snippet": "<img>"}

    def f(t, status, ev):
        return {"target_id": t, "indicator": "wcag", "status": status,
                "evidence": [dict(e, url=f"https://gov.test/oz/{t}") for e in ev]}

    few = [f("a", "fail", [bad]), f("b", "fail", [bad])] + \
        [f(t, "pass", []) for t in ("c", "d", "e")]
    assert platform.platform_defects(few, targets)[0] == []  # 2 of 5 is not most
    most = [f(t, "fail", [bad, note]) for t in "abc"] + [f(t, "pass", []) for t in "de"]
    defects, marks = platform.platform_defects(most, targets)
    assert [(d.indicator, d.sections, d.of) for d in defects] == [("wcag", ["a", "b", "c"],
                                                                   5)]
    assert marks[("a", "wcag")] == "platform"
    notes_only = [f(t, "fail", [note]) for t in "abcde"]
    assert platform.platform_defects(notes_only, targets)[0] == []


def test_changes_since_the_previous_run(tmp_path):
    s, run2 = _db(tmp_path, second=True)
    out = tmp_path / "out"
    build_report(s, run2, out)
    html = (out / "en" / "index.html").read_text(encoding="utf-8")
    changes = html.split('id="changes"')[1].split("</section>")[0]
    assert "Compared with run 1" in changes and "newly failing: 1" in changes
    assert 'data-kind="newly_failing"' in changes and "buxoro" in changes
    assert json.loads((out / "summary.json").read_text())["changes"]["newly_failing"] == 1


def test_trend_svg_and_safe_urls():
    svg = trend_svg([1, 2, 3], 3, 'passing: 1, 2, 3 <"x">')
    assert svg.startswith("<svg") and 'role="img"' in svg and "&lt;&#34;x&#34;&gt;" in svg
    assert svg.count("<polyline") == 1
    assert safe_url("javascript:alert(1)") == "" and safe_url(" https://a.uz/ ") == \
        "https://a.uz/"
    assert evidence_line({"evidence": [{"kind": "element", "url": "u", "selector": "form"},
                                       {"kind": "x"}]}) == "element u form (+1)"


def test_details_render_by_declared_shape():
    """Typed blocks render by their type; nothing is guessed from the data's shape (an
    untyped list of dicts stays JSON), tracebacks are not shown."""
    from probes.base import bullets, counts, table
    from reports.html import details_blocks

    blocks = details_blocks({
        "errors": 3, "found": True, "traceback": "x",
        "common_errors": table([{"message": "Stray end tag", "share": 0.8, "pages": 5,
                                 "example": {}}],
                               headings=["message", "share", "pages"],
                               title="Most common errors"),
        "engines_tried": bullets(["chromium"]), "kinds": counts({"linked": 2}),
        "wcag_411": {"duplicate_ids": 2}, "untyped": [{"a": 1}]})
    assert {b["key"]: b["kind"] for b in blocks} == {
        "": "pairs", "common_errors": "table", "engines_tried": "list", "kinds": "counts",
        "wcag_411": "pairs", "untyped": "json"}
    t = next(b for b in blocks if b["key"] == "common_errors")
    assert t["cols"] == ["message", "share", "pages"]
    assert t["rows"] == [["Stray end tag", "0.8", "5"]]


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_rejects_unknown_language_and_counts_label_misses(lang):
    c = Catalogue(lang)
    assert c.t("no.such.key") == "no.such.key" and c.fallbacks["label"] == 1
    with pytest.raises(ValueError):
        Catalogue("de")
