"""Auditors' manual verdicts (CLI round trip, CSV import) and the UN-style scores they feed,
checked against a hand computation."""

from __future__ import annotations

import json

import pytest

from crawler.artifacts import SiteCapture
from crawler.targets import Target
from govscan import scores
from govscan.cli import main
from govscan.store import Store
from probes.base import Finding, Status

DISTRICT = Target("d1", "Buxoro tumani", "Бухарский район", "district",
                  "https://gov.test/oz/buxoro", "https://gov.test/oz/buxoro", "buxoro")
NATIONAL = Target("n1", "Yagona portal", "Единый портал", "national",
                  "https://my.test/oz", "https://my.test/oz", "")

# the district's automatic findings: of the 18 LOSI indicators, 5 met (pass/warn), 3 fail,
# 1 error, 1 manual (findability), 1 not_applicable (advanced-search), 7 not run
DISTRICT_FINDINGS = {
    "search": "pass", "sitemap": "warn", "last-updated": "pass", "contact-us": "pass",
    "wcag": "fail", "w3c-markup": "fail", "w3c-css": "fail", "responsive": "pass",
    "browser-compat": "error", "findability": "manual", "advanced-search": "not_applicable",
    # content: 2 of 9 run
    "privacy-policy": "pass", "social-media": "fail",
}


def _db(tmp_path) -> str:
    path = tmp_path / "g.db"
    store = Store(path)
    run = store.start_run({}, [DISTRICT, NATIONAL])
    for target, found in ((DISTRICT, DISTRICT_FINDINGS), (NATIONAL, {"https": "pass"})):
        site = SiteCapture(target=target)
        store.save_target_result(run, site, [Finding(i, Status(s), target.start_url, s)
                                             for i, s in found.items()])
    store.finish_run(run, "completed", {})
    store.close()
    return str(path)


def _scores(db: str) -> dict[tuple[str, str], dict]:
    store = Store(db)
    try:
        run = store.latest_run()
        return {(r["target_id"], r["criterion"]): r for r in store.scores(run)}
    finally:
        store.close()


def test_scores_by_hand(tmp_path):
    db = _db(tmp_path)
    s = _scores(db)
    losi = s[("d1", "losi")]
    # 18 LOSI indicators, advanced-search not applicable -> 17 counted; met: search,
    # sitemap (warn), last-updated, contact-us, responsive = 5; judged: those 5 + 3 fails = 8
    assert len(scores.criterion_indicators("losi")) == 18
    assert (losi["indicators"], losi["met"], losi["judged"]) == (17, 5, 8)
    assert losi["strict"] == pytest.approx(5 / 17)
    assert losi["adjusted"] == pytest.approx(5 / 8)
    assert (losi["band"], losi["band_adjusted"]) == ("middle", "high")
    content = s[("d1", "content")]
    assert (content["indicators"], content["met"], content["judged"]) == (9, 1, 2)
    assert content["band"] == "low" and content["adjusted"] == pytest.approx(0.5)
    # the national portal is scored on OSI, not LOSI
    assert ("n1", "osi") in s and ("n1", "losi") not in s and ("d1", "osi") not in s


def test_verdict_round_trip_counts_in_the_strict_score(tmp_path, capsys):
    db = _db(tmp_path)
    # an auditor checks findability by hand, and disputes the w3c-css failure
    assert main(["verdict", "add", "d1", "findability", "pass", "--by", "A. Karimov",
                 "--note", "first on the results page of a national search engine",
                 "--evidence", "https://search.test/?q=buxoro", "--date", "2026-11-30",
                 "--db", db]) == 0
    assert main(["verdict", "add", "d1", "w3c-css", "pass", "--by", "A. Karimov",
                 "--db", db]) == 0
    out = capsys.readouterr().out
    assert "scored again" in out
    losi = _scores(db)[("d1", "losi")]
    # met 5 + findability + w3c-css = 7 of 17; judged 8 + findability = 9
    assert (losi["met"], losi["judged"], losi["by_verdict"]) == (7, 9, 2)
    assert losi["strict"] == pytest.approx(7 / 17)
    assert losi["adjusted"] == pytest.approx(7 / 9)
    assert losi["band_adjusted"] == "very-high"

    assert main(["verdict", "list", "--json", "--db", db]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["indicator"], r["status"]) for r in rows} == {("findability", "pass"),
                                                            ("w3c-css", "pass")}
    f = next(r for r in rows if r["indicator"] == "findability")
    assert f["auditor"] == "A. Karimov" and f["decided_at"] == "2026-11-30"
    assert f["evidence_url"] == "https://search.test/?q=buxoro"

    # a later verdict supersedes; withdrawing it brings back none (not the superseded one)
    assert main(["verdict", "add", "d1", "w3c-css", "fail", "--by", "B. Aliyeva",
                 "--db", db]) == 0
    assert _scores(db)[("d1", "losi")]["met"] == 6
    newest = max(r["id"] for r in Store(db).verdicts("d1", valid_only=False))
    assert main(["verdict", "withdraw", str(newest), "--by", "B. Aliyeva", "--db", db]) == 0
    in_force = {r["indicator"] for r in Store(db).verdicts("d1")}
    assert in_force == {"findability"}
    assert _scores(db)[("d1", "losi")]["met"] == 6  # automatic fail again
    assert main(["verdict", "list", "--all", "--db", db]) == 0
    assert "withdrawn" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["d1", "findability", "maybe"], "status must be one of"),
    (["nobody", "findability", "pass"], "unknown target"),
    (["d1", "no-such-indicator", "pass"], "unknown indicator"),
])
def test_bad_verdicts_are_usage_errors(tmp_path, capsys, args, message):
    db = _db(tmp_path)
    assert main(["verdict", "add", *args, "--by", "X", "--db", db]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert Store(db).verdicts() == []


def test_csv_import_all_or_nothing(tmp_path, capsys):
    db = _db(tmp_path)
    good = tmp_path / "v.csv"
    # Excel's UTF-8 CSV: a BOM and semicolons; Cyrillic names survive
    good.write_text("\ufefftarget;indicator;status;auditor;date;note;evidence_url\n"
                    "d1;own-data-access;pass;Азиз Каримов;2026-11-29;Шахсий кабинет;"
                    "https://my.test/oz/cabinet\n"
                    "n1;save-resume;fail;Азиз Каримов;;;\n", encoding="utf-8")
    assert main(["verdict", "import", str(good), "--db", db]) == 0
    rows = Store(db).verdicts()
    assert {(r["target_id"], r["indicator"], r["auditor"]) for r in rows} == {
        ("d1", "own-data-access", "Азиз Каримов"), ("n1", "save-resume", "Азиз Каримов")}
    assert _scores(db)[("d1", "losi")]["by_verdict"] == 1

    bad = tmp_path / "bad.csv"
    bad.write_text("target,indicator,status,auditor\n"
                   "d1,help,pass,X\n"
                   "d1,help,excellent,X\n", encoding="utf-8")
    assert main(["verdict", "import", str(bad), "--db", db]) == 2
    assert "line 3" in capsys.readouterr().err
    assert len(Store(db).verdicts()) == 2  # nothing of the bad file was written
