"""Judging off the event loop: probe runs in worker processes, one per core.

Probes are pure CPU (parsing, regexes over every page): run in the event loop they would
stall every fetch of every target for the whole judgement (seconds for a 30-page site),
idling a shared host and tripping connect timeouts. They run in separate processes on the
other cores instead; the capture travels there stripped of its parse caches (``portable``).

The protocol is deliberately small: a plain subprocess (``python -m govscan.judging``) reads
jobs on stdin - each the length-prefixed path of a file holding the pickle ``(probe ids,
capture, today, options)``, which it reads and deletes - and answers each with one
length-prefixed pickle ``(ok, findings | error text)`` on stdout, one job at a time; it
exits when its stdin closes, so it dies with a SIGKILLed parent. The capture (about 1.3 MB
for 30 pages) goes through a file in memory (``/dev/shm`` where there is one) rather than the
pipe: through the pipe the busy event loop fed it 64 KB per turn, and the judge waited
50-170 ms for each capture (``bench/README.md``, issue 14). The directory is the scan's
own; one left by a scan killed with SIGKILL is removed by the next scan (``_sweep``).
(Not multiprocessing: spawn would re-run the caller's ``__main__``, fork would copy a
threaded process.) The judging
itself is ``probes.base.judge_site`` (``govscan.pipeline`` uses the same), and the
subprocess imports no fetcher.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from pathlib import Path

from probes.base import Context, judge_site, registry

log = logging.getLogger(__name__)


# i14: + pageread.facts (holds the tree); the links (plain data, extracted by the crawl
# anyway) travel with the page instead of being extracted again in the judge
_CACHED = ("tree", "text", "facts")


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
    reg = registry()
    return judge_site([reg[i] for i in probe_ids], site, Context(now=now, options=options))


def _spool_dir(base: str | None = None) -> str:
    """A new directory for this scan's job files: in RAM-backed ``/dev/shm`` when it is
    there, else the temp dir (``base`` for tests). Its name carries the scan's process id,
    so a scan that died without cleaning up (SIGKILL) has its directory - and a job file left
    in it, in RAM - removed by the next scan (``_sweep``)."""
    import tempfile

    if base is None:
        shm = "/dev/shm"
        base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else tempfile.gettempdir()
    _sweep(base)
    return tempfile.mkdtemp(prefix=f"govscan-judge-{os.getpid()}-", dir=base)


def _sweep(base: str) -> None:
    """Remove the job directories under ``base`` whose scan process is gone."""
    import shutil

    for d in Path(base).glob("govscan-judge-*-*"):
        try:
            pid = int(d.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except OSError:  # alive, another user's: not ours to touch
            pass


class _Worker:
    """One judging subprocess (see the module doc)."""

    def __init__(self, proc):
        self.proc = proc
        self.jobs = 0

    @classmethod
    async def start(cls) -> "_Worker":
        import sys

        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"]
                                    if env.get("PYTHONPATH") else "")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "govscan.judging",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=root,
            limit=2 ** 26)
        return cls(proc)

    async def run(self, payload: bytes, spool: str):
        import pickle
        import struct

        self.jobs += 1
        path = os.path.join(spool, f"{self.proc.pid}-{self.jobs}.pickle")
        with open(path, "wb") as fh:  # RAM-backed: a memory copy, not a wait
            fh.write(payload)
        name = path.encode()
        self.proc.stdin.write(struct.pack(">Q", len(name)) + name)
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


def warm_up() -> None:
    """What every first judgement would pay, paid before it: the probe modules imported
    and every keyword table's prefilter compiled (~0.6 s of CPU in all; the scan starts its
    judges with the crawl, so this overlaps the crawl's first pages instead of delaying the
    first finding). Each word's own regex is compiled when a text first needs it."""
    from pageread.words import _load_words, keywords

    registry()
    for name, table in _load_words().items():
        if isinstance(table, dict) and any(isinstance(v, list) for v in table.values()):
            keywords(name)


# The collector's youngest generation is collected every this many allocations (CPython's
# default is 700) while a scan runs: a capture allocates hundreds of thousands of short-lived
# objects (links, text nodes, findings), and at 700 the collector took ~6 % of the scan
# process's CPU (0.45 s of 7 s for 1,200 pages, issue 14). Reference counting still frees
# everything that is not in a cycle at once.
GC_GEN0 = 20_000


class fewer_collections:
    """``with fewer_collections():`` - the collector's first threshold at ``GC_GEN0`` inside,
    as it was after (``freeze``: also move what is alive now - modules, keyword tables -
    out of the collector's sight for good; for the judging subprocess, which is all scan)."""

    def __init__(self, freeze: bool = False):
        self.freeze = freeze

    def __enter__(self):
        import gc

        self.before = gc.get_threshold()
        if self.freeze:
            gc.freeze()
        gc.set_threshold(max(GC_GEN0, self.before[0]), *self.before[1:])
        return self

    def __exit__(self, *exc):
        import gc

        gc.set_threshold(*self.before)


def worker_main() -> None:
    """The judging subprocess: warm up, then read jobs until stdin closes."""
    import pickle
    import struct
    import sys

    warm_up()
    fewer_collections(freeze=True).__enter__()  # for the process's life
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        path = inp.read(struct.unpack(">Q", head)[0]).decode()
        try:
            with open(path, "rb") as fh:
                job = pickle.loads(fh.read())
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        try:
            res = (True, _judge_local(*job))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            res = (False, repr(exc))
        data = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)) + data)
        out.flush()


_HERE = object()  # the idle-queue token of "judge in this process" (Judge.crawl_done)


class Judge:
    """Runs every probe on a capture: in judging subprocesses when the probes are registry
    probes and ``workers`` > 0, else in a thread (keeping the event loop responsive)."""

    def __init__(self, probes, ctx: Context, workers: int):
        self.probes, self.ctx = probes, ctx
        reg = registry()
        self.remote = workers > 0 and all(reg.get(p.id) is p for p in probes)
        self.workers = workers
        self.idle: asyncio.Queue | None = None
        self.all: list[_Worker] = []
        self.starting = 0
        self._warming: list[asyncio.Future] = []
        self._helping = False  # crawl_done: this process judges too
        self._spool: str | None = None  # the job files' directory (made with the first)

    def _local(self, site):
        return judge_site(self.probes, site, self.ctx)

    def warm(self) -> None:
        """Start the judging processes now, in the background (their imports and keyword
        compilation overlap the crawl of the first targets): no-op when judging in-process."""
        if not self.remote or not self.probes:
            return
        if self.idle is None:
            self.idle = asyncio.Queue()

        async def one():  # its slot is taken below, before it runs
            try:
                w = await _Worker.start()
            except Exception:  # noqa: BLE001 - the next _acquire starts one itself
                log.warning("could not start a judging process", exc_info=True)
                self.idle.put_nowait(None)  # wakes a waiting _acquire to try
                return
            finally:
                self.starting -= 1
            self.all.append(w)
            self.idle.put_nowait(w)

        for _ in range(self.workers - len(self.all) - self.starting):
            self.starting += 1
            self._warming.append(asyncio.ensure_future(one()))

    async def _acquire(self) -> _Worker:
        """An idle worker, or a new one while fewer than ``workers`` exist or are starting
        (the slot is taken before the start is awaited: targets finishing together would
        otherwise each start their own - 8 workers on 2 cores, each paying its ~1 s start)."""
        if self.idle is None:
            self.idle = asyncio.Queue()
        if self.idle.empty() and len(self.all) + self.starting < self.workers:
            self.starting += 1
            try:
                w = await _Worker.start()
            finally:
                self.starting -= 1
            self.all.append(w)
            return w
        w = await self.idle.get()
        return w if w is not None else await self._acquire()  # None: a start failed

    def crawl_done(self) -> None:
        """Every target is captured: the event loop's process has a core free, so from now
        on it judges too (one capture at a time, in a thread) beside the judging processes,
        and the backlog the crawl left is worked off twice as fast."""
        if self.remote and not self._helping:
            self._helping = True
            if self.idle is None:
                self.idle = asyncio.Queue()
            self.idle.put_nowait(_HERE)

    async def __call__(self, site):
        if not self.probes:
            return []
        if self.remote:
            import pickle

            w = await self._acquire()
            if w is _HERE:
                try:
                    return await asyncio.to_thread(self._local, site)
                finally:
                    self.idle.put_nowait(_HERE)
            payload = pickle.dumps(([p.id for p in self.probes], portable(site),
                                    self.ctx.now, self.ctx.options),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            if self._spool is None:
                self._spool = _spool_dir()
            try:
                res = await w.run(payload, self._spool)
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
        if self._warming:
            await asyncio.gather(*self._warming, return_exceptions=True)
        workers, self.all = self.all, []
        await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)
        if self._spool is not None:
            import shutil

            shutil.rmtree(self._spool, ignore_errors=True)  # a job cut short leaves its file
            self._spool = None


def default_probe_workers() -> int:
    """One judging process per core, at most 4. Measured on the 2-core box
    (``bench/bench_crawl.py``, issue 14): since the fetcher moved to aiohttp the event loop
    (fetch + parse + link choice + SQLite) takes ~4 ms of CPU per page and judging every
    static probe ~4.5, so the judge became the bottleneck: captures waited for it, and two
    judges beat one in five pairs of runs out of five (11.0 against 13.1 s, 1,200 pages). With
    httpx (~6 ms a page in the event loop) one judge kept up and a second only competed."""
    return max(1, min(4, os.cpu_count() or 1))


if __name__ == "__main__":  # pragma: no cover - the judging subprocess
    worker_main()
