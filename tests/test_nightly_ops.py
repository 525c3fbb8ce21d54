"""Nightly operation without the network: retention (every finding kept; a re-judged run's
report stays whole, pictures included; pruning by age and by count; VACUUM), the SQL views,
the progress display (per page, stages, an ETA from pages, journal lines), and the systemd
unit files."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from crawler.artifacts import Rendered
from govscan import pipeline
from govscan.cli import main
from govscan.progress import Progress, target_status
from govscan.retention import kept_runs, prune
from govscan.store import Store
from probes.base import Context, select
from tests.helpers import site_from_pages

ROOT = Path(__file__).resolve().parent.parent
HOME = "https://gov.test/oz/buxoro"
PAGE = ("<html lang='uz'><body><header><form id='sf' action='/oz/buxoro/search' method='get'>"
        "<input type='search' name='q' placeholder='Qidiruv'><button>Qidirish</button></form>"
        "</header><main><a href='/oz/buxoro/contacts'>Bog‘lanish</a></main></body></html>")


def _shot(store: Store, name: str) -> str:
    """A real PNG under captures/shots/ (the report cuts outlined pictures from it)."""
    from PIL import Image

    rel = f"shots/{name[:2]}/{name}.png"
    path = store.captures_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1280, 900), (250, 250, 250)).save(path)
    return rel


def _scan_like(store: Store, shot: str, started: str | None = None) -> int:
    """A stored run as a scan leaves it: a rendered page, its screenshot, judged findings."""
    site = site_from_pages({HOME: PAGE}, gathered=("pages", "rendered", "search_query",
                                                    "linked"))
    site.pages[0].rendered = Rendered(url=HOME, dom=PAGE, screenshot=shot,
                                      boxes={"form#sf": [100.0, 20.0, 300.0, 40.0]})
    probes = select(["search"])
    run = store.start_run({"probes": ["search"]}, [site.target])
    store.save_target_result(run, site, pipeline.judge_site(probes, site,
                                                            Context(now=dt.date(2026, 12, 1))))
    store.finish_run(run, "completed", {})
    if started:
        store.db.execute("UPDATE runs SET started_at=? WHERE id=?", [started, run])
        store.db.conn.commit()
    return run


def _pictures(report: Path) -> list[str]:
    return sorted(p.name for p in report.rglob("outline-*.png"))


def test_prune_after_rejudge_keeps_the_rejudged_runs_report_whole(tmp_path, capsys):
    db = tmp_path / "g.db"
    store = Store(db)
    old_shot, new_shot = _shot(store, "a" * 64), _shot(store, "b" * 64)
    run1 = _scan_like(store, old_shot)
    run2 = _scan_like(store, new_shot)
    store.close()
    # judge the first run again: run 3 shows run 1's captures and pictures
    assert main(["rejudge", "--db", str(db), "--run", str(run1)]) in (0, 1)
    out = json.loads(capsys.readouterr().out)
    assert out["rejudge_of"] == run1 and out["run_id"] == 3
    assert main(["report", "--db", str(db), "--run", "3", "--out", str(tmp_path / "before")]
                ) == 0
    before = _pictures(tmp_path / "before")
    assert before
    # keep one run: the re-judged one - which keeps the run it was judged from
    assert main(["prune", "--db", str(db), "--keep", "1", "--vacuum"]) == 0
    removed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert removed["kept"] == [run1, 3] and removed["pruned"] == [run2]
    assert removed["files"] == 1  # run 2's own screenshot: no kept run shows it
    assert (Store(db).captures_dir / old_shot).is_file()
    assert not (Store(db).captures_dir / new_shot).exists()
    assert main(["report", "--db", str(db), "--run", "3", "--out", str(tmp_path / "after")]
                ) == 0
    assert _pictures(tmp_path / "after") == before
    page = (tmp_path / "after" / "targets" / "gov.test-oz-buxoro.html").read_text(encoding="utf-8")
    assert all(name in page for name in before)
    # every run's findings stay; the pruned run cannot be judged again, and says why
    con = sqlite3.connect(db)
    assert [r for (r,) in con.execute("SELECT DISTINCT run_id FROM findings ORDER BY 1")] \
        == [1, 2, 3]
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    capsys.readouterr()
    assert main(["rejudge", "--db", str(db), "--run", str(run2)]) == 2
    assert "pruned" in capsys.readouterr().err


def test_retention_by_age_and_by_count(tmp_path):
    store = Store(tmp_path / "g.db")
    now = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    shots = [_shot(store, c * 64) for c in "cde"]
    old = _scan_like(store, shots[0], started="2026-10-01T01:30:00+00:00")
    mid = _scan_like(store, shots[1], started="2026-11-20T01:30:00+00:00")
    new = _scan_like(store, shots[2], started="2026-11-30T01:30:00+00:00")
    runs = store.runs()
    assert kept_runs(runs, now=now) == {mid, new}  # default: the last 30 days
    assert kept_runs(runs, keep_days=5, now=now) == {new}
    assert kept_runs(runs, keep_runs=2, now=now) == {mid, new}
    assert kept_runs(runs, keep_runs=1, keep_days=15, now=now) == {mid, new}  # either rule
    sizes = {r["id"]: r["bytes"] for r in store.run_sizes()}
    assert all(sizes[r] > 0 for r in (old, mid, new))
    removed = prune(store, now=now)
    assert removed["pruned"] == [old] and removed["files"] == 1
    assert not (store.captures_dir / shots[0]).exists()
    assert (store.captures_dir / shots[1]).is_file()
    assert store.run(old)["captures_pruned_at"] and len(store.findings(old)) == 1
    assert {r["id"]: r["bytes"] for r in store.run_sizes()}[old] < sizes[old]
    assert prune(store, now=now)["pruned"] == []  # done once
    store.close()


def test_a_running_scan_blocks_prune_with_exit_3(tmp_path, capsys):
    from govscan.lock import RunLock

    db = tmp_path / "g.db"
    Store(db).close()
    with RunLock(db):
        assert main(["prune", "--db", str(db)]) == 3
    assert "another govscan run holds" in capsys.readouterr().err


def test_views_read_like_tables(tmp_path):
    store = Store(tmp_path / "g.db")
    shot = _shot(store, "f" * 64)
    _scan_like(store, shot)
    run2 = _scan_like(store, shot)
    store.save_regressions(run2, [("gov.test-oz-buxoro", "search")], 2)
    con = sqlite3.connect(tmp_path / "g.db")
    latest = con.execute("SELECT target_id, indicator, run_id FROM latest_findings").fetchall()
    assert latest == [("gov.test-oz-buxoro", "search", run2)]
    assert con.execute("SELECT run_id, target_id, indicator, after_runs FROM "
                       "latest_regressions").fetchall() == [(run2, "gov.test-oz-buxoro", "search", 2)]
    rows = con.execute("SELECT run_id, criterion, strict_percent FROM latest_scores").fetchall()
    assert rows and all(r[0] == run2 for r in rows)
    store.close()


# --- progress ---------------------------------------------------------------------------------

def test_progress_moves_per_page_with_stages_and_a_page_eta():
    out = io.StringIO()
    p = Progress(True, total=4, done=0, page_budget=10, live=False, stream=out)
    p.event("a", "stage", {"stage": "crawl"})
    for _ in range(3):
        p.event("a", "page", {"url": "u"})
    p.event("b", "page", {"url": "u"})
    p.stage("a", "render")
    assert p.pages == 4 and p.inflight["a"]["stage"] == "render"
    # before a target finishes, each is expected to take the page budget
    assert p.expected_pages() == 10 + 10 + 2 * 10
    p.stage("a", "judge")
    p.advance(4, 1, "a", {"pass": 3, "fail": 1})
    line = out.getvalue().strip()
    assert line.startswith("[1/4] a: fail (fail 1, pass 3) · 4 pages ·") and "ETA" in line
    # then from the pages the finished targets took
    assert p.expected_pages() == 4 + 4 + 2 * 4 and p.eta() is not None
    p.advance(0, 2, "b", {"error": 2}, cause="dns")
    assert "[2/4] b: error dns · 0 pages" in out.getvalue()
    # the live panel renders the targets in flight
    p.event("c", "stage", {"stage": "validate"})
    from rich.console import Console

    c = Console(file=io.StringIO(), width=120)
    c.print(p._render())
    shown = c.file.getvalue()
    assert "c" in shown and "validate" in shown and "ETA" in shown


def test_target_status_words():
    assert target_status({"pass": 2}) == "pass (pass 2)"
    assert target_status({"pass": 2, "warn": 1, "error": 1}).startswith("error")
    assert target_status({}, "timeout") == "error timeout"


def test_quiet_progress_prints_nothing():
    out = io.StringIO()
    p = Progress(False, total=1, done=0, stream=out)
    p.event("a", "page", {})
    p.advance(1, 0, "a", {"pass": 1})
    assert out.getvalue() == ""


# --- scheduling --------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd here")
def test_systemd_units_verify(tmp_path):
    """The unit files as shipped, with ExecStart pointed at this checkout's govscan (verify
    checks that the program exists)."""
    exe = shutil.which("govscan") or str(ROOT / ".venv" / "bin" / "govscan")
    service = (ROOT / "deploy" / "govscan.service").read_text()
    assert "/opt/govscan/.venv/bin/govscan scan" in service
    (tmp_path / "govscan.service").write_text(
        service.replace("/opt/govscan/.venv/bin/govscan", exe))
    shutil.copy(ROOT / "deploy" / "govscan.timer", tmp_path / "govscan.timer")
    res = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "govscan.service"),
                          str(tmp_path / "govscan.timer")], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert "govscan" not in res.stderr, res.stderr  # no warning about our files either
    # and it does fail on a broken one
    (tmp_path / "broken.timer").write_text("[Timer]\nOnCalendar=every night please\n")
    bad = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "broken.timer")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0


def test_example_config_is_valid_and_documents_every_setting(tmp_path):
    from govscan import config

    text = (ROOT / "govscan.example.toml").read_text(encoding="utf-8")
    for s in config.SETTINGS:
        name = s.key.rpartition(".")[2]
        assert f"{name} =" in text or f"# {name} =" in text, s.key
    cfg = tmp_path / "govscan.toml"
    cfg.write_text(text, encoding="utf-8")
    values = config.load(cfg)
    assert values["regressions_after"] == 2 and values["days"] == 30
