"""wcag - WCAG 2.0 compliance, judged with axe-core on the rendered pages.

Rule (PP-308 item 9.20 / 47.9; UN LOSI #210): axe-core, injected into every rendered page
and its frames (open shadow DOM included, as axe supports it), runs the rules tagged
``wcag2a`` and ``wcag2aa``. The target **passes** when no such rule is violated on any
rendered page and **fails** on the first violation, because the UN counts any problem as a
failure. axe's "incomplete" results need a person to review them: they are reported, never
counted as failures. WCAG 2.1 A/AA (``wcag21a``, ``wcag21aa`` on top of the 2.0 rules) is
judged the same way and reported separately in ``details.wcag21`` (the UN's local index now
asks 2.1). Automated testing covers only part of WCAG: a pass here means "no failure axe can
detect", not conformance.
"""

from __future__ import annotations

import re
from typing import Any

from .base import (Artifact, Evidence, Finding, Probe, Status, UIStrings, bullets, counts,
                   error_finding, table)

ID = "wcag"
VERSION = "1.0"
NODES_SHOWN = 10
WCAG20_TAGS = frozenset({"wcag2a", "wcag2aa"})
WCAG21_TAGS = frozenset({"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"})

UI = UIStrings(ID, {
    # summaries
    "fail": "axe-core found {rules} WCAG 2.0 A/AA rule(s) violated on {pages} of {n} page(s), "
            "{nodes} element(s): {rule_ids}.",
    "pass": "axe-core found no WCAG 2.0 A/AA violation on {n} page(s). Automated testing "
            "covers only part of WCAG.",
    "pass_review": "axe-core found no WCAG 2.0 A/AA violation on {n} page(s); {review} rule(s) "
                   "need manual review. Automated testing covers only part of WCAG.",
    "pass_wcag21": "axe-core found no WCAG 2.0 A/AA violation on {n} page(s). Automated "
                   "testing covers only part of WCAG. WCAG 2.1 A/AA: {rules21} rule(s) "
                   "violated.",
    "pass_review_wcag21": "axe-core found no WCAG 2.0 A/AA violation on {n} page(s); {review} "
                          "rule(s) need manual review. Automated testing covers only part of "
                          "WCAG. WCAG 2.1 A/AA: {rules21} rule(s) violated.",
    "error_not_tested": "WCAG could not be tested: {error}",
    "error_no_page": "WCAG could not be tested: no page was tested with axe-core",
    # notes and evidence messages
    "note": "Automated testing (axe-core) covers only part of WCAG: many success criteria "
            "(meaningful alternative text, captions, keyboard operation, reading order...) "
            "need a person. A pass means no automatically detectable failure, not "
            "conformance. \"Needs review\" items are axe's incomplete results: not failures, "
            "to be checked by hand.",
    "violation": "{rule} ({impact}): {help}",
    "violation_criteria": "{rule} ({impact}): {help} - WCAG {criteria}",
    "not_available": "n/a",
    "no_axe_result": "no axe result",
    # details titles
    "title_violations": "WCAG 2.0 A/AA violations",
    "title_rules": "WCAG 2.0 A/AA rules violated",
    "title_rules21": "WCAG 2.1 A/AA rules violated",
    "title_needs_review": "Needs review (axe incomplete)",
    "title_pages_not_judged": "Pages not judged",
    "title_only_21_rules": "Rules violated only under WCAG 2.1",
})
NOTE = UI.text("note")
RULE_HEADINGS = ("rule", "impact", "criteria", "pages_count", "nodes", "help_url")
_SC = re.compile(r"^wcag(\d)(\d)(\d+)$")


def criteria(tags: list[str]) -> list[str]:
    """WCAG success criteria named by axe tags: ``wcag143`` -> ``1.4.3``."""
    out = []
    for t in tags or []:
        m = _SC.match(t)
        if m:
            out.append(".".join(m.groups()))
    return out


def level(tags: list[str]) -> str:
    """The WCAG version/level an axe rule belongs to, from its tags."""
    for t, lv in (("wcag2a", "2.0 A"), ("wcag2aa", "2.0 AA"), ("wcag21a", "2.1 A"),
                  ("wcag21aa", "2.1 AA"), ("wcag22aa", "2.2 AA")):
        if t in (tags or []):
            return lv
    return ""


def is_wcag20(rule: dict) -> bool:
    """A rule counts for WCAG 2.0 when axe tags it wcag2a or wcag2aa."""
    return bool(WCAG20_TAGS & set(rule.get("tags") or []))


def is_wcag21(rule: dict) -> bool:
    """A rule counts for WCAG 2.1 A/AA when tagged wcag2a, wcag2aa, wcag21a or wcag21aa."""
    return bool(WCAG21_TAGS & set(rule.get("tags") or []))


def _evidence(url: str, rule: dict, version: str) -> Evidence:
    nodes = rule.get("nodes") or []
    count = int(rule.get("node_count") or len(nodes))
    shown = [{"selector": " ".join(map(str, n.get("target") or [])) if isinstance(
                  n.get("target"), list) else str(n.get("target")),
              "html": n.get("html", ""), "summary": n.get("failureSummary", "")}
             for n in nodes[:NODES_SHOWN]]
    crit = criteria(rule.get("tags") or [])
    impact = rule.get("impact") or UI.text("not_available")
    return Evidence(
        url, "element", snippet=shown[0]["html"] if shown else "",
        selector=shown[0]["selector"] if shown else "",
        message=UI.text("violation_criteria", rule=rule["id"], impact=impact,
                        help=rule.get("help", ""), criteria=", ".join(crit)) if crit else
        UI.text("violation", rule=rule["id"], impact=impact, help=rule.get("help", "")),
        data={"rule": rule["id"], "impact": rule.get("impact"), "criteria": crit,
              "level": level(rule.get("tags") or []), "wcag": version,
              "help_url": rule.get("helpUrl", ""), "nodes": shown,
              "more_nodes": max(0, count - len(shown)), "node_count": count})


def _page_summary(url: str, axe: dict) -> dict[str, Any]:
    v20 = [r for r in axe.get("violations", []) if is_wcag20(r)]
    v21 = [r for r in axe.get("violations", []) if is_wcag21(r)]
    inc = [r for r in axe.get("incomplete", []) if is_wcag21(r)]
    return {
        "url": url,
        "status": "fail" if v20 else "pass",
        "violations": {r["id"]: r.get("node_count", 0) for r in v20},
        "wcag21_status": "fail" if v21 else "pass",
        "wcag21_violations": {r["id"]: r.get("node_count", 0) for r in v21},
        "needs_review": {r["id"]: r.get("node_count", 0) for r in inc},
        "passed_rules": len(axe.get("passes", [])),
    }


def judge(site, ctx) -> Finding:
    """WCAG 2.0 A/AA by axe-core: 0 violations on every rendered page = pass, any = fail;
    incomplete = needs review (never a failure); WCAG 2.1 A/AA reported in details.wcag21."""
    judged: list[tuple[str, dict]] = []
    unjudged: list[dict[str, str]] = []
    for page in site.pages:
        r = page.rendered
        if r is None or r.axe is None:
            continue
        url = r.url or page.url
        if r.axe.get("error") or "violations" not in r.axe:
            unjudged.append({"url": url, "error": r.axe.get("error", UI.text("no_axe_result")),
                             "cause": r.axe.get("cause", "render-failed")})
        else:
            judged.append((url, r.axe))
    if not judged:
        cause = unjudged[0]["cause"] if unjudged else "not-captured"
        return error_finding(ID, site.start_url, cause,
                             UI.text("error_not_tested", error=unjudged[0]["error"])
                             if unjudged else UI.text("error_no_page"), VERSION,
                             pages_not_judged=_unjudged_table(unjudged), note=NOTE)

    pages = [_page_summary(u, a) for u, a in judged]
    evidence: list[Evidence] = []
    agg20: dict[str, dict[str, Any]] = {}
    agg21: dict[str, dict[str, Any]] = {}
    review: dict[str, dict[str, int]] = {}
    for url, axe in judged:
        for rule in axe.get("violations", []):
            if is_wcag20(rule):
                evidence.append(_evidence(url, rule, "2.0"))
            elif is_wcag21(rule):
                evidence.append(_evidence(url, rule, "2.1"))
            for agg, pred in ((agg20, is_wcag20), (agg21, is_wcag21)):
                if pred(rule):
                    a = agg.setdefault(rule["id"], {
                        "impact": rule.get("impact"), "criteria": criteria(rule.get("tags")),
                        "help_url": rule.get("helpUrl", ""), "pages": {}})
                    a["pages"][url] = rule.get("node_count", 0)
        for rule in axe.get("incomplete", []):
            if is_wcag21(rule):
                review.setdefault(rule["id"], {})[url] = rule.get("node_count", 0)
    # 2.0 evidence first, the most serious first
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    evidence.sort(key=lambda e: (e.data["wcag"] != "2.0", order.get(e.data["impact"], 4)))

    def totals(agg):
        return {"rules": len(agg), "pages": len({u for a in agg.values() for u in a["pages"]}),
                "nodes": sum(n for a in agg.values() for n in a["pages"].values())}

    c20, c21 = totals(agg20), totals(agg21)
    status = Status.FAIL if agg20 else Status.PASS
    versions = sorted({a.get("axe_version", "") for _, a in judged} - {""})
    details: dict[str, Any] = {
        "note": NOTE,
        "axe_version": versions[0] if len(versions) == 1 else versions,
        "tags_judged": sorted(WCAG20_TAGS),
        "pages_judged": len(judged),
        "pages_not_judged": _unjudged_table(unjudged),
        "violations": counts(c20, title=UI.text("title_violations")),
        "rules_x_pages": _rules_table(agg20, UI.text("title_rules")),
        "needs_review": table([{"rule": rid, "pages_count": len(by_page),
                                "nodes": sum(by_page.values()), "pages": by_page}
                               for rid, by_page in review.items()],
                              headings=["rule", "pages_count", "nodes", "pages"],
                              title=UI.text("title_needs_review")),
        # per page, as axe judged it (left a plain list: bench/act_rules.py reads it)
        "pages": pages,
        "wcag21": {"status": "fail" if agg21 else "pass", "tags": sorted(WCAG21_TAGS),
                   **c21, "rules_x_pages": _rules_table(agg21, UI.text("title_rules21")),
                   "only_21_rules": bullets(sorted(set(agg21) - set(agg20)),
                                            title=UI.text("title_only_21_rules"))},
        "coverage": "automated-partial",
    }
    if status is Status.FAIL:
        summary = UI("fail", rules=c20["rules"], pages=c20["pages"], n=len(judged),
                     nodes=c20["nodes"], rule_ids=", ".join(sorted(agg20)))
    else:
        key = ("pass_review" if review else "pass") + ("_wcag21" if agg21 else "")
        params = {"n": len(judged)}
        if review:
            params["review"] = len(review)
        if agg21:
            params["rules21"] = c21["rules"]
        summary = UI(key, **params)
    return Finding(ID, status, judged[0][0], summary, evidence, details)


def _rules_table(agg: dict[str, dict[str, Any]], title: str) -> dict[str, Any]:
    """Violated rules, one row each: impact, criteria, on how many pages and elements, the
    help page; ``pages`` (page URL -> elements) stays in each item."""
    return table([{"rule": rid, "impact": a["impact"], "criteria": a["criteria"],
                   "pages_count": len(a["pages"]), "nodes": sum(a["pages"].values()),
                   "help_url": a["help_url"], "pages": a["pages"]} for rid, a in agg.items()],
                 headings=RULE_HEADINGS, title=title)


def _unjudged_table(unjudged: list[dict[str, str]]) -> dict[str, Any]:
    return table(unjudged, headings=["url", "error", "cause"],
                 title=UI.text("title_pages_not_judged"))


PROBE = Probe(id=ID, version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.RENDERED, Artifact.AXE}),
              judge=judge)
