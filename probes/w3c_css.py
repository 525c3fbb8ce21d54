"""w3c-css - W3C CSS validity (OSI #195/#196, LOSI #209).

Every style sheet a crawled page uses is checked as CSS by the Nu HTML Checker's CSS checker
(run locally by ``crawler.validate``, ``Page.css``): linked sheets (``<link
rel=stylesheet>``, fetched), sheets they ``@import`` (one level), ``<style>`` blocks
(``inline:<page>#style[n]``) and ``style`` attributes (``inline:<page>#style-attributes``,
each message mapped back to its element). The UN rule is the validator's default verdict:
**any error fails**; warnings are counted, never failing.

A sheet linked from many pages is checked and counted once. ``details`` gives each sheet's
counts and the pages using it, each page's totals, and the most common messages with their
share (a site-wide theme sheet with 90 % of the errors is one fix, not ninety).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crawler.causes import Cause

from .base import Artifact, Context, Evidence, Finding, Probe, Status, error_finding
from .w3c_markup import EVIDENCE_CAP, capped_evidence, common_messages, is_error, is_warning, pct

VERSION = "1.0"


def sheet_kind(url: str) -> str:
    """linked (an external sheet, linked or @imported) | style-element | style-attributes."""
    if url.startswith("inline:"):
        return "style-attributes" if url.endswith("#style-attributes") else "style-element"
    return "linked"


def page_of(url: str) -> str:
    """The page URL of an inline sheet id ``inline:<page>#style[n]`` (else the url)."""
    if url.startswith("inline:"):
        return url[len("inline:"):].rsplit("#", 1)[0]
    return url


def collect_sheets(pages) -> tuple[dict[str, dict], list[dict]]:
    """Distinct sheets (url -> {validation, pages}) and per-page totals."""
    sheets: dict[str, dict] = {}
    per_page = []
    for p in pages:
        e = w = 0
        for v in p.css:
            rec = sheets.setdefault(v.url, {"validation": v, "pages": []})
            if p.url not in rec["pages"]:
                rec["pages"].append(p.url)
            if v.error is None:
                e += len(v.errors)
                w += len(v.warnings)
        per_page.append({"url": p.url, "sheets": len(p.css), "errors": e, "warnings": w,
                         "valid": e == 0,
                         "not_checked": sum(1 for v in p.css if v.error is not None)})
    return sheets, per_page


def judge(site, ctx: Context) -> Finding:
    """Pass iff every style sheet the crawled pages use (linked, @imported, <style> blocks,
    style attributes), checked by the Nu HTML Checker's CSS checker, has 0 errors; fail on
    any error. Warnings are counted but never fail. Sheets that could not be fetched or
    checked are listed; when no sheet could be checked the finding is ``error`` with the
    cause; when some could not and the others have no error, ``warn``. Pages that use no CSS
    at all give ``not_applicable``."""
    url = site.start_url
    pages = site.html_pages()
    sheets, per_page = collect_sheets(pages)
    if not sheets:
        if "css" not in site.gathered:
            return error_finding("w3c-css", url, str(Cause.NOT_CAPTURED),
                                 "The style sheets were not gathered in this run.", VERSION)
        return Finding("w3c-css", Status.NOT_APPLICABLE, url,
                       f"The {len(pages)} page(s) crawled use no style sheet.",
                       [Evidence(url, "message", message="no <link rel=stylesheet>, <style> "
                                 "or style attribute on the crawled pages")],
                       {"pages": per_page, "sheets": []})
    checked = {u: r for u, r in sheets.items() if r["validation"].error is None}
    failed = {u: r for u, r in sheets.items() if r["validation"].error is not None}
    if not checked:
        err = next(iter(failed.values()))["validation"].error
        return error_finding("w3c-css", url, str(err.cause),
                             f"No style sheet could be checked: {err.message}", VERSION,
                             sheets=[{"url": u, "cause": str(r["validation"].error.cause),
                                      "detail": r["validation"].error.detail}
                                     for u, r in list(failed.items())[:20]])
    docs = [(u, r["validation"].messages) for u, r in checked.items()]
    rows = []
    for u, r in sheets.items():
        v = r["validation"]
        row: dict[str, Any] = {"url": u, "kind": sheet_kind(u), "pages": r["pages"][:5],
                               "pages_count": len(r["pages"])}
        if v.error is None:
            row.update(errors=len(v.errors), warnings=len(v.warnings), valid=not v.errors,
                       messages=[{"type": "error" if is_error(m) else "warning",
                                  "line": m.get("lastLine"), "text": m.get("message"),
                                  **({"element": m["element"]} if m.get("element") else {})}
                                 for m in v.messages if is_error(m) or is_warning(m)][:20])
        else:
            row.update(cause=str(v.error.cause), detail=v.error.detail,
                       content_type=v.content_type)
        rows.append(row)
    n_err = sum(len(r["validation"].errors) for r in checked.values())
    n_warn = sum(len(r["validation"].warnings) for r in checked.values())
    valid_sheets = sum(1 for r in checked.values() if not r["validation"].errors)
    common = common_messages(docs)
    for c in common:  # which sheets carry the message, for the "one fix" view
        c["example"]["kind"] = sheet_kind(c["example"]["url"])
    valid_pages = sum(1 for r in per_page if r["valid"] and r["sheets"])
    details: dict[str, Any] = {
        "sheets_checked": len(checked), "sheets_valid": valid_sheets,
        "sheets_not_checked": len(failed),
        "errors": n_err, "warnings": n_warn, "messages_total": n_err + n_warn,
        "evidence_cap": EVIDENCE_CAP,
        "sheets": rows, "pages": per_page,
        "pages_valid": valid_pages,
        "kinds": {k: sum(1 for u in sheets if sheet_kind(u) == k)
                  for k in ("linked", "style-element", "style-attributes")},
        "common_errors": common,
        "common_warnings": common_messages(docs, 5, "warning"),
        "validator": "Nu HTML Checker CSS checker (vnu-jar, local service)",
    }
    evidence = []
    for ev in capped_evidence(docs):
        if ev.url.startswith("inline:"):
            ev = replace(ev, url=page_of(ev.url), data={**ev.data, "sheet": ev.url})
        else:
            ev = replace(ev, data={**ev.data, "pages": sheets[ev.url]["pages"][:3]})
        evidence.append(ev)
    shown = len(evidence)
    if n_err + n_warn > shown:
        evidence.append(Evidence(url, "message", message=(
            f"{shown} of {n_err + n_warn} messages shown; all counts are in the details")))
    for u, r in list(failed.items())[:5]:
        evidence.append(Evidence(u, "file", message=(
            f"style sheet not checked: {r['validation'].error.message}"),
            data={"cause": str(r["validation"].error.cause), "pages": r["pages"][:3]}))
    scope = f"{len(checked)} style sheet(s) checked on {len(pages)} page(s)"
    if failed:
        scope += f", {len(failed)} could not be fetched or checked"
    if n_err:
        top = common[0]
        bad = len(checked) - valid_sheets
        return Finding("w3c-css", Status.FAIL, url, (
            f"CSS is not valid: {n_err} error(s) and {n_warn} warning(s) in {bad} of "
            f"{len(checked)} style sheet(s) ({scope}). Most common: {top['message']} "
            f"({pct(top['share'])} of the errors)."), evidence, details)
    if failed:
        return Finding("w3c-css", Status.WARN, url,
                       f"No CSS error in the {len(checked)} style sheet(s) checked, but "
                       f"{len(failed)} could not be fetched or checked.", evidence, details)
    return Finding("w3c-css", Status.PASS, url,
                   f"CSS is valid: 0 errors in {len(checked)} style sheet(s) on {len(pages)} "
                   f"page(s), {n_warn} warning(s).",
                   evidence or [Evidence(url, "message", message=scope)], details)


PROBE = Probe(id="w3c-css", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.CSS}), judge=judge)
