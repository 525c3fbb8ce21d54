"""The HTML report: built from a stored run, readable, and clean in a real browser."""

from __future__ import annotations

import csv

import pytest

from govscan.store import Store
from probes.base import Evidence, Finding, Status
from reports.html import band, build_report, shares
from tests.helpers import chromium_errors, site_from_pages


def _db(tmp_path):
    s = Store(tmp_path / "g.db")
    a = site_from_pages({"https://gov.test/oz/buxoro": "<title>B</title>"})
    b = site_from_pages({"https://gov.test/oz/xiva": "<title>X</title>"})
    run = s.start_run({}, [a.target, b.target])
    s.save_target_result(run, a, [
        Finding("https", Status.PASS, a.start_url, "Valid HTTPS",
                [Evidence("http://gov.test/", "redirect", snippet="301 http → https")]),
        Finding("search", Status.FAIL, a.start_url, "No search box <b>here</b>",
                [Evidence(a.start_url, "element", snippet="<form action=/login>",
                          selector="form")]),
    ])
    s.save_target_result(run, b, [
        Finding("https", Status.ERROR, b.start_url, "DNS failed", details={"cause": "dns"}),
        Finding("search", Status.FAIL, b.start_url, "No search box <b>here</b>"),
    ])
    s.finish_run(run, "completed", {})
    return s, run


def test_shares_and_bands():
    sh = shares(["pass", "warn", "fail", "error", "manual", "not_applicable"])
    assert sh["total"] == 5 and sh["met"] == 2
    assert sh["strict"] == pytest.approx(0.4) and sh["adjusted"] == pytest.approx(2 / 3)
    assert band(0.8) == "very high" and band(0.5) == "high" and band(0.1) == "low"


def test_report_files_and_escaping(tmp_path):
    s, run = _db(tmp_path)
    index = build_report(s, run, tmp_path / "out")
    html = index.read_text()
    assert "2 × No search box &lt;b&gt;here&lt;/b&gt;" in html  # grouped, escaped
    assert "targets/oz.html" not in html
    page = (tmp_path / "out" / "targets").glob("*.html")
    texts = [p.read_text() for p in page]
    assert any("&lt;form action=/login&gt;" in t for t in texts)  # evidence escaped
    assert any("DNS lookup failed" in t or "dns" in t for t in texts)
    rows = list(csv.DictReader(open(tmp_path / "out" / "findings.csv")))
    assert len(rows) == 4 and {r["status"] for r in rows} == {"pass", "fail", "error"}


@pytest.mark.browser
def test_report_opens_in_chromium_without_console_errors(tmp_path):
    s, run = _db(tmp_path)
    index = build_report(s, run, tmp_path / "out")
    errors = chromium_errors([index, *sorted((tmp_path / "out" / "targets").glob("*.html"))])
    if errors is None:
        pytest.skip("no chromium")
    assert errors == []


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
