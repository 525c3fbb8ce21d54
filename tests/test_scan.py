"""The nightly run: concurrency under per-host limits, the run lock, the summary and exit
codes, SIGTERM, and SIGKILL mid-run followed by --resume (same findings as an uninterrupted
run, nothing doubled, database intact)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


from crawler.capture import CaptureOptions
from crawler.farm.sites import broken, demo_targets
from crawler.fetch import FetchConfig
from govscan.lock import RunLock
from govscan.runner import run_scan
from govscan.store import Store
from crawler.targets import Target, with_exclusions
from probes.base import select

ROOT = Path(__file__).resolve().parent.parent
STATIC = ["https", "search", "sitemap", "last-updated", "contact-us", "contact-form",
          "legacy-redirect"]


def farm_targets(farm) -> list[Target]:
    ts = [Target.from_dict(d) for d in demo_targets(farm)][:3]
    p = farm.port("no-redirect")
    for tid, host, path in (("crawl", "crawl.test", "/site"), ("maps", "maps.test", "/site"),
                            ("broken", "broken.test", "/ok"), ("dead", "127.0.0.1", "/x")):
        port = farm.closed_port() if tid == "dead" else p
        u = f"http://{host}:{port}{path}"
        ts.append(Target(tid, "", "", "demo", u, u))
    return with_exclusions(ts)


def fetch_conf(farm, **kw) -> FetchConfig:
    base = dict(allow_private=True, ca_bundle=str(farm.ca_pem),
                resolve={**farm.resolve, **broken.RESOLVE}, per_host_delay=0.0,
                per_host_concurrency=2, retries=0, connect_timeout=2, read_timeout=5)
    base.update(kw)
    return FetchConfig(**base)


def scan(farm, db, targets=None, resume=False, **kw):
    store = Store(db)
    try:
        return asyncio.run(run_scan(targets or farm_targets(farm), select(STATIC), store,
                                    CaptureOptions(max_pages=6), fetch_conf(farm, **kw),
                                    progress=False, resume=resume, render=False,
                                    capture_dir=Path(db).parent / "cap"))
    finally:
        store.close()


def rows(db, q, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(q, args).fetchall()
    finally:
        con.close()


def test_scan_saves_every_target_once_and_summarises(farm, tmp_path):
    db = tmp_path / "g.db"
    t0 = time.monotonic()
    s = scan(farm, db)
    assert s.status == "completed" and s.targets_done == 7 and s.targets_total == 7
    assert s.exit_code == 1  # the farm has failing sites (xiva, legacy-cms, dead)
    assert s.findings["fail"] > 0 and sum(s.findings.values()) == 7 * len(STATIC)
    assert s.errors.get("refused", 0) >= 1  # the dead target
    assert s.pages >= 7 and s.requests > s.pages
    assert sorted(r[0] for r in rows(db, "SELECT target_id FROM captures")) == \
        sorted(t.id for t in farm_targets(farm))
    assert rows(db, "SELECT status FROM runs") == [("completed",)]
    # gov.test carries three targets: still never more than 2 in flight to it
    inflight = [n for t, m, h, p, n in farm.requests_to("gov.test") if t >= t0]
    assert inflight and max(inflight) <= 3  # the farm counts one extra while finishing
    summary = json.loads(rows(db, "SELECT summary FROM runs")[0][0])
    assert summary["exit_code"] == 1 and summary["pages"] == s.pages


def test_one_run_at_a_time(farm, tmp_path):
    db = tmp_path / "g.db"
    with RunLock(db):
        s = scan(farm, db, targets=farm_targets(farm)[:1])
    assert s.status == "aborted" and s.exit_code == 3 and "holds" in s.reason
    assert scan(farm, db, targets=farm_targets(farm)[:1]).status == "completed"


def _write_targets(farm, path: Path):
    lines = []
    for t in farm_targets(farm):
        lines += ["[[target]]", f'id = "{t.id}"', 'level = "demo"',
                  f'start_url = "{t.start_url}"', f'scope = "{t.scope}"']
        if t.legacy_domains:
            lines.append("legacy_domains = [" + ", ".join(f'"{d}"' for d in t.legacy_domains)
                         + "]")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _scan_cmd(farm, db, targets_file, *extra):
    cmd = [sys.executable, "-m", "govscan", "scan", "--targets", str(targets_file),
           "--db", str(db), "--indicators", *STATIC, "--max-pages", "6", "--no-render",
           "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0.15",
           "--now", "2026-11-28", "-q"]
    for h, ip in {**farm.resolve, **broken.RESOLVE}.items():
        cmd += ["--resolve", f"{h}:{ip}"]
    return cmd + list(extra)


def _wait_for_captures(db, n, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if rows(db, "SELECT count(*) FROM captures")[0][0] >= n:
                return True
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    return False


def _findings(db, run_id=None):
    run = run_id or rows(db, "SELECT max(id) FROM runs")[0][0]
    return sorted(rows(db, "SELECT target_id, indicator, status, summary FROM findings "
                           "WHERE run_id=?", run))


def test_sigkill_mid_run_then_resume(farm, tmp_path):
    tf = tmp_path / "targets.toml"
    _write_targets(farm, tf)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # the reference: one uninterrupted run
    ref_db = tmp_path / "ref.db"
    ref = subprocess.run(_scan_cmd(farm, ref_db, tf), cwd=ROOT, env=env,
                         capture_output=True, timeout=120)
    assert ref.returncode == 1, ref.stderr.decode()[-2000:]
    # the same run, killed with SIGKILL after two targets were saved...
    db = tmp_path / "g.db"
    proc = subprocess.Popen(_scan_cmd(farm, db, tf), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert _wait_for_captures(db, 2, proc), "the scan ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    saved = rows(db, "SELECT count(*) FROM captures")[0][0]
    assert 2 <= saved < 7
    assert rows(db, "SELECT status FROM runs") == [("running",)]
    # ... then resumed
    res = subprocess.run(_scan_cmd(farm, db, tf, "--resume"), cwd=ROOT, env=env,
                         capture_output=True, timeout=120)
    assert res.returncode == 1, res.stderr.decode()[-2000:]
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM runs") == [(1, 1)]
    assert rows(db, "SELECT status FROM runs") == [("completed",)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    # nothing lost, nothing doubled: one capture per target, one finding per probe
    assert rows(db, "SELECT count(*), count(DISTINCT target_id) FROM captures") == [(7, 7)]
    dup = rows(db, "SELECT target_id, indicator, count(*) FROM findings "
                   "GROUP BY target_id, indicator HAVING count(*) > 1")
    assert dup == []
    got = [(t, i, s) for t, i, s, _ in _findings(db)]
    want = [(t, i, s) for t, i, s, _ in _findings(ref_db)]
    assert got == want and len(got) == 7 * len(STATIC)


def test_sigterm_aborts_cleanly_and_resume_finishes(farm, tmp_path):
    tf = tmp_path / "targets.toml"
    _write_targets(farm, tf)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    db = tmp_path / "g.db"
    proc = subprocess.Popen(_scan_cmd(farm, db, tf), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert _wait_for_captures(db, 1, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 3
    assert rows(db, "SELECT status FROM runs") == [("aborted",)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    res = subprocess.run(_scan_cmd(farm, db, tf, "--resume"), cwd=ROOT, env=env,
                         capture_output=True, timeout=120)
    assert res.returncode == 1, res.stderr.decode()[-2000:]
    assert rows(db, "SELECT status FROM runs") == [("completed",)]
    assert rows(db, "SELECT count(DISTINCT target_id), count(*) FROM captures") == [(7, 7)]


def test_custom_probes_are_judged_in_process_and_progress_renders(farm, tmp_path, capsys):
    """A probe that is not in the registry cannot go to the judging process: it is judged
    in a thread of this process. The rich progress and the summary go to stderr."""
    from probes.base import Artifact, Finding, Probe, Status

    seen = []

    def judge(site, ctx):
        seen.append(len(site.pages))
        return Finding("https", Status.PASS, site.start_url, "custom", details={})

    custom = Probe(id="https", version="9", requires=frozenset({Artifact.PAGES}), judge=judge)
    store = Store(tmp_path / "c.db")
    try:
        s = asyncio.run(run_scan(farm_targets(farm)[3:5], [custom], store,
                                 CaptureOptions(max_pages=3), fetch_conf(farm),
                                 progress=True, render=False))
    finally:
        store.close()
    assert s.status == "completed" and s.exit_code == 0 and s.findings == {"pass": 2}
    assert sorted(seen) == [1, 3]  # maps.test has one page, crawl.test more than 3
    err = capsys.readouterr().err
    assert "run " in err and "completed" in err and "targets" in err
    # not a terminal (the journal): one line per finished target, with pages and status
    lines = [ln for ln in err.splitlines() if ln.startswith("[")]
    assert len(lines) == 2 and all(" pages · " in ln and "pass (pass 1)" in ln and "ETA" in ln
                                   for ln in lines), lines


def test_portable_capture_pickles_after_parsing(farm):
    import pickle

    from govscan.judging import portable

    site = _capture_one(farm)
    assert site.pages[0].tree is not None and site.pages[0].links  # parse caches exist
    copy = pickle.loads(pickle.dumps(portable(site)))
    assert [p.url for p in copy.pages] == [p.url for p in site.pages]
    assert copy.pages[0].links == site.pages[0].links  # re-parsed on the other side
    assert copy.robots.status == site.robots.status


def _capture_one(farm):
    from crawler.capture import CaptureEnv, capture_site
    from crawler.fetch import Fetcher

    async def go():
        async with Fetcher(fetch_conf(farm)) as f:
            return await capture_site(farm_targets(farm)[0], ["pages", "robots", "sitemaps"],
                                      CaptureEnv(f, CaptureOptions(max_pages=4)))

    return asyncio.run(go())


def test_judge_starts_no_more_workers_than_asked_when_targets_finish_together(farm):
    """Eight captures handed to a two-worker judge at the same moment start two judging
    processes, not eight (each costs a second of imports on a 2-core box), and every
    capture is judged."""
    from govscan.judging import Judge
    from probes.base import Context, registry

    site = _capture_one(farm)

    async def go():
        judge = Judge([registry()["https"]], Context(), workers=2)
        try:
            out = await asyncio.gather(*(judge(site) for _ in range(8)))
            return out, len(judge.all)
        finally:
            await judge.close()

    out, started = asyncio.run(go())
    assert started == 2
    assert [len(f) for f in out] == [1] * 8 and all(f[0].indicator == "https" for f in out)


def test_warm_judges_start_with_the_scan_and_are_reused(farm):
    """``Judge.warm`` starts the judging processes before any capture is handed over (their
    imports overlap the crawl); later judgements use those, starting no more."""
    from govscan.judging import Judge
    from probes.base import Context, registry

    site = _capture_one(farm)

    async def go():
        judge = Judge([registry()["https"]], Context(), workers=1)
        try:
            judge.warm()
            assert judge.starting == 1 and not judge.all  # started in the background
            first = await judge(site)
            second = await judge(site)
            return first, second, len(judge.all), judge.starting
        finally:
            await judge.close()

    first, second, started, starting = asyncio.run(go())
    assert started == 1 and starting == 0
    assert first[0].indicator == second[0].indicator == "https"


def test_after_the_crawl_the_scan_process_judges_beside_the_worker(farm):
    """``crawl_done``: with every target captured, the scan's own process takes captures too
    (a thread) while the judging process works, and the findings are the same."""
    from govscan.judging import Judge
    from probes.base import Context, registry

    site = _capture_one(farm)

    async def go():
        judge = Judge([registry()["https"]], Context(), workers=1)
        here = []
        local = judge._local
        judge._local = lambda s: here.append(1) or local(s)
        try:
            before = await judge(site)  # the worker
            judge.crawl_done()
            out = await asyncio.gather(*(judge(site) for _ in range(6)))
            return before, out, len(here), len(judge.all)
        finally:
            await judge.close()

    before, out, here, started = asyncio.run(go())
    assert started == 1 and 1 <= here < 6  # both judged some
    assert all(f[0].status == before[0].status and f[0].summary == before[0].summary
               for f in out)


def test_job_files_of_a_killed_scan_are_swept_by_the_next(tmp_path):
    """Captures reach the judges through files (in /dev/shm); a scan killed with SIGKILL
    cannot remove its directory, so the next scan removes every one whose process is gone -
    never one of a live process."""
    import os
    import subprocess
    import sys

    from govscan.judging import _spool_dir

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead_dir = tmp_path / f"govscan-judge-{gone.pid}-abc"
        dead_dir.mkdir()
        (dead_dir / "1-1.pickle").write_bytes(b"x" * 1000)  # the job it was judging
        live_dir = tmp_path / f"govscan-judge-{alive.pid}-def"
        live_dir.mkdir()
        other = tmp_path / "govscan-judge-notapid"
        other.mkdir()
        mine = _spool_dir(str(tmp_path))
        assert not dead_dir.exists()
        assert live_dir.exists() and other.exists()
        assert os.path.basename(mine).startswith(f"govscan-judge-{os.getpid()}-")
        assert _spool_dir(str(tmp_path)) and os.path.isdir(mine)  # its own: never swept
    finally:
        alive.kill()
        alive.wait()
