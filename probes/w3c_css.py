"""w3c-css - W3C CSS validity (OSI #195/#196, LOSI #209).

Every style sheet a crawled page uses is checked as CSS by the Nu HTML Checker's CSS checker
(run locally by ``crawler.validator``, ``Page.css``): linked sheets (``<link
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

from crawler.artifacts import is_vnu_error as is_error, is_vnu_warning as is_warning
from crawler.causes import Cause

from .base import (Artifact, Context, Evidence, Finding, Probe, Status, UIStrings, counts,
                   error_finding, table)
from .w3c_markup import COMMON_HEADINGS, EVIDENCE_CAP, capped_evidence, common_messages, pct

VERSION = "1.0"

UI = UIStrings("w3c-css", {
    # summaries ({scope} is "scope" or "scope_unchecked" below; {share} a percentage)
    "fail": "CSS is not valid: {n_err} error(s) and {n_warn} warning(s) in {bad} of {n} style "
            "sheet(s) ({scope}). Most common: {top} ({share} of the errors).",
    "warn_unchecked": "No CSS error in the {n} style sheet(s) checked, but {k} could not be "
                      "fetched or checked.",
    "pass": "CSS is valid: 0 errors in {n} style sheet(s) on {pages} page(s), {n_warn} "
            "warning(s).",
    "not_applicable": "The {pages} page(s) crawled use no style sheet.",
    "error_not_gathered": "The style sheets were not gathered in this run.",
    "error_none_checked": "No style sheet could be checked: {error}",
    "scope": "{n} style sheet(s) checked on {pages} page(s)",
    "scope_unchecked": "{n} style sheet(s) checked on {pages} page(s), {k} could not be "
                       "fetched or checked",
    # evidence messages
    "no_css": "no <link rel=stylesheet>, <style> or style attribute on the crawled pages",
    "shown_of": "{shown} of {total} messages shown; all counts are in the details",
    "sheet_not_checked": "style sheet not checked: {error}",
    # details
    "validator": "Nu HTML Checker CSS checker (vnu-jar, local service)",
    "title_sheets": "Style sheets",
    "title_pages": "Pages",
    "title_kinds": "Style sheets, by kind",
    "title_common_errors": "Most common errors",
    "title_common_warnings": "Most common warnings",
    "title_not_checked": "Style sheets not checked",
})

SHEET_HEADINGS = ("url", "kind", "pages_count", "errors", "warnings", "valid", "cause",
                  "detail")
PAGE_HEADINGS = ("url", "sheets", "errors", "warnings", "valid", "not_checked")


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
                                 UI.text("error_not_gathered"), VERSION)
        return Finding("w3c-css", Status.NOT_APPLICABLE, url,
                       UI("not_applicable", pages=len(pages)),
                       [Evidence(url, "message", message=UI.text("no_css"))],
                       {"pages": table(per_page, headings=PAGE_HEADINGS,
                                       title=UI.text("title_pages")),
                        "sheets": table([], headings=SHEET_HEADINGS,
                                        title=UI.text("title_sheets"))})
    checked = {u: r for u, r in sheets.items() if r["validation"].error is None}
    failed = {u: r for u, r in sheets.items() if r["validation"].error is not None}
    if not checked:
        err = next(iter(failed.values()))["validation"].error
        return error_finding("w3c-css", url, str(err.cause),
                             UI.text("error_none_checked", error=err.message), VERSION,
                             sheets=table([{"url": u, "cause": str(r["validation"].error.cause),
                                            "detail": r["validation"].error.detail}
                                           for u, r in list(failed.items())[:20]],
                                          headings=["url", "cause", "detail"],
                                          title=UI.text("title_not_checked")))
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
        "sheets": table(rows, headings=SHEET_HEADINGS, title=UI.text("title_sheets")),
        "pages": table(per_page, headings=PAGE_HEADINGS, title=UI.text("title_pages")),
        "pages_valid": valid_pages,
        "kinds": counts({k: sum(1 for u in sheets if sheet_kind(u) == k)
                         for k in ("linked", "style-element", "style-attributes")},
                        title=UI.text("title_kinds")),
        "common_errors": table(common, headings=COMMON_HEADINGS,
                               title=UI.text("title_common_errors")),
        "common_warnings": table(common_messages(docs, 5, "warning"), headings=COMMON_HEADINGS,
                                 title=UI.text("title_common_warnings")),
        "validator": UI.text("validator"),
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
        evidence.append(Evidence(url, "message", message=UI.text(
            "shown_of", shown=shown, total=n_err + n_warn)))
    for u, r in list(failed.items())[:5]:
        evidence.append(Evidence(u, "file", message=UI.text(
            "sheet_not_checked", error=r["validation"].error.message),
            data={"cause": str(r["validation"].error.cause), "pages": r["pages"][:3]}))
    scope = (UI.text("scope_unchecked", n=len(checked), pages=len(pages), k=len(failed))
             if failed else UI.text("scope", n=len(checked), pages=len(pages)))
    if n_err:
        top = common[0]
        bad = len(checked) - valid_sheets
        return Finding("w3c-css", Status.FAIL, url, UI(
            "fail", n_err=n_err, n_warn=n_warn, bad=bad, n=len(checked), scope=scope,
            top=top["message"], share=pct(top["share"])), evidence, details)
    if failed:
        return Finding("w3c-css", Status.WARN, url,
                       UI("warn_unchecked", n=len(checked), k=len(failed)), evidence, details)
    return Finding("w3c-css", Status.PASS, url,
                   UI("pass", n=len(checked), pages=len(pages), n_warn=n_warn),
                   evidence or [Evidence(url, "message", message=scope)], details)


PROBE = Probe(id="w3c-css", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.CSS}), judge=judge)
