"""w3c-markup - W3C markup validity (OSI #195/#196, LOSI #208).

Each crawled HTML page, **as served** (the response bytes with their real media type and
charset, not the rendered DOM), is checked by the Nu HTML Checker - the engine behind
validator.w3.org/nu - run locally by ``crawler.validator`` (``Page.vnu``). The UN rule is the
validator's default verdict: **any error fails**; warnings are counted, never failing.

``details`` gives what an auditor needs to act:

* per page: errors, warnings, valid or not, the Content-Type sent;
* per target: how many pages are valid, and the most common messages with their share of all
  errors and of the pages ("Stray end tag “div”: 80 % of the errors, on 30 of 30 pages" points
  at the site template rather than at one article);
* ``wcag_411``: the errors that matter to WCAG 2.0 success criterion 4.1.1 Parsing
  (duplicate ids, unclosed elements, stray tags, bad nesting, duplicate attributes, malformed
  tags; the patterns are data in ``probes/data/vnu_wcag411.toml``), counted by category.

Evidence is each message (type, line, column, text, extract), errors first, taken in turn
from each page and capped at ``EVIDENCE_CAP``; the total is in ``details``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any, Iterable

from crawler.artifacts import is_vnu_error as is_error, is_vnu_warning as is_warning
from crawler.causes import Cause

from .base import (Artifact, Context, Evidence, Finding, Probe, Status, UIStrings, counts,
                   error_finding, table, data_file)

VERSION = "1.0"
EVIDENCE_CAP = 50
COMMON_TOP = 10

UI = UIStrings("w3c-markup", {
    # summaries ({scope} is "scope" or "scope_unchecked" below; {share} a percentage)
    "fail": "Markup is not valid: {n_err} error(s) and {n_warn} warning(s); {valid} of {n} "
            "page(s) valid ({scope}). Most common: {top} ({share} of the errors, on {docs} of "
            "{n} page(s)).",
    "fail_wcag411": "Markup is not valid: {n_err} error(s) and {n_warn} warning(s); {valid} of "
                    "{n} page(s) valid ({scope}). Most common: {top} ({share} of the errors, "
                    "on {docs} of {n} page(s)). {n_411} error(s) matter to WCAG 2.0 4.1.1 "
                    "Parsing.",
    "warn_unchecked": "No markup error on the {n} page(s) validated, but {k} page(s) could not "
                      "be validated.",
    "pass": "Markup is valid: 0 errors on {n} page(s), {n_warn} warning(s).",
    "error_not_validated": "No page could be validated: {error}",
    "error_nothing": "No HTML page was validated (nothing to judge).",
    "scope": "{n} page(s) validated",
    "scope_unchecked": "{n} page(s) validated, {k} could not be",
    # evidence messages
    "message": "{type}: {text}",
    "message_at": "{type}: {text} ({where})",
    "line": "line {line}",
    "line_column": "line {line}, column {column}",
    "shown_of": "{shown} of {total} messages shown; all counts are in the details",
    "no_error": "the Nu HTML Checker found no error on {n} page(s)",
    # details
    "not_validated": "not validated",
    "validator": "Nu HTML Checker (vnu-jar, local service)",
    "title_pages": "Pages",
    "title_common_errors": "Most common errors",
    "title_common_warnings": "Most common warnings",
    "title_wcag411_counts": "WCAG 2.0 4.1.1 Parsing errors, by category",
    "title_wcag411_examples": "WCAG 2.0 4.1.1 Parsing errors, examples",
    "title_not_validated": "Pages not validated",
})

# the columns of a "most common messages" table (w3c-css uses them too)
COMMON_HEADINGS = ("message", "count", "share", "documents", "document_share")


@lru_cache(maxsize=1)
def _wcag411_rules() -> tuple[tuple[str, str, tuple[re.Pattern, ...]], ...]:
    data = data_file("vnu_wcag411")
    return tuple((key, v.get("label", key), tuple(re.compile(p) for p in v["patterns"]))
                 for key, v in data.items())


def wcag411_category(m: dict) -> str | None:
    """The WCAG 2.0 4.1.1 Parsing category of an error message (duplicate_ids,
    duplicate_attributes, unclosed_elements, stray_tags, bad_nesting, malformed_tags), or
    None when the error is not a parsing defect (an obsolete element, a bad attribute
    value...). Warnings never count."""
    if not is_error(m):
        return None
    text = m.get("message") or ""
    for key, _label, pats in _wcag411_rules():
        if any(p.search(text) for p in pats):
            return key
    return None


def wcag411(docs: Iterable[tuple[str, list[dict]]], examples: int = 3) -> dict[str, Any]:
    """Counts (and a few examples) of the 4.1.1-relevant errors over ``(url, messages)``."""
    counts: Counter = Counter()
    ex: dict[str, list] = defaultdict(list)
    for url, msgs in docs:
        for m in msgs:
            cat = wcag411_category(m)
            if cat is None:
                continue
            counts[cat] += 1
            if len(ex[cat]) < examples:
                ex[cat].append({"url": url, "line": m.get("lastLine"),
                                "message": m.get("message"), "extract": m.get("extract", "")})
    labels = {k: lbl for k, lbl, _ in _wcag411_rules()}
    return {"total": sum(counts.values()),
            "counts": {k: counts.get(k, 0) for k in labels},
            "labels": labels,
            "examples": dict(ex)}


def common_messages(docs: list[tuple[str, list[dict]]], top: int = COMMON_TOP,
                    kind: str = "error") -> list[dict[str, Any]]:
    """The most frequent messages of ``kind`` (error | warning) over ``(url, messages)``,
    each with its count, its share of all such messages, on how many documents it occurs and
    that share of the documents checked, and one example."""
    pick = is_error if kind == "error" else is_warning
    count: Counter = Counter()
    where: dict[str, set] = defaultdict(set)
    example: dict[str, dict] = {}
    total = 0
    for url, msgs in docs:
        for m in msgs:
            if not pick(m):
                continue
            text = m.get("message") or ""
            total += 1
            count[text] += 1
            where[text].add(url)
            example.setdefault(text, {"url": url, "line": m.get("lastLine"),
                                      "extract": m.get("extract", "")})
    n_docs = len(docs) or 1
    return [{"message": text, "count": n, "share": round(n / total, 3),
             "documents": len(where[text]), "document_share": round(len(where[text]) / n_docs, 3),
             "example": example[text]}
            for text, n in count.most_common(top)]


def position(m: dict) -> str:
    line, col = m.get("lastLine") or m.get("firstLine"), m.get("firstColumn") or m.get(
        "lastColumn")
    if line is None:
        return ""
    return UI.text("line_column", line=line, column=col) if col is not None else \
        UI.text("line", line=line)


def message_evidence(url: str, m: dict, kind: str = "message") -> Evidence:
    """One vnu message as evidence: type, line, column, text, extract."""
    typ = "error" if is_error(m) else ("warning" if is_warning(m) else m.get("type", "info"))
    where = position(m)
    data = {"type": typ, "line": m.get("lastLine") or m.get("firstLine"),
            "column": m.get("firstColumn") or m.get("lastColumn"),
            "text": m.get("message", "")}
    for k in ("element", "snippet", "page"):
        if m.get(k):
            data[k] = m[k]
    return Evidence(url, kind, m.get("extract", "") or m.get("snippet", ""),
                    selector=m.get("element", ""),
                    message=UI.text("message_at", type=typ, text=m.get("message", ""),
                                    where=where) if where else
                    UI.text("message", type=typ, text=m.get("message", "")),
                    data=data)


def capped_evidence(docs: list[tuple[str, list[dict]]], cap: int = EVIDENCE_CAP) -> list[Evidence]:
    """Errors first, then warnings; taken in turn from each document so that every page
    shows up before one page's hundred errors fill the cap."""
    out: list[Evidence] = []
    for pick in (is_error, is_warning):
        queues = [(url, [m for m in msgs if pick(m)]) for url, msgs in docs]
        depth = max((len(q) for _, q in queues), default=0)
        for i in range(depth):
            for url, q in queues:
                if i < len(q):
                    if len(out) >= cap:
                        return out
                    out.append(message_evidence(url, q[i]))
    return out


def pct(x: float) -> str:
    return f"{round(100 * x)} %"


def judge(site, ctx: Context) -> Finding:
    """Pass iff every crawled HTML page, validated as served by the Nu HTML Checker (the
    validator.w3.org/nu engine, default options), has 0 errors; fail on any error. Warnings
    are counted but never fail. Pages that could not be validated are listed; when none
    could, the finding is ``error`` with the cause; when some could not and the others have
    no error, ``warn`` (the evidence is incomplete)."""
    url = site.start_url
    pages = site.html_pages()
    checked = [p for p in pages if p.vnu is not None and p.vnu.error is None]
    unchecked = [p for p in pages if p.vnu is None or p.vnu.error is not None]
    if not checked:
        err = next((p.vnu.error for p in unchecked if p.vnu is not None and p.vnu.error), None)
        if err is not None:
            return error_finding("w3c-markup", url, str(err.cause),
                                 UI.text("error_not_validated", error=err.message), VERSION)
        return error_finding("w3c-markup", url, str(Cause.NOT_CAPTURED),
                             UI.text("error_nothing"), VERSION)
    docs = [(p.url, p.vnu.messages) for p in checked]
    per_page = []
    for p in checked:
        e, w = len(p.vnu.errors), len(p.vnu.warnings)
        per_page.append({"url": p.url, "errors": e, "warnings": w, "valid": e == 0,
                         "content_type": p.vnu.content_type,
                         "wcag_411": sum(1 for m in p.vnu.messages if wcag411_category(m))})
    n_err = sum(r["errors"] for r in per_page)
    n_warn = sum(r["warnings"] for r in per_page)
    valid = sum(1 for r in per_page if r["valid"])
    common = common_messages(docs)
    w411 = wcag411(docs)
    details: dict[str, Any] = {
        "pages_checked": len(checked), "pages_valid": valid,
        "pages_invalid": len(checked) - valid,
        "errors": n_err, "warnings": n_warn,
        "messages_total": n_err + n_warn,
        "evidence_cap": EVIDENCE_CAP,
        "pages": table(per_page, headings=["url", "errors", "warnings", "valid",
                                           "content_type", "wcag_411"],
                       title=UI.text("title_pages")),
        "common_errors": table(common, headings=COMMON_HEADINGS,
                               title=UI.text("title_common_errors")),
        "common_warnings": table(common_messages(docs, 5, "warning"), headings=COMMON_HEADINGS,
                                 title=UI.text("title_common_warnings")),
        "wcag_411": {**w411,
                     "counts": counts(w411["counts"], title=UI.text("title_wcag411_counts")),
                     "examples": table([{"category": k, **e}
                                        for k, v in w411["examples"].items() for e in v],
                                       headings=["category", "url", "line", "message",
                                                 "extract"],
                                       title=UI.text("title_wcag411_examples"))},
        "not_validated": table([{"url": p.url, "cause": str(p.vnu.error.cause) if p.vnu else
                                 str(Cause.NOT_CAPTURED),
                                 "detail": p.vnu.error.detail if p.vnu
                                 else UI.text("not_validated")}
                                for p in unchecked], headings=["url", "cause", "detail"],
                               title=UI.text("title_not_validated")),
        "validator": UI.text("validator"),
    }
    evidence = capped_evidence(docs)
    shown = sum(1 for e in evidence if e.data.get("type") in ("error", "warning"))
    if n_err + n_warn > shown:
        evidence.append(Evidence(url, "message", message=UI.text(
            "shown_of", shown=shown, total=n_err + n_warn)))
    scope = (UI.text("scope_unchecked", n=len(checked), k=len(unchecked)) if unchecked
             else UI.text("scope", n=len(checked)))
    if n_err:
        top = common[0]
        params = dict(n_err=n_err, n_warn=n_warn, valid=valid, n=len(checked), scope=scope,
                      top=top["message"], share=pct(top["share"]), docs=top["documents"])
        summary = (UI("fail_wcag411", n_411=w411["total"], **params) if w411["total"]
                   else UI("fail", **params))
        return Finding("w3c-markup", Status.FAIL, url, summary, evidence, details)
    if unchecked:
        return Finding("w3c-markup", Status.WARN, url,
                       UI("warn_unchecked", n=len(checked), k=len(unchecked)),
                       evidence or [Evidence(url, "message", message=scope)], details)
    return Finding("w3c-markup", Status.PASS, url,
                   UI("pass", n=len(checked), n_warn=n_warn),
                   evidence or [Evidence(url, "message", message=UI.text(
                       "no_error", n=len(checked)))],
                   details)


PROBE = Probe(id="w3c-markup", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.VNU}), judge=judge)
