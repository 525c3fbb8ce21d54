"""Retention for the nightly database: every run's findings are kept for ever; what a run
captured (page bodies, artifacts, screenshots) is kept while the run is kept.

Which runs are kept (``kept_runs``): the runs started within the last ``keep_days`` days
(default 30) and/or the ``keep_runs`` newest runs - either rule keeps a run; a run still
``running`` is always kept; and a kept run keeps **what it shows**: a re-judged run keeps
the run it was judged from (``rejudge_of``, followed to the first scan), so its report has
every picture and its captures can be judged again.

``prune`` drops the captures of every other run (``Store.prune_captures``: bodies no kept
page uses, artifacts, screenshot references; the run row, findings, scores and
regressions stay), then deletes the screenshot files under ``captures/shots/`` that no
remaining row refers to, in the captures directory beside the database and in every
capture directory a run recorded, and the per-run folders (``captures/run-<N>/``, the
layout before screenshots were shared) of pruned runs. ``vacuum`` then gives the space
back (the write-ahead log folded in first). It takes the run lock: a scan in progress has
pictures on disk that its rows do not list yet.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from .lock import RunLock

DEFAULT_KEEP_DAYS = 30


def _started(run: dict) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(run["started_at"])
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def kept_runs(runs: list[dict], keep_runs: int | None = None, keep_days: float | None = None,
              now: dt.datetime | None = None) -> set[int]:
    """The ids of the runs whose captures stay (see the module doc); ``runs`` as
    ``Store.runs()`` gives them. Neither rule given: the last ``DEFAULT_KEEP_DAYS`` days."""
    if keep_runs is None and keep_days is None:
        keep_days = DEFAULT_KEEP_DAYS
    now = now or dt.datetime.now(dt.timezone.utc)
    by_id = {r["id"]: r for r in runs}
    keep: set[int] = {r["id"] for r in runs if r["status"] == "running"}
    if keep_runs is not None:
        keep |= {r["id"] for r in sorted(runs, key=lambda r: r["id"])[-keep_runs:]}
    if keep_days is not None:
        cutoff = now - dt.timedelta(days=keep_days)
        keep |= {r["id"] for r in runs if (_started(r) or now) >= cutoff}
    for rid in list(keep):  # a kept re-judged run keeps the captures it was judged from
        src = by_id[rid]["options"].get("rejudge_of")
        while src in by_id and src not in keep:
            keep.add(src)
            src = by_id[src]["options"].get("rejudge_of")
    return keep


def prune(store, keep_runs: int | None = None, keep_days: float | None = None,
          vacuum: bool = False, now: dt.datetime | None = None) -> dict:
    """See the module doc. Returns what was removed (counts, ``files``, ``kept`` and
    ``pruned`` run ids, the database's bytes ``before`` and ``after``)."""
    if keep_runs is not None and keep_runs < 1:
        raise ValueError("keep at least one run")
    with RunLock(store.path):  # raises RunLocked while a scan runs
        return _prune(store, keep_runs, keep_days, vacuum, now)


def _capture_dirs(store, runs: list[dict]) -> list[Path]:
    dirs = [store.captures_dir]
    for r in runs:
        d = r["options"].get("capture_dir")
        if d and Path(d) not in dirs:
            dirs.append(Path(d))
    return dirs


def _prune(store, keep_runs, keep_days, vacuum, now) -> dict:
    before = store.file_size()
    runs = store.runs()
    keep = kept_runs(runs, keep_runs, keep_days, now)
    drop = [r["id"] for r in runs if r["id"] not in keep and not r.get("captures_pruned_at")]
    removed = store.prune_captures(drop)
    files = 0
    referenced = store.shot_paths()
    for captures in _capture_dirs(store, runs):
        for run_id in drop:
            legacy = captures / f"run-{run_id}"
            if legacy.is_dir():
                shutil.rmtree(legacy, ignore_errors=True)
        shots = captures / "shots"
        if shots.is_dir():
            for f in shots.rglob("*.png"):
                if f.relative_to(captures).as_posix() not in referenced:
                    f.unlink(missing_ok=True)
                    files += 1
    if vacuum:
        store.vacuum()
    removed.update(files=files, kept=sorted(keep), pruned=drop, bytes_before=before,
                   bytes_after=store.file_size())
    return removed
