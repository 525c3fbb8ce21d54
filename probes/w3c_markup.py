"""w3c-markup - W3C markup validity (OSI #195/#196, LOSI #208).

Each crawled HTML page, **as served** (the response bytes with their real media type and
charset, not the rendered DOM), is checked by the Nu HTML Checker - the engine behind
validator.w3.org/nu - run locally by ``crawler.validate`` (``Page.vnu``). The UN rule is the
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
import tomllib
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from crawler.causes import Cause

from .base import Artifact, Context, Evidence, Finding, Probe, Status, error_finding

VERSION = "1.0"
EVIDENCE_CAP = 50
COMMON_TOP = 10
DATA = Path(__file__).parent / "data" / "vnu_wcag411.toml"


def is_error(m: dict) -> bool:
    """vnu's JSON: an error is ``type`` "error" (a "fatal" subType included) or a
    "non-document-error" (the checker could not read the document)."""
    return m.get("type") in ("error", "non-document-error")


def is_warning(m: dict) -> bool:
    """vnu's JSON: a warning is ``type`` "info" with ``subType`` "warning"."""
    return m.get("type") == "info" and m.get("subType") == "warning"


@lru_cache(maxsize=1)
def _wcag411_rules() -> tuple[tuple[str, str, tuple[re.Pattern, ...]], ...]:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
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
    return f"line {line}" + (f", column {col}" if col is not None else "")


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
                    message=f"{typ}: {m.get('message', '')}" + (f" ({where})" if where else ""),
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
                                 f"No page could be validated: {err.message}", VERSION)
        return error_finding("w3c-markup", url, str(Cause.NOT_CAPTURED),
                             "No HTML page was validated (nothing to judge).", VERSION)
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
        "pages": per_page,
        "common_errors": common,
        "common_warnings": common_messages(docs, 5, "warning"),
        "wcag_411": w411,
        "not_validated": [{"url": p.url, "cause": str(p.vnu.error.cause) if p.vnu else
                           str(Cause.NOT_CAPTURED),
                           "detail": p.vnu.error.detail if p.vnu else "not validated"}
                          for p in unchecked],
        "validator": "Nu HTML Checker (vnu-jar, local service)",
    }
    evidence = capped_evidence(docs)
    shown = sum(1 for e in evidence if e.data.get("type") in ("error", "warning"))
    if n_err + n_warn > shown:
        evidence.append(Evidence(url, "message", message=(
            f"{shown} of {n_err + n_warn} messages shown; all counts are in the details")))
    scope = f"{len(checked)} page(s) validated"
    if unchecked:
        scope += f", {len(unchecked)} could not be"
    if n_err:
        top = common[0]
        summary = (f"Markup is not valid: {n_err} error(s) and {n_warn} warning(s); "
                   f"{valid} of {len(checked)} page(s) valid ({scope}). Most common: "
                   f"{top['message']} ({pct(top['share'])} of the errors, on "
                   f"{top['documents']} of {len(checked)} page(s)).")
        if w411["total"]:
            summary += f" {w411['total']} error(s) matter to WCAG 2.0 4.1.1 Parsing."
        return Finding("w3c-markup", Status.FAIL, url, summary, evidence, details)
    if unchecked:
        return Finding("w3c-markup", Status.WARN, url,
                       f"No markup error on the {len(checked)} page(s) validated, but "
                       f"{len(unchecked)} page(s) could not be validated.",
                       evidence or [Evidence(url, "message", message=scope)], details)
    return Finding("w3c-markup", Status.PASS, url,
                   f"Markup is valid: 0 errors on {len(checked)} page(s), {n_warn} "
                   f"warning(s).",
                   evidence or [Evidence(url, "message", message=(
                       f"the Nu HTML Checker found no error on {len(checked)} page(s)"))],
                   details)


PROBE = Probe(id="w3c-markup", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.VNU}), judge=judge)
