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

Exit codes (``RunSummary.exit_code``): 0 completed with no ``fail``/``error`` finding, 1
completed with some, 3 aborted (signal, lock held by another run, internal failure).
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

from . import pipeline
from .judging import Judge, default_probe_workers
from .lock import RunLock, RunLocked
from .progress import Progress, console_err, print_summary

log = logging.getLogger(__name__)

DEFAULT_TARGET_CONCURRENCY = 8


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

    @property
    def exit_code(self) -> int:
        return pipeline.exit_code(self.findings, completed=self.status == "completed")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["exit_code"] = self.exit_code
        return d


def _options_dict(options: CaptureOptions, cfg: FetchConfig, probes, render: bool,
                  capture_dir: str | Path | None) -> dict:
    """The settings a run is started with, as stored in ``runs.options`` (the hints are left
    out: they follow from the probes)."""
    capture = dataclasses.asdict(options)
    capture.pop("hints", None)
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
                   target_concurrency: int | None = None) -> RunSummary:
    """Scan ``targets`` with ``probes`` into ``store``; see the module doc. Never raises for
    a target's problems; returns the summary (``.exit_code``)."""
    options = options or CaptureOptions()
    fetch_config = fetch_config or FetchConfig()
    probes = list(probes)
    t0 = time.monotonic()
    try:
        lock = RunLock(store.path).__enter__()
    except RunLocked as exc:
        if progress:
            console_err(f"govscan: {exc}")
        return RunSummary(None, "aborted", len(targets), reason=str(exc))
    try:
        return await _run_locked(targets, probes, store, options, fetch_config, progress,
                                 resume, render, capture_dir, now, target_concurrency, t0)
    finally:
        lock.__exit__(None, None, None)


async def _run_locked(targets, probes, store, options, fetch_config, progress, resume, render,
                      capture_dir, now, target_concurrency, t0) -> RunSummary:
    run_id = store.resume_run() if resume else None
    if run_id is None:
        run_id = store.start_run(_options_dict(options, fetch_config, probes, render, capture_dir),
                                 list(targets))
    done_ids = store.done_target_ids(run_id) if resume else set()
    todo = [t for t in targets if t.id not in done_ids]
    summary = RunSummary(run_id, "running", len(targets),
                         targets_resumed=len(targets) - len(todo))
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

    async with Fetcher(fetch_config) as fetcher:
        env = CaptureEnv(fetcher=fetcher, options=job.options, capture_dir=cdir,
                         resolve=dict(fetch_config.resolve or {}))
        with Progress(progress, len(targets), summary.targets_resumed) as prog:

            async def one(target):
                # a target leaves the capture semaphore as soon as its capture is done, so
                # the hosts stay busy while it waits to be judged; `alive` bounds how many
                # captures are held in memory (capturing + waiting + being judged)
                async with alive:
                    async with sem:
                        if stop.is_set():
                            return
                        site = await pipeline.capture(target, job, env)
                    findings = await judge(site)
                    if stop.is_set():
                        return
                    # synchronous and never interrupted by cancellation: all or nothing
                    store.save_target_result(run_id, site, findings)
                    summary.targets_done += 1
                    npages = len(site.pages) + len(site.linked)
                    summary.pages += npages
                    errs = _site_errors(site)
                    errors.update(errs)
                    prog.advance(npages, sum(errs.values()))

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
    summary.findings = dict(Counter(f["status"] for f in store.findings(run_id)))
    if stop.is_set():
        summary.status = "aborted"
        summary.reason = (f"internal failure: {failure!r}" if failure is not None
                          and not isinstance(failure, KeyboardInterrupt)
                          else "interrupted by a signal")
        if failure is not None and not isinstance(failure, KeyboardInterrupt):
            log.error("run %s aborted", run_id, exc_info=failure)
    else:
        summary.status = "completed"
    store.finish_run(run_id, summary.status, summary.to_dict())
    if progress:
        print_summary(summary)
    return summary
