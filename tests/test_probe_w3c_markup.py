"""w3c-markup: judged on vnu messages (pure), and end to end on the farm with the service."""

from __future__ import annotations

import pytest

from crawler.artifacts import Validation
from crawler.causes import Cause, FetchError
from crawler.targets import Target
from helpers import site_from_pages
from probes.base import registry, run_probe
from probes.w3c_markup import EVIDENCE_CAP, judge, wcag411, wcag411_category
from vnu_fixture import farm_capture, vnu  # noqa: F401 - the fixture

PROBE = registry()["w3c-markup"]
HTML = "<!doctype html><html lang=uz><title>x</title><p>Salom</p></html>"


def err(text, line=10, extract="<div>"):
    return {"type": "error", "lastLine": line, "firstColumn": 3, "lastColumn": 8,
            "message": text, "extract": extract}


def warn(text, line=5):
    return {"type": "info", "subType": "warning", "lastLine": line, "message": text,
            "extract": "<section>"}


def site_with(messages_by_page: dict[str, list | FetchError | None]):
    site = site_from_pages({u: HTML for u in messages_by_page}, gathered=("pages", "vnu"))
    for p, (u, msgs) in zip(site.pages, messages_by_page.items()):
        if isinstance(msgs, FetchError):
            p.vnu = Validation(u, "html", [], "text/html; charset=utf-8", msgs)
        elif msgs is not None:
            p.vnu = Validation(u, "html", msgs, "text/html; charset=utf-8")
    return site


def test_valid_pages_pass_and_warnings_never_fail():
    site = site_with({"https://gov.test/oz/a": [], "https://gov.test/oz/a/b":
                      [warn("Section lacks heading.")]})
    f = run_probe(PROBE, site)
    assert f.status == "pass"
    assert f.details["errors"] == 0 and f.details["warnings"] == 1
    assert f.details["pages_valid"] == 2
    assert f.evidence[0].data["type"] == "warning"


def test_any_error_fails_with_counts_common_messages_and_template_share():
    header = err("Stray end tag “div”.", 40, "</form></div>\n<main>")
    pages = {f"https://gov.test/oz/a/{i}": [header, err(f"Duplicate ID “n{i}”.", 90),
                                             warn("Empty heading.")]
             for i in range(4)}
    pages["https://gov.test/oz/a/4"] = [header, header, header]
    pages["https://gov.test/oz/a/5"] = []
    f = run_probe(PROBE, site_with(pages))
    assert f.status == "fail"
    d = f.details
    assert d["errors"] == 4 * 2 + 3 and d["warnings"] == 4
    assert d["pages_checked"] == 6 and d["pages_valid"] == 1
    top = d["common_errors"]["items"][0]
    assert top["message"] == "Stray end tag “div”." and top["count"] == 7
    assert top["share"] == round(7 / 11, 3) and top["documents"] == 5
    assert "64 % of the errors, on 5 of 6 page(s)" in f.summary
    per = {r["url"]: r for r in d["pages"]["items"]}
    assert per["https://gov.test/oz/a/4"]["errors"] == 3
    assert per["https://gov.test/oz/a/5"]["valid"] is True
    assert d["wcag_411"]["counts"]["items"]["stray_tags"] == 7
    assert d["wcag_411"]["counts"]["items"]["duplicate_ids"] == 4
    # evidence: type, line, column, text, extract; errors first, every page represented
    e0 = f.evidence[0]
    assert e0.kind == "message" and e0.snippet == "</form></div>\n<main>"
    assert e0.data == {"type": "error", "line": 40, "column": 3, "text": "Stray end tag “div”."}
    assert "line 40, column 3" in e0.message
    first_urls = [e.url for e in f.evidence[:5]]
    assert len(set(first_urls)) == 5


def test_evidence_is_capped_with_the_total():
    msgs = [err(f"Element “font” is obsolete ({i}).", i) for i in range(120)]
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": msgs}))
    shown = [e for e in f.evidence if e.data.get("type")]
    assert len(shown) == EVIDENCE_CAP
    assert f.details["messages_total"] == 120
    assert f.evidence[-1].message.startswith(f"{EVIDENCE_CAP} of 120 messages shown")


def test_unvalidated_pages_make_warn_or_error_never_a_silent_pass():
    unavailable = FetchError(Cause.VALIDATOR_UNAVAILABLE, "died twice")
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": [],
                                    "https://gov.test/oz/a/b": unavailable}))
    assert f.status == "warn"
    assert f.details["not_validated"]["items"][0]["cause"] == "validator-unavailable"
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": unavailable}))
    assert f.status == "error" and f.details["cause"] == "validator-unavailable"
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": None}))
    assert f.status == "error" and f.details["cause"] == "not-captured"
    # and the same page with an error still fails even when another could not be checked
    f = run_probe(PROBE, site_with({"https://gov.test/oz/a": [err("Stray end tag “p”.")],
                                    "https://gov.test/oz/a/b": unavailable}))
    assert f.status == "fail"


@pytest.mark.parametrize("text,cat", [
    ("Duplicate ID “search”.", "duplicate_ids"),
    ("Duplicate attribute “class”.", "duplicate_attributes"),
    ("Unclosed element “span”.", "unclosed_elements"),
    ("End tag “p” seen, but there were open elements.", "unclosed_elements"),
    ("End tag for  “body” seen, but there were unclosed elements.", "unclosed_elements"),
    ("End of file seen and there were open elements.", "unclosed_elements"),
    ("Stray end tag “div”.", "stray_tags"),
    ("Stray start tag “p”.", "stray_tags"),
    ("Start tag “a” seen but an element of the same type was already open.", "bad_nesting"),
    ("Element “ul” not allowed as child of element “b” in this context. (Suppressing further "
     "errors from this subtree.)", "bad_nesting"),
    ("The element “a” with the attribute “href” must not appear as a descendant of the "
     "“button” element.", "bad_nesting"),
    ("End tag “a” violates nesting rules.", "bad_nesting"),
    ("Heading cannot be a child of another heading.", "bad_nesting"),
    ("No space between attributes.", "malformed_tags"),
    ("Saw “<” when expecting an attribute name. Probable cause: Missing “>” immediately "
     "before.", "malformed_tags"),
    # not parsing defects
    ("The “center” element is obsolete. Use CSS instead.", None),
    ("Bad value “” for attribute “src” on element “img”: Must be non-empty.", None),
    ("Element “img” is missing required attribute “alt”.", None),
    ("Legacy encoding “windows-1251” used. Documents must use UTF-8.", None),
])
def test_wcag_411_categories_of_real_vnu_messages(text, cat):
    assert wcag411_category({"type": "error", "message": text}) == cat


def test_warnings_never_count_for_wcag_411():
    m = {"type": "info", "subType": "warning", "message": "The first occurrence of ID “a” was here."}
    assert wcag411_category(m) is None
    assert wcag411([("u", [m])])["total"] == 0


def test_judge_is_pure_on_stored_captures():
    """A capture round-tripped through to_dict/from_dict is judged the same."""
    site = site_with({"https://gov.test/oz/a": [err("Duplicate ID “x”.")]})
    v = site.pages[0].vnu
    site.pages[0].vnu = Validation.from_dict(v.to_dict())
    assert judge(site, None).status == "fail"


# --- end to end, with the service ------------------------------------------------------------

def _target(farm, path):
    u = farm.host_url("gov.test", path)
    return Target("v", "", "", "url", u, u.rstrip("/"))


@pytest.mark.java
def test_farm_valid_section_passes(farm, vnu):
    site = farm_capture(farm, _target(farm, "/validity/ok/"), ["vnu"], vnu, max_pages=5)
    f = run_probe(PROBE, site)
    assert f.status == "pass", f.summary
    assert f.details["pages_checked"] == 3 and f.details["errors"] == 0


@pytest.mark.java
def test_farm_broken_template_fails_with_its_messages_on_every_page(farm, vnu):
    site = farm_capture(farm, _target(farm, "/validity/broken/"), ["vnu"], vnu, max_pages=5)
    f = run_probe(PROBE, site)
    assert f.status == "fail"
    d = f.details
    assert d["pages_checked"] == 3 and d["pages_valid"] == 0
    texts = {e.data.get("text") for e in f.evidence}
    assert {"Duplicate ID “search”.", "Stray end tag “div”."} <= texts
    assert any("margin-top" in (t or "") for t in texts)  # vnu checks style attributes too
    common = {c["message"]: c for c in d["common_errors"]["items"]}
    assert common["Stray end tag “div”."]["documents"] == 3  # the template, on every page
    assert d["wcag_411"]["counts"]["items"]["duplicate_ids"] == 3
    assert d["wcag_411"]["counts"]["items"]["stray_tags"] == 3
    assert "WCAG 2.0 4.1.1" in f.summary
