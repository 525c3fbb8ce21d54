"""The nightly run: every target, every probe, into SQLite - resumable.

``run_scan`` captures targets concurrently (a target-level semaphore; the fetcher's per-host
limits keep a shared host like gov.uz, which carries ~220 targets, at its polite rate and
never idle while work is queued), judges each capture with every probe, and writes the
target's capture and findings in ONE transaction (``Store.save_target_result``). That is
what makes ``--resume`` correct after a SIGKILL: a target is either wholly saved (and
skipped on resume) or not at all (and captured again), so nothing is lost and nothing is
doubled.

One run at a time: an exclusive ``fcntl`` lock on ``<db>.lock`` (``govscan.lock``). Each
target goes through ``govscan.pipeline`` (capture, then judge in a worker process:
``govscan.judging``); progress and the summary are ``govscan.progress``. SIGINT/SIGTERM stop the
run cleanly: targets in flight are abandoned (their partial captures are not written),
writes already started finish, the run is marked ``aborted`` (exit code 3) and
``--resume`` picks it up.

At the end of a completed run it works out what changed (``govscan.changes``, the one
place of the rules): the changes since the previous completed scan and the regressions (a
met indicator failing in the last N runs that judged it; N = ``regressions_after``), stored
with the run (``regressions`` table) and put in the summary; ``summary_document`` is the
machine-readable run summary (the notification hook's input), ``diff_runs`` is ``govscan
diff``, ``publish_report`` the report archive (``runs/<N>/`` and a stable ``latest``).

Exit codes (``RunSummary.exit_code`` -> ``pipeline.exit_code``): 0 completed with no
``fail``/``error`` finding, 1 completed with some (with ``fail_on="regressions"``: 1 when
something regressed), 3 aborted (signal, lock held by another run, internal error - the
exception is on ``summary.failure`` for the caller to log).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.capture import CaptureEnv, CaptureOptions
from crawler.fetch import FetchConfig, Fetcher, failure_of

from . import changes, pipeline, scores
from .judging import Judge, default_probe_workers, fewer_collections
from .lock import RunLock, RunLocked
from .progress import Progress, print_summary
from .store import pack_bodies

log = logging.getLogger(__name__)

DEFAULT_TARGET_CONCURRENCY = 8
REGRESSIONS_AFTER = 2  # consecutive failing runs before a pass -> fail is a regression


@dataclass
class RunSummary:
    run_id: int | None
    status: str  # completed | aborted
    targets_total: int = 0
    targets_done: int = 0  # saved by this process
    targets_resumed: int = 0  # already saved before a --resume
    pages: int = 0
    requests: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # status -> count (whole run)
    errors: dict[str, int] = field(default_factory=dict)  # fetch cause -> count
    elapsed_s: float = 0.0
    reason: str = ""  # why a run was aborted
    previous_run: int | None = None  # the completed scan before this one
    changes: dict[str, int] = field(default_factory=dict)  # changes.counts since it
    regressions: list[dict] = field(default_factory=list)  # {target_id, indicator, ...}
    regressions_after: int = REGRESSIONS_AFTER
    fail_on: str = "failures"  # failures | regressions: what exit code 1 means
    scores: dict[str, dict] = field(default_factory=dict)  # scores.national, per criterion
    failure: BaseException | None = field(default=None, repr=False)  # an internal error

    @property
    def exit_code(self) -> int:
        return pipeline.exit_code(
            self.findings, completed=self.status == "completed",
            regressions=len(self.regressions) if self.fail_on == "regressions" else None)

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
             if f.name != "failure"}
        d["exit_code"] = self.exit_code
        return d


def _options_dict(options: CaptureOptions, cfg: FetchConfig, probes, render: bool,
                  capture_dir: str | Path | None) -> dict:
    """The settings a run is started with, as stored in ``runs.options`` (the hints are left
    out: they follow from the probes)."""
    capture = dataclasses.asdict(options)
    capture.pop("hints", None)
    capture.pop("on_event", None)
    out = {"capture": capture, "fetch": dataclasses.asdict(cfg),
           "probes": [p.id for p in probes], "render": render}
    if capture_dir:
        out["capture_dir"] = str(Path(capture_dir).resolve())
    out["tools"] = tool_versions(render)  # issue 11: the report's run metadata
    return out


# --- run metadata: the tools' versions (issue 11: shown on the report's index) ----------
def _package_version(package_json: Path) -> str:
    import json

    try:
        return str(json.loads(package_json.read_text(encoding="utf-8")).get("version") or "")
    except (OSError, ValueError):
        return ""


def tool_versions(render: bool = True) -> dict[str, str]:
    """govscan, Python, axe-core and vnu (their npm packages), Chromium (``--version`` of
    the executable the browser gatherers would start); "" when not found."""
    import platform
    import subprocess

    from crawler import __version__
    from crawler.browser.locate import axe_path, find_chromium
    from crawler.validator import find_jar

    out = {"govscan": __version__, "python": platform.python_version(),
           "axe-core": _package_version(axe_path().parent / "package.json"), "vnu": "",
           "chromium": ""}
    jar = find_jar()
    if jar is not None:  # node_modules/vnu-jar/build/dist/vnu.jar
        out["vnu"] = _package_version(jar.parent.parent.parent / "package.json")
    exe = find_chromium() if render else None
    if exe:
        try:
            out["chromium"] = subprocess.run([exe, "--version"], capture_output=True,
                                             text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return out
# --- end of run metadata ------------------------------------------------------------------


def _site_errors(site) -> Counter:
    c: Counter = Counter()
    for p in site.all_pages():
        err = failure_of(p.response)
        if err is not None:
            c[str(err.cause)] += 1
    for err in site.errors.values():
        c[str(err.cause)] += 1
    return c


async def run_scan(targets, probes, store, options: CaptureOptions | None = None,
                   fetch_config: FetchConfig | None = None, progress: bool = True,
                   resume: bool = False, render: bool = True,
                   capture_dir: str | Path | None = None, now: dt.date | None = None,
                   target_concurrency: int | None = None,
                   regressions_after: int = REGRESSIONS_AFTER,
                   fail_on: str = "failures") -> RunSummary:
    """Scan ``targets`` with ``probes`` into ``store``; see the module doc. Never raises for
    a target's problems; returns the summary (``.exit_code``; ``.reason`` says why a run
    was aborted - the caller prints it: a quiet run still reports its errors)."""
    options = options or CaptureOptions()
    fetch_config = fetch_config or FetchConfig()
    probes = list(probes)
    t0 = time.monotonic()
    try:
        lock = RunLock(store.path).__enter__()
    except RunLocked as exc:
        return RunSummary(None, "aborted", len(targets), reason=str(exc),
                          regressions_after=regressions_after, fail_on=fail_on)
    try:
        with fewer_collections():
            return await _run_locked(targets, probes, store, options, fetch_config, progress,
                                     resume, render, capture_dir, now, target_concurrency,
                                     t0, regressions_after, fail_on)
    finally:
        lock.__exit__(None, None, None)


async def _run_locked(targets, probes, store, options, fetch_config, progress, resume, render,
                      capture_dir, now, target_concurrency, t0, regressions_after,
                      fail_on) -> RunSummary:
    run_id = store.resume_run() if resume else None
    if run_id is None:
        run_id = store.start_run(_options_dict(options, fetch_config, probes, render, capture_dir),
                                 list(targets))
    done_ids = store.done_target_ids(run_id) if resume else set()
    todo = [t for t in targets if t.id not in done_ids]
    summary = RunSummary(run_id, "running", len(targets),
                         targets_resumed=len(targets) - len(todo),
                         regressions_after=regressions_after, fail_on=fail_on)
    job = pipeline.plan(probes, options, render=render, now=now)
    # one captures directory for every run: screenshots are stored by content under
    # captures/shots/, shared by the runs (and re-judged runs) that show them
    cdir = Path(capture_dir) if capture_dir else store.captures_dir
    conc = target_concurrency or int(options.extra.get("target_concurrency",
                                                       DEFAULT_TARGET_CONCURRENCY))
    sem = asyncio.Semaphore(max(1, conc))
    workers = options.extra.get("probe_workers")
    judge = Judge(job.probes, job.ctx,
                  default_probe_workers() if workers is None else int(workers))
    judge.warm()
    alive = asyncio.Semaphore(max(1, conc) + 2 * max(1, judge.workers) + 2)
    errors: Counter = Counter()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass

    prog = Progress(progress, len(targets), summary.targets_resumed,
                    page_budget=job.options.max_pages)
    capture_options = dataclasses.replace(job.options, on_event=prog.event) if progress \
        else job.options
    async with Fetcher(fetch_config) as fetcher:
        env = CaptureEnv(fetcher=fetcher, options=capture_options, capture_dir=cdir,
                         resolve=dict(fetch_config.resolve or {}))
        with prog:

            async def one(target):
                # a target leaves the capture semaphore as soon as its capture is done, so
                # the hosts stay busy while it waits to be judged; `alive` bounds how many
                # captures are held in memory (capturing + waiting + being judged)
                async with alive:
                    async with sem:
                        if stop.is_set():
                            return
                        try:
                            site = await pipeline.capture(target, job, env)
                        finally:
                            left[0] -= 1
                            if left[0] == 0:
                                judge.crawl_done()
                    prog.stage(target.id, "judge")
                    # the bodies are hashed and compressed in a thread (both release the
                    # GIL) while the judge works, not on the event loop's core
                    packing = asyncio.ensure_future(asyncio.to_thread(pack_bodies, site))
                    try:
                        findings = await judge(site)
                    finally:
                        packed = await packing
                    if stop.is_set():
                        return
                    # synchronous and never interrupted by cancellation: all or nothing
                    store.save_target_result(run_id, site, findings, packed)
                    summary.targets_done += 1
                    npages = len(site.pages) + len(site.linked)
                    summary.pages += npages
                    errs = _site_errors(site)
                    errors.update(errs)
                    home_err = site.pages[0].response.error if site.pages else None
                    prog.advance(npages, sum(errs.values()), target.id,
                                 dict(Counter(str(f.status) for f in findings)),
                                 str(home_err.cause) if home_err else "")

            left = [len(todo)]  # captures not yet done (then the judge gets this core)
            tasks = [asyncio.ensure_future(one(t)) for t in todo]
            waiter = asyncio.ensure_future(stop.wait())
            failure: BaseException | None = None
            try:
                pending = set(tasks)
                while pending and not stop.is_set():
                    done, pending = await asyncio.wait(pending | {waiter},
                                                       return_when=asyncio.FIRST_COMPLETED)
                    pending.discard(waiter)
                    for t in done:
                        if t is not waiter and not t.cancelled() and t.exception():
                            failure = t.exception()
                            stop.set()
            except asyncio.CancelledError:
                stop.set()
                failure = failure or KeyboardInterrupt()
            finally:
                waiter.cancel()
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await env.close()
                await judge.close()
                for sig in installed:
                    loop.remove_signal_handler(sig)
            summary.requests = fetcher.requests

    summary.errors = dict(errors.most_common())
    summary.elapsed_s = round(time.monotonic() - t0, 2)
    summary.findings = store.run_status_counts(run_id)
    if stop.is_set():
        summary.status = "aborted"
        internal = failure is not None and not isinstance(failure, KeyboardInterrupt)
        summary.reason = (f"internal error: {failure!r}" if internal
                          else "interrupted by a signal")
        summary.failure = failure if internal else None
    else:
        summary.status = "completed"
        what_changed(store, summary)
    store.finish_run(run_id, summary.status, summary.to_dict())
    summary.scores = national_scores(store, run_id)
    if progress:
        print_summary(summary)
    return summary


# --- what changed: the rules are govscan.changes; here they meet the stored runs -----------

def history(store, run_id: int) -> list[int]:
    """The completed scans up to ``run_id`` (re-judged runs left out: they are no new look
    at the sites), oldest first, ``run_id`` last. All of them: a regression stays one until
    the indicator is met again, however long ago it was (statuses only: ~3,000 short rows
    a run)."""
    runs = [r for r in store.completed_runs(scans_only=True, upto=run_id) if r != run_id]
    return runs + [run_id]


def regressions_of(store, run_id: int, n: int = REGRESSIONS_AFTER) -> list[dict]:
    """The regressions of ``run_id`` (``changes.regressions`` over its history) with what
    a reader needs: target, indicator, the target's name, the finding's summary and URL."""
    runs = history(store, run_id)
    pairs = changes.regressions([store.statuses(r) for r in runs], n)
    rows = {(f["target_id"], f["indicator"]): f for f in store.findings(run_id)}
    names = {tid: t.get("name_uz") or "" for tid, t in store.targets().items()}
    return [{"target_id": t, "indicator": i, "name": names.get(t, ""),
             "summary": rows[(t, i)]["summary"], "url": rows[(t, i)]["url"]}
            for t, i in pairs]


def what_changed(store, summary: RunSummary) -> None:
    """Fill ``summary`` with the changes since the previous completed scan and the
    regressions, and store the regressions with the run."""
    run_id, n = summary.run_id, summary.regressions_after
    earlier = history(store, run_id)[:-1]
    summary.previous_run = earlier[-1] if earlier else None
    if summary.previous_run is not None:
        summary.changes = changes.counts(changes.compare(store.findings(summary.previous_run),
                                                         store.findings(run_id)))
    summary.regressions = regressions_of(store, run_id, n)
    store.save_regressions(run_id, [(r["target_id"], r["indicator"])
                                    for r in summary.regressions], n)


def national_scores(store, run_id: int) -> dict[str, dict]:
    fields = [f.name for f in dataclasses.fields(scores.Score)]
    return scores.national(scores.Score(**{k: row[k] for k in fields})
                           for row in store.scores(run_id))


def summary_document(store, summary: RunSummary, **extra) -> dict[str, Any]:
    """The machine-readable run summary (``summary.json``, the notification hook's input):
    counts, scores, changes, regressions, errors by cause, where things are."""
    run = store.run(summary.run_id) if summary.run_id is not None else None
    error_causes: Counter = Counter()
    if summary.run_id is not None:
        for f in store.findings(summary.run_id):
            if f["status"] == "error":
                error_causes[(f["details"] or {}).get("cause") or "unknown"] += 1
    d = summary.to_dict()
    return {
        "govscan": "run-summary/1", "run_id": summary.run_id, "status": summary.status,
        "reason": summary.reason, "exit_code": summary.exit_code, "fail_on": summary.fail_on,
        "started_at": run["started_at"] if run else None,
        "finished_at": run["finished_at"] if run else None, "elapsed_s": summary.elapsed_s,
        "targets": {"total": summary.targets_total, "scanned": summary.targets_done,
                    "resumed": summary.targets_resumed},
        "pages": summary.pages, "requests": summary.requests, "findings": d["findings"],
        "errors_by_cause": {"fetch": d["errors"], "findings": dict(error_causes.most_common())},
        "scores": summary.scores, "previous_run": summary.previous_run,
        "changes": summary.changes, "regressions_after": summary.regressions_after,
        "regressions": summary.regressions, "database": str(Path(store.path).resolve()),
        "database_bytes": store.file_size(), **extra}


def diff_runs(store, run_a: int | None = None, run_b: int | None = None,
              include_unchanged: bool = False) -> dict[str, Any]:
    """``govscan diff``: the changes from ``run_a`` to ``run_b`` (default: the last two
    completed runs; one given: from it to the newest). ``LookupError`` for a missing run."""
    done = store.completed_runs()
    for r in (run_a, run_b):
        if r is not None and store.run(r) is None:
            raise LookupError(f"{store.path} has no run {r}")
    if run_a is None:
        if len(done) < 2:
            raise LookupError(f"{store.path} has {len(done)} completed run(s): a diff needs "
                              f"two")
        run_a, run_b = done[-2], done[-1]
    elif run_b is None:
        later = [r for r in done if r != run_a]
        if not later:
            raise LookupError(f"{store.path} has no other completed run to compare with")
        run_b = later[-1]
    found = changes.compare(store.findings(run_a), store.findings(run_b), include_unchanged)
    return {"from": run_a, "to": run_b, "counts": changes.counts(found),
            "changes": [c.to_dict() for c in found]}


def publish_report(store, run_id: int, folder: str | Path,
                   pdf_browser: str | None = None) -> Path:
    """Write the run's report to ``folder/runs/<run_id>/`` and, when it is the newest
    completed run, point ``folder/latest`` at it (a relative symbolic link, replaced
    atomically: a reader never sees half a report). Returns the report's index.html."""
    import os
    import shutil

    from reports.html import build_report

    folder = Path(folder)
    index = build_report(store, run_id, folder / "runs" / str(run_id), pdf_browser=pdf_browser)
    done = store.completed_runs()
    if done and done[-1] == run_id:
        latest = folder / "latest"
        if latest.is_dir() and not latest.is_symlink():  # an old copy, not our link
            shutil.rmtree(latest)
        tmp = folder / f".latest-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(Path("runs") / str(run_id), target_is_directory=True)
        os.replace(tmp, latest)
    return index
