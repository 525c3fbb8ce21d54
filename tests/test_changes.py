"""The run-to-run change rules (govscan/changes.py): kinds of change, evidence fingerprints,
regressions only after N consecutive failing runs."""

from __future__ import annotations

from govscan import changes


def row(target, indicator, status, *evidence, summary=""):
    return {"target_id": target, "indicator": indicator, "status": status, "summary": summary,
            "evidence": [{"url": u, "kind": "element", "snippet": s, "found_at": f"t{i}"}
                         for i, (u, s) in enumerate(evidence)]}


def test_kinds_of_change():
    before = [row("a", "search", "pass"), row("a", "sitemap", "fail"),
              row("a", "https", "fail"), row("a", "wcag", "pass", ("u", "<img>")),
              row("a", "help", "pass", ("u", "<a>FAQ</a>")), row("a", "chatbot", "pass"),
              row("a", "gone", "pass")]
    after = [row("a", "search", "fail"), row("a", "sitemap", "pass"),
             row("a", "https", "fail"), row("a", "wcag", "pass", ("u", "<img>")),
             row("a", "help", "pass", ("u2", "<a>FAQ</a>")), row("a", "chatbot", "error"),
             row("b", "search", "pass")]
    got = {(c.target_id, c.indicator): c.kind for c in changes.compare(before, after)}
    assert got == {("a", "search"): "newly_failing", ("a", "sitemap"): "newly_passing",
                   ("a", "https"): "still_failing", ("a", "help"): "changed_evidence",
                   ("a", "chatbot"): "unjudged", ("a", "gone"): "gone",
                   ("b", "search"): "new"}
    # an unchanged pair is left out unless asked for
    assert ("a", "wcag") not in got
    everything = changes.compare(before, after, include_unchanged=True)
    assert {(c.indicator, c.kind) for c in everything} >= {("wcag", "unchanged")}
    assert changes.counts(changes.compare(before, after))["newly_failing"] == 1


def test_fingerprint_ignores_order_and_dates():
    a = [{"url": "u", "kind": "link", "snippet": "x", "found_at": "monday"},
         {"url": "v", "kind": "link", "snippet": "y", "found_at": "monday"}]
    b = [dict(a[1], found_at="tuesday"), dict(a[0], found_at="tuesday")]
    assert changes.fingerprint(a) == changes.fingerprint(b)
    assert changes.fingerprint(a) != changes.fingerprint(a[:1])


def test_regression_needs_n_consecutive_failing_runs():
    assert not changes.is_regression(["pass", "fail"])  # one bad night: no alert
    assert changes.is_regression(["pass", "fail", "fail"])
    assert changes.is_regression(["warn", "fail", "error", "fail"])  # an outage is skipped
    assert not changes.is_regression(["fail", "fail", "fail"])  # never met: not a regression
    assert not changes.is_regression(["pass", "fail", "pass", "fail"])
    assert changes.is_regression(["pass", "fail"], n=1)
    assert not changes.is_regression(["pass", "fail", "fail"], n=3)
    assert changes.is_regression(["pass", "fail", "fail", "fail"])  # stays flagged


def test_regressions_over_run_history():
    runs = [[row("a", "search", "pass"), row("b", "search", "pass")],
            [row("a", "search", "fail"), row("b", "search", "fail")],
            [row("a", "search", "fail"), row("b", "search", "pass")]]
    assert changes.regressions(runs[:2]) == []
    assert changes.regressions(runs) == [("a", "search")]
    assert changes.regressions(runs, n=1) == [("a", "search")]
    assert changes.regressions([]) == []
