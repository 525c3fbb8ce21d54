"""The renderer watchdog (``crawler/browser/watchdog.py``) on stand-in processes: children
of a launcher whose command line says ``--type=renderer`` (or not) and that hold memory.
The watchdog watches the launcher's descendants only, so no browser of another test is
ever in reach."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from crawler.browser import watchdog as wd
from crawler.browser.watchdog import RendererWatchdog

psutil = pytest.importorskip("psutil")

HOG = ("import sys, time; n = int(sys.argv[1]) << 20; x = bytearray(n); "
       "x[::4096] = b'1' * len(range(0, n, 4096)); print('ready', flush=True); time.sleep(60)")
LAUNCHER = ("import subprocess, sys, time; ps = [subprocess.Popen([sys.executable, '-c', {hog!r},"
            " mb, kind]) for mb, kind in (a.split(':') for a in sys.argv[1:])]; time.sleep(60)")


@pytest.fixture
def launch():
    """launch("60:--type=renderer", "90:--type=gpu-process") -> (launcher, {mb: process})
    once every stand-in holds its memory."""
    procs = []

    def go(*specs):
        p = subprocess.Popen([sys.executable, "-c", LAUNCHER.format(hog=HOG), *specs],
                             stdout=subprocess.DEVNULL)
        procs.append(p)
        want = {int(s.split(":")[0]) for s in specs}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            kids = {}
            for c in psutil.Process(p.pid).children():
                try:
                    mb = int(c.cmdline()[3])
                    if c.memory_info().rss >= (mb << 20) * 0.9:
                        kids[mb] = c
                except (psutil.Error, IndexError, ValueError):
                    pass
            if set(kids) == want:
                return p, kids
            time.sleep(0.05)
        raise AssertionError("the stand-ins did not come up")

    yield go
    for p in procs:
        for c in psutil.Process(p.pid).children():
            c.kill()
        p.kill()
        p.wait()


def _dead(proc, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_a_renderer_over_the_ceiling_is_killed_and_nothing_else(launch):
    launcher, kids = launch("150:--type=renderer", "160:--type=gpu-process",
                            "40:--type=renderer")
    dog = RendererWatchdog(ceiling_mb=100, total_mb=100_000, interval=0.05, rescan=0.1,
                           root=launcher.pid).start()
    try:
        assert _dead(kids[150])
        time.sleep(0.3)
        assert kids[160].is_running() and kids[40].is_running()  # not a renderer / small
    finally:
        dog.stop()
    assert [k["rss_mb"] >= 135 and "over 100 MB" in k["why"] for k in dog.kills] == [True]


def test_renderers_together_over_the_total_lose_the_largest(launch):
    launcher, kids = launch("60:--type=renderer", "90:--type=renderer", "120:--type=renderer")
    dog = RendererWatchdog(ceiling_mb=1000, total_mb=200, interval=0.05, rescan=0.1,
                           root=launcher.pid).start()
    try:
        assert _dead(kids[120])  # 270 MB together: the largest goes, 150 MB are left
        time.sleep(0.5)
        assert kids[60].is_running() and kids[90].is_running()
    finally:
        dog.stop()
    assert len(dog.kills) == 1 and "all pages together over 200 MB" in dog.kills[0]["why"]


def test_pss_is_not_read_while_the_resident_sum_is_within_the_total(launch, monkeypatch):
    """PSS <= RSS: an RSS sum within the total needs no PSS (reading it walks page tables)."""
    reads = []
    monkeypatch.setattr(wd, "_pss", lambda pid: reads.append(pid) or 0)
    launcher, kids = launch("40:--type=renderer", "50:--type=renderer")
    dog = RendererWatchdog(ceiling_mb=1000, total_mb=500, interval=0.05, rescan=0.1,
                           root=launcher.pid).start()
    time.sleep(0.6)
    dog.stop()
    assert reads == [] and dog.kills == []
    assert all(k.is_running() for k in kids.values())


def test_pss_is_read_no_more_often_than_its_cost_allows(launch, monkeypatch):
    """Over the total by RSS, PSS is read again only ``cost / pss_share`` after a pass that
    took ``cost`` (here 2 x 20 ms at 10 %: one pass per 0.4 s, where the rescan pace
    would allow one per 0.1 s)."""
    passes = []

    def slow_pss(pid):
        time.sleep(0.02)
        passes.append(time.monotonic())
        return 1  # PSS tiny: nothing is ever killed for the total

    monkeypatch.setattr(wd, "_pss", slow_pss)
    launcher, kids = launch("60:--type=renderer", "70:--type=renderer")
    dog = RendererWatchdog(ceiling_mb=1000, total_mb=100, interval=0.05, rescan=0.1,
                           root=launcher.pid, pss_share=0.1).start()
    t0 = time.monotonic()
    time.sleep(1.5)
    # on a loaded machine a 20 ms sleep takes longer, and so does the pause it earns: watch on
    # until a second pass (the rule is "no more often than", checked by the gaps below)
    while dog.pss_passes < 2 and time.monotonic() - t0 < 8:
        time.sleep(0.05)
    elapsed = time.monotonic() - t0
    dog.stop()
    assert dog.kills == [] and all(k.is_running() for k in kids.values())
    starts = passes[::2]  # two renderers: two reads a pass
    # the rescan pace alone would allow ~14 passes in 1.5 s; paced, one per 0.4 s at most
    assert 2 <= dog.pss_passes <= elapsed / 0.4 + 1, (dog.pss_passes, elapsed)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert gaps and min(gaps) >= 0.35, gaps
