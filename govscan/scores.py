"""UN-style scores: the share of indicators met, per target and per criterion.

The rules (indicators.md D):

* the UN scores each indicator 0/1 and reports the share met; ``pass`` and ``warn`` are met;
* **strict** counts every indicator of the criterion, and one that is ``manual`` without a
  verdict, ``error``, or not judged in the run counts as 0 (as the UN does);
* **coverage-adjusted** leaves out what was not judged (``manual`` without a verdict,
  ``error``, not run) and shares the met ones among the rest;
* ``not_applicable`` is left out of both;
* bands: > 0.75 very high, 0.50-0.75 high, 0.25-0.50 middle, < 0.25 low;
* an auditor's valid verdict (``store.verdicts``) decides the indicator's status for the
  score; the automatic finding is still shown beside it (the report never hides either);
* a single site gets a "share of indicators met", never an "OSI value" (a real OSI is
  normalised across 193 countries).

The criteria: ``osi`` - PP-308 item 9, the national portal's technology indicators; ``losi`` -
item 47, the hokimiyat sections' technology indicators; ``content`` - items 10-12 and 48-50,
the content indicators every target is checked on. An indicator belongs to a criterion when
its catalogue entry names that item. ``legacy-redirect`` (a CoM resolution, not PP-308) is in
none.

Pure functions: the runner stores what ``target_scores`` returns with the run, the report and
the run summary read it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from probes import catalogue

MET = ("pass", "warn")
NOT_JUDGED = ("manual", "error", "")  # "" = no finding in this run
CRITERIA = ("osi", "losi", "content")
CRITERION_TITLES = {
    "osi": "OSI technology indicators (PP-308 item 9)",
    "losi": "LOSI technology indicators (PP-308 item 47)",
    "content": "Content indicators (PP-308 items 10-12, 48-50)",
}
BANDS = ((0.75, "very-high"), (0.5, "high"), (0.25, "middle"))  # strictly above / at-or-above


def band(share: float | None) -> str:
    """LOSI bands: > 0.75 very high, 0.50-0.75 high, 0.25-0.50 middle, < 0.25 low
    (``""`` when there is no share)."""
    if share is None:
        return ""
    if share > 0.75:
        return "very-high"
    if share >= 0.5:
        return "high"
    if share >= 0.25:
        return "middle"
    return "low"


def criterion_indicators(criterion: str) -> list[str]:
    """The indicator ids of one criterion, in catalogue order."""
    marker = {"osi": "item 9.", "losi": "item 47.", "content": "items 10-12, 48-50"}[criterion]
    return [i.id for i in catalogue.INDICATORS if marker in i.decree]


def criteria_for(level: str) -> tuple[str, ...]:
    """The national portal is scored on OSI, every other target (hokimiyat sections, regional
    portals) on LOSI; every target on the content indicators."""
    return ("osi", "content") if level == "national" else ("losi", "content")


def effective_status(automatic: str, verdict: str | None) -> str:
    """A valid auditor's verdict decides; otherwise the automatic finding's status."""
    return verdict or automatic or ""


@dataclass(frozen=True)
class Score:
    target_id: str
    criterion: str
    indicators: int  # of the criterion, not_applicable left out
    met: int
    judged: int  # pass, warn or fail (automatic or by verdict)
    by_verdict: int  # of the indicators, how many a verdict decided
    strict: float | None
    adjusted: float | None
    band: str  # of the strict share
    band_adjusted: str

    def to_dict(self) -> dict:
        return asdict(self)


def score(target_id: str, criterion: str, statuses: Mapping[str, str],
          verdicts: Mapping[str, str] | None = None) -> Score:
    """One target's score on one criterion. ``statuses``: indicator -> automatic status of
    this run; ``verdicts``: indicator -> the auditor's valid verdict status."""
    verdicts = verdicts or {}
    n = met = judged = by_verdict = 0
    for ind in criterion_indicators(criterion):
        st = effective_status(statuses.get(ind, ""), verdicts.get(ind))
        if st == "not_applicable":
            continue
        n += 1
        by_verdict += ind in verdicts
        if st in MET:
            met += 1
        if st not in NOT_JUDGED:
            judged += 1
    strict = met / n if n else None
    adjusted = met / judged if judged else None
    return Score(target_id, criterion, n, met, judged, by_verdict, strict, adjusted,
                 band(strict), band(adjusted))


def target_scores(target_id: str, level: str, statuses: Mapping[str, str],
                  verdicts: Mapping[str, str] | None = None) -> list[Score]:
    """Every criterion that applies to a target of ``level``."""
    return [score(target_id, c, statuses, verdicts) for c in criteria_for(level)]


def run_scores(findings: Iterable[dict], levels: Mapping[str, str],
               verdicts: Iterable[dict] = ()) -> list[Score]:
    """Scores of every target of a run from its finding rows (``target_id``, ``indicator``,
    ``status``) and the valid verdict rows (``target_id``, ``indicator``, ``status``)."""
    statuses: dict[str, dict[str, str]] = {}
    for f in findings:
        statuses.setdefault(f["target_id"], {})[f["indicator"]] = f["status"]
    decided: dict[str, dict[str, str]] = {}
    for v in verdicts:
        decided.setdefault(v["target_id"], {})[v["indicator"]] = v["status"]
    out: list[Score] = []
    for tid in sorted(statuses):
        out += target_scores(tid, levels.get(tid, ""), statuses[tid], decided.get(tid))
    return out


def national(scores: Iterable[Score]) -> dict[str, dict]:
    """Per criterion: targets scored, the mean strict and adjusted shares, targets per band."""
    out: dict[str, dict] = {}
    for s in scores:
        d = out.setdefault(s.criterion, {"targets": 0, "strict_sum": 0.0, "strict_n": 0,
                                         "adjusted_sum": 0.0, "adjusted_n": 0, "bands": {}})
        d["targets"] += 1
        if s.strict is not None:
            d["strict_sum"] += s.strict
            d["strict_n"] += 1
        if s.adjusted is not None:
            d["adjusted_sum"] += s.adjusted
            d["adjusted_n"] += 1
        d["bands"][s.band] = d["bands"].get(s.band, 0) + 1
    for d in out.values():
        d["strict_mean"] = d.pop("strict_sum") / d["strict_n"] if d["strict_n"] else None
        d["adjusted_mean"] = d.pop("adjusted_sum") / d["adjusted_n"] if d["adjusted_n"] else None
        del d["strict_n"], d["adjusted_n"]
    return out
