"""Retention for the nightly database: keep the newest runs, never a picture a kept run shows.

``prune(store, keep)`` deletes every run but the ``keep`` newest from the database (their
pages, artifacts, findings, screenshot references; bodies no kept page uses), then deletes the
screenshot files under ``captures/shots/`` that no remaining run refers to (``shots`` table),
and the per-run capture folders (``captures/run-<N>/``, the layout before shots were shared)
of the runs it deleted. A re-judged run refers to the same files as the run it judged, so
pruning that older run keeps them. It takes the run lock: a scan in progress has pictures
on disk that its database rows do not list yet.
"""

from __future__ import annotations

import shutil

from .lock import RunLock


def prune(store, keep: int, vacuum: bool = False) -> dict:
    """See the module doc. Returns what was removed (counts, plus ``files``)."""
    if keep < 1:
        raise ValueError("keep at least one run")
    with RunLock(store.path):  # raises RunLocked while a scan runs
        return _prune(store, keep, vacuum)


def _prune(store, keep: int, vacuum: bool) -> dict:
    before = set(store.run_ids())
    removed = store.prune(keep)
    gone = before - set(store.run_ids())
    if vacuum:
        store.vacuum()
    captures = store.captures_dir
    files = 0
    for run_id in sorted(gone):
        legacy = captures / f"run-{run_id}"
        if legacy.is_dir():
            shutil.rmtree(legacy, ignore_errors=True)
    shots = captures / "shots"
    if shots.is_dir():
        keep_paths = store.shot_paths()
        for f in shots.rglob("*.png"):
            if f.relative_to(captures).as_posix() not in keep_paths:
                f.unlink(missing_ok=True)
                files += 1
    removed["files"] = files
    return removed
