"""The nightly run: every target, every probe, into SQLite - resumable.

``run_scan`` captures targets concurrently (a target-level semaphore; the fetcher's per-host
limits keep a shared host like gov.uz, which carries ~220 targets, at its polite rate and
never idle while work is queued), judges each capture with every probe, and writes the
target's capture and findings in ONE transaction (``Store.save_target_result``). That is
what makes ``--resume`` correct after a SIGKILL: a target is either wholly saved (and
skipped on resume) or not at all (and captured again), so nothing is lost and nothing is
doubled.

One run at a time: an exclusive ``fcntl`` lock on ``<db>.lock``. SIGINT/SIGTERM stop the
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
import fcntl
import logging
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from probes.base import Context, required_artifacts, run_probe

from .capture import CaptureEnv, CaptureOptions, capture_site
from .fetch import Fetcher, FetchConfig, failure_of

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURES, EXIT_ABORTED = 0, 1, 3
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
        if self.status != "completed":
            return EXIT_ABORTED
        return EXIT_FAILURES if self.findings.get("fail") or self.findings.get("error") \
            else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["exit_code"] = self.exit_code
        return d


class RunLocked(RuntimeError):
    pass


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``<db>.lock`` (released by the kernel when
    the process dies, so a SIGKILLed run never leaves a stale lock)."""

    def __init__(self, db_path: str | Path):
        self.path = Path(f"{db_path}.lock")
        self.fd: int | None = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RunLocked(f"another govscan run holds {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _options_dict(options: CaptureOptions, cfg: FetchConfig, probes, render: bool) -> dict:
    fetch = {k: v for k, v in dataclasses.asdict(cfg).items()}
    return {"capture": dataclasses.asdict(options), "fetch": fetch,
            "probes": [p.id for p in probes], "render": render}


class _Progress:
    """rich progress on stderr: targets done/total, pages, errors, rate, ETA."""

    def __init__(self, enabled: bool, total: int, done: int):
        self.enabled = enabled
        self.pages = 0
        self.errors = 0
        self.done = done
        self.total = total
        self.t0 = time.monotonic()
        self.progress = None
        if enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.console = Console(stderr=True)
            self.progress = Progress(
                TextColumn("[bold]scan[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("targets · {task.fields[pages]} pages · {task.fields[errors]} "
                           "errors · {task.fields[rate]} pages/s"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=self.console, transient=False)
            self.task = self.progress.add_task("scan", total=total, completed=done, pages=0,
                                               errors=0, rate="0.0")

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def advance(self, pages: int, errors: int):
        self.pages += pages
        self.errors += errors
        self.done += 1
        if self.progress is not None:
            rate = self.pages / max(0.001, time.monotonic() - self.t0)
            self.progress.update(self.task, completed=self.done, pages=self.pages,
                                 errors=self.errors, rate=f"{rate:.1f}")


# --- judging in a worker process ----------------------------------------------------------
#
# Probes are pure CPU (parsing, regexes over every page): run in the event loop they would
# stall every fetch of every target for the whole judgement (seconds for a 30-page site),
# idling a shared host and tripping connect timeouts. They run in a separate process on
# the other core instead; the capture travels there stripped of its parse caches.

_CACHED = ("tree", "links", "text")


def _clean(obj):
    """A shallow copy without cached_property values (lexbor trees do not pickle)."""
    if obj is None:
        return None
    new = object.__new__(type(obj))
    new.__dict__.update({k: v for k, v in obj.__dict__.items() if k not in _CACHED})
    return new


def portable(site):
    """A copy of ``site`` that pickles: pages, responses and renders without parse caches."""
    def page(p):
        c = _clean(p)
        c.response = _clean(p.response)
        c.rendered = _clean(p.rendered)
        return c

    def doc(d):
        c = dataclasses.replace(d)
        c.response = _clean(d.response)
        return c

    return dataclasses.replace(
        site, pages=[page(p) for p in site.pages], linked=[page(p) for p in site.linked],
        endpoints={k: _clean(v) for k, v in site.endpoints.items()},
        robots=_clean(site.robots), sitemaps=[doc(d) for d in site.sitemaps],
        side={k: _clean(v) for k, v in site.side.items()},
        legacy=[_clean(r) for r in site.legacy])


def _judge_local(probe_ids, site, now, options):
    from probes.base import registry

    reg = registry()
    ctx = Context(now=now, options=options)
    return [run_probe(reg[i], site, ctx) for i in probe_ids]


class _Worker:
    """One judging subprocess (``python -m crawler.scan --judge-worker``): length-prefixed
    pickles in on stdin, out on stdout, one job at a time. It exits when its stdin closes,
    so it dies with a SIGKILLed parent. (A plain subprocess, not multiprocessing: spawn
    would re-run the caller's ``__main__``, fork would copy a threaded process.)"""

    def __init__(self, proc):
        self.proc = proc

    @classmethod
    async def start(cls) -> "_Worker":
        import sys

        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"]
                                    if env.get("PYTHONPATH") else "")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crawler.scan", "--judge-worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=root,
            limit=2 ** 26)
        return cls(proc)

    async def run(self, payload: bytes):
        import pickle
        import struct

        self.proc.stdin.write(struct.pack(">Q", len(payload)) + payload)
        await self.proc.stdin.drain()
        head = await self.proc.stdout.readexactly(8)
        data = await self.proc.stdout.readexactly(struct.unpack(">Q", head)[0])
        ok, result = pickle.loads(data)
        if not ok:
            raise RuntimeError(f"judge worker: {result}")
        return result

    async def close(self):
        try:
            self.proc.stdin.close()
            await asyncio.wait_for(self.proc.wait(), 5)
        except Exception:  # noqa: BLE001
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass


def _worker_main() -> None:
    """The judging subprocess: read jobs until stdin closes."""
    import pickle
    import struct
    import sys

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        job = pickle.loads(inp.read(struct.unpack(">Q", head)[0]))
        try:
            res = (True, _judge_local(*job))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            res = (False, repr(exc))
        data = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)) + data)
        out.flush()


class Judge:
    """Runs every probe on a capture: in judging subprocesses when the probes are registry
    probes and ``workers`` > 0, else in a thread (keeping the event loop responsive)."""

    def __init__(self, probes, ctx: Context, workers: int):
        from probes.base import registry

        self.probes, self.ctx = probes, ctx
        reg = registry()
        self.remote = workers > 0 and all(reg.get(p.id) is p for p in probes)
        self.workers = workers
        self.idle: asyncio.Queue | None = None
        self.all: list[_Worker] = []

    def _local(self, site):
        return [run_probe(p, site, self.ctx) for p in self.probes]

    async def _acquire(self) -> _Worker:
        if self.idle is None:
            self.idle = asyncio.Queue()
        if self.idle.empty() and len(self.all) < self.workers:
            w = await _Worker.start()
            self.all.append(w)
            return w
        return await self.idle.get()

    async def __call__(self, site):
        if not self.probes:
            return []
        if self.remote:
            import pickle

            payload = pickle.dumps(([p.id for p in self.probes], portable(site),
                                    self.ctx.now, self.ctx.options),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            w = await self._acquire()
            try:
                res = await w.run(payload)
                self.idle.put_nowait(w)
                return res
            except asyncio.CancelledError:
                await w.close()  # mid-frame: unusable
                self.all.remove(w)
                raise
            except Exception:  # noqa: BLE001 - a broken worker: judge here instead
                log.warning("probe worker failed; judging in-process from now on",
                            exc_info=True)
                self.remote = False
                await w.close()
        return await asyncio.to_thread(self._local, site)

    async def close(self):
        workers, self.all = self.all, []
        await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)


def default_probe_workers() -> int:
    """One judging process per core, at most 4: the event loop itself needs a fifth of a
    core (fetch + parse + SQLite ~5 ms/page against ~21 ms/page of static probes), so on
    2 cores two judges keep both cores busy."""
    return max(1, min(4, os.cpu_count() or 1))


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
            _console_err(f"govscan: {exc}")
        return RunSummary(None, "aborted", len(targets), reason=str(exc))
    try:
        return await _run_locked(targets, probes, store, options, fetch_config, progress,
                                 resume, render, capture_dir, now, target_concurrency, t0)
    finally:
        lock.__exit__(None, None, None)


def _console_err(msg: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(msg)


async def _run_locked(targets, probes, store, options, fetch_config, progress, resume, render,
                      capture_dir, now, target_concurrency, t0) -> RunSummary:
    run_id = store.resume_run() if resume else None
    if run_id is None:
        run_id = store.start_run(_options_dict(options, fetch_config, probes, render),
                                 list(targets))
    done_ids = store.done_target_ids(run_id) if resume else set()
    todo = [t for t in targets if t.id not in done_ids]
    summary = RunSummary(run_id, "running", len(targets),
                         targets_resumed=len(targets) - len(todo))
    artifacts = required_artifacts(probes, render=render)
    ctx = Context(now=now or dt.date.today(),
                  options={"exercise_post_search": options.exercise_post_search})
    cdir = Path(capture_dir) if capture_dir else Path(store.path).resolve().parent / "captures"
    cdir = cdir / f"run-{run_id}"
    conc = target_concurrency or int(options.extra.get("target_concurrency",
                                                       DEFAULT_TARGET_CONCURRENCY))
    sem = asyncio.Semaphore(max(1, conc))
    workers = options.extra.get("probe_workers")
    judge = Judge(probes, ctx, default_probe_workers() if workers is None else int(workers))
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
        env = CaptureEnv(fetcher=fetcher, options=options, capture_dir=cdir,
                         resolve=dict(fetch_config.resolve or {}))
        with _Progress(progress, len(targets), summary.targets_resumed) as prog:

            async def one(target):
                # a target leaves the capture semaphore as soon as its capture is done, so
                # the hosts stay busy while it waits to be judged; `alive` bounds how many
                # captures are held in memory (capturing + waiting + being judged)
                async with alive:
                    async with sem:
                        if stop.is_set():
                            return
                        site = await capture_site(target, artifacts, env)
                        release = getattr(env.renderer, "release_site", None)
                        if release is not None:  # close browser pages the capture parked
                            try:
                                await release(site)
                            except Exception:  # noqa: BLE001
                                log.warning("release_site failed", exc_info=True)
                    findings = await judge(site)
                    if stop.is_set():
                        return
                    if env.renderer is not None:  # pictures of the elements findings cite
                        from .screenshots import outline_evidence

                        await outline_evidence(site, findings, env)
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


def print_summary(s: RunSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    c = Console(stderr=True, highlight=False)
    t = Table(title=f"run {s.run_id}: {s.status}", show_header=False, box=None)
    t.add_row("targets", f"{s.targets_done} scanned" + (f" + {s.targets_resumed} from before "
                                                        f"the resume" if s.targets_resumed
                                                        else "") + f" / {s.targets_total}")
    t.add_row("pages", f"{s.pages} ({s.requests} HTTP requests)")
    t.add_row("findings", ", ".join(f"{k} {v}" for k, v in sorted(s.findings.items())) or "-")
    t.add_row("fetch errors", ", ".join(f"{k} {v}" for k, v in s.errors.items()) or "none")
    rate = s.pages / s.elapsed_s if s.elapsed_s else 0
    t.add_row("elapsed", f"{s.elapsed_s:.1f} s ({rate:.1f} pages/s)")
    if s.reason:
        t.add_row("why", s.reason)
    c.print(t)


if __name__ == "__main__":  # pragma: no cover - the judging subprocess
    import sys as _sys

    if "--judge-worker" in _sys.argv:
        _worker_main()
