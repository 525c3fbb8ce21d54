"""A memory ceiling for the browser's page processes.

Chromium is started with a V8 heap limit per renderer (``--js-flags=--max-old-space-size``,
``RenderConfig.heap_mb``): a page whose script fills the JavaScript heap crashes its own
renderer there. Memory outside that heap (array buffers, DOM, images, canvases) is not
limited by V8, so ``RendererWatchdog`` - a thread, so a busy event loop cannot delay it -
samples the resident memory of every renderer process descended from this process every
``interval`` seconds and kills (``SIGKILL``, by process id) any renderer whose resident
memory is over ``ceiling_mb``, and - checked every ``rescan`` seconds - the largest one when
the proportional memory (PSS: shared pages split between processes, so the sum is honest)
of all renderers together exceeds ``total_mb``. PSS is read only when the resident sum is
over ``total_mb`` (PSS <= RSS), and then at most at ``pss_share`` of one core: reading it
walks each process's page tables (2-12 ms a renderer on a busy 2-core box), and read every
second it took a fifth of the scan process's own samples on the browser benchmark (py-spy),
where the renderers' resident sum (which counts the shared Chromium binary once per
process) is always over the total. The
page of a killed renderer sees a crash: its visit ends with ``renderer-crashed``, the
browser and the other pages go on, and the next visit gets a fresh renderer.

Only processes whose command line says ``--type=renderer`` are ever touched: never the
browser, its GPU or network processes, never anything that is not our descendant.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


def is_renderer(proc) -> bool:
    """A Chromium page process: its command line says ``--type=renderer`` (False when it
    is gone or unreadable)."""
    import psutil  # as in ``_run``: optional

    try:
        return "--type=renderer" in proc.cmdline()
    except (psutil.Error, OSError):
        return False


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (0 when unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class RendererWatchdog:
    # rescan: finding new renderers walks every process of the machine (psutil's parent
    # map) - on a busy shared box that is the watchdog's main cost, so not too often
    def __init__(self, ceiling_mb: int, total_mb: int, interval: float = 0.2,
                 rescan: float = 1.0, root: int | None = None, pss_share: float = 0.02):
        self.root = root  # whose descendant renderers are watched (None: this process)
        self.ceiling = ceiling_mb * 1024 * 1024
        self.total = total_mb * 1024 * 1024
        self.interval, self.rescan = interval, rescan
        # the next PSS pass waits cost / pss_share after one that took ``cost`` seconds
        self.pss_share = pss_share
        self.pss_passes = 0
        self.kills: list[dict] = []  # {pid, rss_mb, why, t}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "RendererWatchdog":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="govscan-renderer-watchdog",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._thread = None

    def killed_since(self, t: float) -> list[dict]:
        return [k for k in self.kills if k["t"] >= t]

    def _run(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - a dependency; without it: heap limit only
            log.warning("psutil missing: no memory ceiling for renderers")
            return
        me = psutil.Process(self.root) if self.root else psutil.Process()
        renderers: dict[int, "psutil.Process"] = {}
        seen: set[int] = set()
        last_scan = next_pss = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - last_scan >= self.rescan:
                last_scan = now
                try:
                    for p in me.children(recursive=True):
                        if p.pid in seen:
                            continue
                        seen.add(p.pid)
                        if is_renderer(p):
                            renderers[p.pid] = p
                except (psutil.Error, OSError):
                    pass
            sizes: list[tuple[int, int]] = []
            for pid, p in list(renderers.items()):
                try:
                    sizes.append((p.memory_info().rss, pid))
                except (psutil.Error, OSError):
                    renderers.pop(pid, None)
            for rss, pid in sizes:
                if rss > self.ceiling:
                    self._kill(renderers.pop(pid), rss, f"over {self.ceiling >> 20} MB")
            # the total, at the rescan pace, and only when it could be over: a process's PSS
            # is never more than its RSS, so an RSS sum within the limit needs no PSS at all;
            # when it is over, PSS is read no more often than its cost allows (``pss_share``)
            if last_scan == now and now >= next_pss and \
                    sum(r for r, pid in sizes if pid in renderers) > self.total:
                t0 = time.monotonic()
                pss = [(_pss(pid), pid) for _, pid in sizes if pid in renderers]
                self.pss_passes += 1
                next_pss = t0 + (time.monotonic() - t0) / self.pss_share
                if pss and sum(x for x, _ in pss) > self.total:
                    size, pid = max(pss)
                    self._kill(renderers.pop(pid), size,
                               f"all pages together over {self.total >> 20} MB")
            self._stop.wait(self.interval)

    def _kill(self, proc, rss: int, why: str) -> None:
        try:
            proc.kill()
        except Exception:  # noqa: BLE001 - gone already
            return
        self.kills.append({"pid": proc.pid, "rss_mb": rss >> 20, "why": why,
                           "t": time.monotonic()})
        log.warning("killed renderer %s at %d MB (%s)", proc.pid, rss >> 20, why)
