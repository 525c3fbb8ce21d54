"""What changed between runs, and which changes are regressions. One rule, one place: the
report's "changes since the previous run", ``govscan diff`` and the run summary all use these
pure functions over finding rows (``store.findings(run)``: ``target_id``, ``indicator``,
``status``, ``summary``, ``evidence``).

The rules:

* **met** is ``pass`` or ``warn``; **failing** is ``fail``; ``error``, ``manual`` and
  ``not_applicable`` are *unjudged* - an outage is not a change of the site;
* a pair (target, indicator) present in both runs is **newly failing** (met -> fail),
  **newly passing** (fail -> met), **still failing** (fail -> fail), **changed evidence**
  (same status, different evidence fingerprint), **unjudged** (either side unjudged, with a
  different status), or unchanged; a pair in one run only is **new** or **gone**;
* the evidence fingerprint is the sorted (url, kind, selector, snippet) of its items, so a new
  crawl date or a reordered list is not a change, but another element or page is;
* a **regression** is an indicator that was met and has then been failing in the last ``n``
  or more runs that judged it (default 2): one failing night does not alert; it stays a
  regression until the indicator is met again. Runs where the finding
  is unjudged or missing are skipped, neither breaking nor extending the streak.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

MET = ("pass", "warn")
FAILING = ("fail",)
KINDS = ("newly_failing", "newly_passing", "still_failing", "changed_evidence", "unjudged",
         "new", "gone", "unchanged")


def judged(status: str | None) -> bool:
    return status in MET or status in FAILING


def fingerprint(evidence: Iterable[dict]) -> str:
    """A short hash of what the evidence points at (not when it was seen)."""
    items = sorted(json.dumps([e.get("url", ""), e.get("kind", ""), e.get("selector", ""),
                               e.get("snippet", "")], ensure_ascii=False)
                   for e in evidence or [])
    return hashlib.sha1("\n".join(items).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Change:
    target_id: str
    indicator: str
    kind: str  # one of KINDS
    before: str  # status in the earlier run ("" when absent)
    after: str  # status in the later run ("" when absent)
    before_summary: str = ""
    after_summary: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def classify(before: dict | None, after: dict | None) -> str:
    """The kind of change from one finding row to the next (either may be None)."""
    if before is None:
        return "new"
    if after is None:
        return "gone"
    b, a = before["status"], after["status"]
    if b in MET and a in FAILING:
        return "newly_failing"
    if b in FAILING and a in MET:
        return "newly_passing"
    if b in FAILING and a in FAILING:
        return "still_failing"
    if b != a:
        return "unjudged" if not (judged(a) and judged(b)) else "changed_evidence"
    if fingerprint(before.get("evidence", [])) != fingerprint(after.get("evidence", [])):
        return "changed_evidence"
    return "unchanged"


def _by_key(rows: Iterable[dict]) -> dict[tuple[str, str], dict]:
    return {(r["target_id"], r["indicator"]): r for r in rows}


def compare(before_rows: Iterable[dict], after_rows: Iterable[dict],
            include_unchanged: bool = False) -> list[Change]:
    """Every (target, indicator) change from one run's findings to another's, sorted by
    target then indicator."""
    before, after = _by_key(before_rows), _by_key(after_rows)
    out: list[Change] = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        kind = classify(b, a)
        if kind == "unchanged" and not include_unchanged:
            continue
        out.append(Change(key[0], key[1], kind, b["status"] if b else "",
                          a["status"] if a else "", (b or {}).get("summary", ""),
                          (a or {}).get("summary", "")))
    return out


def counts(changes: Iterable[Change]) -> dict[str, int]:
    out = {k: 0 for k in KINDS}
    for c in changes:
        out[c.kind] += 1
    return out


def is_regression(statuses: Sequence[str], n: int = 2) -> bool:
    """``statuses`` oldest first, one per run (``""`` when absent). True when the judged
    statuses end in a streak of at least ``n`` failing ones that follows a met one: flagged
    from the run that completes the streak until the indicator is met again."""
    seq = [s for s in statuses if judged(s)]
    streak = 0
    while streak < len(seq) and seq[-1 - streak] in FAILING:
        streak += 1
    return n >= 1 and streak >= n and streak < len(seq) and seq[-1 - streak] in MET


def regressions(history: Sequence[Iterable[dict]], n: int = 2) -> list[tuple[str, str]]:
    """(target, indicator) pairs that regressed, from the finding rows of consecutive runs
    (oldest first; the last is the run being judged). Only pairs whose latest run judged them
    failing count, so a regression is reported on the run that completes the streak and on
    every later failing run until it is fixed."""
    runs = [_by_key(rows) for rows in history]
    if not runs:
        return []
    out = []
    for key in sorted(runs[-1]):
        if runs[-1][key]["status"] not in FAILING:
            continue
        seq = [r[key]["status"] if key in r else "" for r in runs]
        if is_regression(seq, n):
            out.append(key)
    return out
