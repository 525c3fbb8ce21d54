"""w3c-css: judged on CSS validations (pure), and end to end on the farm with the service."""

from __future__ import annotations

import pytest

from crawler.artifacts import Validation
from crawler.causes import Cause, FetchError
from crawler.targets import Target
from helpers import site_from_pages
from probes.base import registry, run_probe
from vnu_fixture import farm_capture, vnu  # noqa: F401 - the fixture

PROBE = registry()["w3c-css"]
HTML = "<!doctype html><html lang=uz><title>x</title><p>Salom</p></html>"
THEME = "https://gov.test/static/theme.css"


def err(text, line=3, **extra):
    return {"type": "error", "lastLine": line, "lastColumn": 12, "message": text,
            "extract": ".top { colr: #fff }", **extra}


def site_with(css_by_page: dict[str, list[Validation]], gathered=("pages", "css")):
    site = site_from_pages({u: HTML for u in css_by_page}, gathered=gathered)
    for p, sheets in zip(site.pages, css_by_page.values()):
        p.css = list(sheets)
    return site


def sheet(url, msgs=(), error=None):
    return Validation(url, "css", list(msgs), "text/css; charset=utf-8", error)


def test_valid_sheets_pass_and_a_shared_sheet_counts_once():
    pages = {f"https://gov.test/oz/a/{i}": [sheet(THEME), sheet(
        f"inline:https://gov.test/oz/a/{i}#style[1]")] for i in range(3)}
    f = run_probe(PROBE, site_with(pages))
    assert f.status == "pass", f.summary
    d = f.details
    assert d["sheets_checked"] == 4  # one theme + three <style> blocks
    theme = [s for s in d["sheets"]["items"] if s["url"] == THEME][0]
    assert theme["pages_count"] == 3 and theme["kind"] == "linked"
    assert d["kinds"]["items"] == {"linked": 1, "style-element": 3, "style-attributes": 0}


def test_any_error_fails_counted_once_per_sheet_with_its_pages():
    bad = sheet(THEME, [err("“colr”: Property “colr” doesn't exist."),
                        {"type": "info", "subType": "warning", "lastLine": 9,
                         "message": "Vendor extension"}])
    attrs = sheet("inline:https://gov.test/oz/a/0#style-attributes",
                  [err("“margin-top”: Unknown dimension.", 2, element="main > p",
                       snippet='<p style="margin-top: 10pxx">')])
    pages = {"https://gov.test/oz/a/0": [bad, attrs], "https://gov.test/oz/a/1": [bad],
             "https://gov.test/oz/a/2": [bad]}
    f = run_probe(PROBE, site_with(pages))
    assert f.status == "fail"
    d = f.details
    assert d["errors"] == 2 and d["warnings"] == 1  # the theme's error counted once
    assert d["sheets_checked"] == 2 and d["sheets_valid"] == 0
    top = d["common_errors"]["items"][0]
    assert top["share"] == 0.5
    # per page: each page that uses the theme carries its error
    assert [p["errors"] for p in d["pages"]["items"]] == [2, 1, 1]
    by_sheet = {e.data.get("sheet", e.url): e for e in f.evidence
                if e.data.get("type") == "error"}
    theme_ev = by_sheet[THEME]
    assert theme_ev.data["line"] == 3 and theme_ev.data["pages"][:1] == ["https://gov.test/oz/a/0"]
    attr_ev = by_sheet["inline:https://gov.test/oz/a/0#style-attributes"]
    assert attr_ev.url == "https://gov.test/oz/a/0"  # the page, not the synthetic id
    assert attr_ev.selector == "main > p" and attr_ev.data["element"] == "main > p"


def test_sheets_that_could_not_be_fetched_make_warn_or_error():
    blocked = sheet("https://cdn.gov.test/x.css", error=FetchError(Cause.HTTP_ERROR, "HTTP 404"))
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": [sheet(THEME), blocked]}))
    assert f.status == "warn" and f.details["sheets_not_checked"] == 1
    assert any(e.kind == "file" and e.data["cause"] == "http-error" for e in f.evidence)
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": [blocked]}))
    assert f.status == "error" and f.details["cause"] == "http-error"


def test_no_css_at_all_is_not_applicable_but_not_gathered_is_error():
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": []}))
    assert f.status == "not_applicable"
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": []}, gathered=("pages",)))
    assert f.status == "error" and f.details["cause"] == "not-captured"


def test_validator_unavailable_is_error_with_the_cause():
    site = site_with({"https://gov.test/oz/a": []})
    site.errors["css"] = FetchError(Cause.VALIDATOR_UNAVAILABLE, "Java was not found")
    f = run_probe(PROBE, site)
    assert f.status == "error" and f.details["cause"] == "validator-unavailable"


# --- end to end, with the service ------------------------------------------------------------

def _target(farm, path):
    u = farm.host_url("gov.test", path)
    return Target("v", "", "", "url", u, u.rstrip("/"))


@pytest.mark.java
def test_farm_valid_section_passes(farm, vnu):
    site = farm_capture(farm, _target(farm, "/validity/ok/"), ["css"], vnu, max_pages=5)
    f = run_probe(PROBE, site)
    assert f.status == "pass", f.summary
    d = f.details
    # site.css + its @import base.css, and per page one <style> and one style attribute sheet
    assert d["kinds"]["items"] == {"linked": 2, "style-element": 3, "style-attributes": 3}
    assert d["errors"] == 0


@pytest.mark.java
def test_farm_broken_theme_and_inline_style_fail(farm, vnu):
    site = farm_capture(farm, _target(farm, "/validity/broken/"), ["css"], vnu, max_pages=5)
    f = run_probe(PROBE, site)
    assert f.status == "fail"
    d = f.details
    theme = farm.host_url("gov.test", "/validity/css/theme.css")
    rows = {s["url"]: s for s in d["sheets"]["items"]}
    assert rows[theme]["errors"] == 1 and rows[theme]["pages_count"] == 3
    assert rows[theme]["messages"][0]["text"] == "“colr”: Property “colr” doesn't exist."
    site_css = farm.host_url("gov.test", "/validity/css/site.css")
    assert rows[site_css]["valid"] is True
    attr = [e for e in f.evidence if "margin-top" in e.data.get("text", "")]
    assert attr and attr[0].selector.endswith("main > p:nth-of-type(1)")
    assert d["errors"] == 1 + 3  # the theme once, the style attribute on each of 3 pages
