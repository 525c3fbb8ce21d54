"""wcag: axe-core on rendered farm pages (browser) and the judgement on recorded results."""

from __future__ import annotations

import pytest

from crawler import browser
from crawler.artifacts import Rendered
from probes import wcag
from probes.base import Artifact, Context, run_probe

from helpers import site_from_pages
from test_render import capture_paths

AXE_ARTS = {Artifact.RENDERED, Artifact.AXE}
needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium")


@pytest.fixture(scope="module")
def judged(farm):
    paths = ["accessible", "no-alt", "unlabelled", "low-contrast", "no-lang", "iframe",
             "shadow", "chat-selfhosted", "own-axe"]
    sites = capture_paths(farm, paths, AXE_ARTS, hints=wcag.PROBE.hints)
    return {p: (s, run_probe(wcag.PROBE, s, Context())) for p, s in sites.items()}


def rules(finding) -> set[str]:
    return {r["rule"] for r in finding.details["rules_x_pages"]["items"]}


@pytest.mark.browser
@needs_chromium
def test_accessible_page_passes(judged):
    site, f = judged["accessible"]
    assert f.status == "pass", f.summary
    assert f.details["axe_version"] == "4.14.1" and f.details["pages_judged"] == 1
    assert "only part of WCAG" in f.details["note"] and "only part of WCAG" in f.summary
    assert f.details["wcag21"]["status"] == "pass"


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("path,rule,criterion", [
    ("no-alt", "image-alt", "1.1.1"),
    ("unlabelled", "label", "4.1.2"),
    ("low-contrast", "color-contrast", "1.4.3"),
    ("no-lang", "html-has-lang", "3.1.1"),
    ("iframe", "image-alt", "1.1.1"),   # the missing alt is inside an iframe
    ("shadow", "label", "4.1.2"),       # the unlabelled input is inside an open shadow root
    ("own-axe", "image-alt", "1.1.1"),  # the page's own global ``axe`` changes nothing
])
def test_broken_pages_fail_with_the_right_rule(judged, path, rule, criterion):
    site, f = judged[path]
    assert f.status == "fail", f.summary
    assert rule in rules(f), (path, rules(f))
    ev = next(e for e in f.evidence if e.data["rule"] == rule)
    assert criterion in ev.data["criteria"] and ev.data["wcag"] == "2.0"
    assert ev.data["help_url"].startswith("https://dequeuniversity.com/rules/axe/4.14/")
    assert ev.selector and ev.snippet.startswith("<") and ev.data["nodes"]
    assert ev.data["impact"] in ("minor", "moderate", "serious", "critical")


@pytest.mark.browser
@needs_chromium
def test_axe_is_readied_before_the_load_in_every_frame(judged):
    """axe-core came with the documents (``ready_axe``: an init script), in the framed one
    too, so nothing was injected after the load; a page whose own script set ``window.axe``
    got govscan's axe injected over it (the version is the pinned one, not the page's)."""
    for path in ("accessible", "iframe", "no-alt"):
        axe = judged[path][0].home.rendered.axe
        assert axe["injected_after_load"] == 0, path
    axe = judged["own-axe"][0].home.rendered.axe
    assert axe["injected_after_load"] == 1 and axe["axe_version"] == "4.14.1"


@pytest.mark.browser
@needs_chromium
def test_frame_and_shadow_nodes_are_located(judged):
    _, f = judged["iframe"]
    ev = next(e for e in f.evidence if e.data["rule"] == "image-alt")
    assert ev.data["nodes"][0]["selector"].startswith("iframe")  # axe's frame path
    _, f = judged["shadow"]
    ev = next(e for e in f.evidence if e.data["rule"] == "image-alt")
    assert "gov-card" in ev.selector


@pytest.mark.browser
@needs_chromium
def test_only_rendered_widget_is_judged_too(judged):
    # the self-hosted chat widget is added by a script after load; axe sees the final DOM
    site, f = judged["chat-selfhosted"]
    assert site.home.rendered.axe is not None and f.status in ("pass", "fail")
    assert "chat-widget" in site.home.rendered.dom


# --- the judgement on recorded axe results (no browser) --------------------------------------

def _rule(rid, tags, n, impact="serious"):
    return {"id": rid, "impact": impact, "tags": tags, "help": rid + " help",
            "helpUrl": f"https://dequeuniversity.com/rules/axe/4.14/{rid}",
            "node_count": n, "nodes": [{"target": [f"#n{i}"], "html": f"<i id=n{i}>",
                                        "failureSummary": "fix"} for i in range(min(n, 50))]}


def _site(axe_by_url):
    site = site_from_pages({u: "<html lang=en><title>x</title></html>" for u in axe_by_url})
    for p in site.pages:
        p.rendered = Rendered(p.url, axe=axe_by_url[p.url])
    return site


def test_incomplete_is_review_and_21_only_is_separate():
    axe = {"axe_version": "4.14.1", "violations": [
        _rule("autocomplete-valid", ["cat.forms", "wcag21aa", "wcag135"], 2)],
        "incomplete": [_rule("color-contrast", ["wcag2aa", "wcag143"], 3)], "passes": []}
    f = wcag.judge(_site({"https://a.test/": axe}), Context())
    assert f.status == "pass"  # no 2.0 violation; incomplete is not a failure
    assert {r["rule"]: r["pages"] for r in f.details["needs_review"]["items"]} == {
        "color-contrast": {"https://a.test/": 3}}
    assert f.details["wcag21"]["status"] == "fail"
    assert f.details["wcag21"]["only_21_rules"]["items"] == ["autocomplete-valid"]
    assert f.evidence[0].data["wcag"] == "2.1" and "2.1 A/AA" in f.summary


def test_nodes_capped_and_aggregated_over_pages():
    big = _rule("link-name", ["wcag2a", "wcag244", "wcag412"], 37)
    small = _rule("image-alt", ["wcag2a", "wcag111"], 1, "critical")
    sites = _site({"https://a.test/": {"axe_version": "4.14.1", "violations": [big, small],
                                       "incomplete": [], "passes": []},
                   "https://a.test/x": {"axe_version": "4.14.1", "violations": [big],
                                        "incomplete": [], "passes": []}})
    f = wcag.judge(sites, Context())
    assert f.status == "fail"
    ev = [e for e in f.evidence if e.data["rule"] == "link-name"]
    assert len(ev) == 2 and len(ev[0].data["nodes"]) == 10 and ev[0].data["more_nodes"] == 27
    assert f.evidence[0].data["rule"] == "image-alt"  # critical first
    agg = {r["rule"]: r for r in f.details["rules_x_pages"]["items"]}["link-name"]
    assert agg["pages"] == {"https://a.test/": 37, "https://a.test/x": 37}
    assert agg["criteria"] == ["2.4.4", "4.1.2"]
    assert f.details["violations"]["items"] == {"rules": 2, "pages": 2, "nodes": 75}


def test_axe_error_is_error_finding():
    site = _site({"https://a.test/": {"error": "axe.run failed: boom", "cause": "render-failed"}})
    f = wcag.judge(site, Context())
    assert f.status == "error" and f.details["cause"] == "render-failed"
    assert "boom" in f.summary


def test_criteria_parsing():
    assert wcag.criteria(["wcag2aa", "wcag143", "wcag1410", "cat.color"]) == ["1.4.3", "1.4.10"]
    assert wcag.level(["wcag21aa"]) == "2.1 AA"
