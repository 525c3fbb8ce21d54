"""Browser pipeline benchmark: govscan (render + axe + mobile + engines + the browser probes)
against pa11y-ci (axe runner) on the same pages, in the same run, same Debian Chromium.

    .venv/bin/python bench/bench_browser.py                 # 10 sites x 10 pages = 100 pages
    .venv/bin/python bench/bench_browser.py --sites 4 --pages 10 --pa11y-concurrency 1

Pages: ``bench/farmgen.py`` (hokimiyat-like pages of 25-60 KB, nginx on loopback, one loopback
address per site). govscan: every URL is captured as a one-page target through the real
fetcher and ``crawler.capture.capture_site`` with RENDERED + AXE + MOBILE + ENGINES (full-page
screenshot and a 360 px screenshot per page, axe WCAG 2.0/2.1 A/AA, 360/414 px measurements),
then judged by the wcag, responsive, browser-compat and chatbot probes and the mixed-content
helper. pa11y-ci: ``bench/node`` (``npm ci`` there), runner axe, standard WCAG2AA, Chromium
from ``/usr/bin/chromium`` via puppeteer's ``executablePath``, a generated ``.pa11yci`` JSON.

Both tools run as child processes of this script and are measured the same way from
outside (``measured``): wall time, pages/min, CPU seconds per page - by ``wait4`` (the
tool's process and every child it reaped) and of the whole process tree (``CpuGroup``, a
cgroup the child joins before it starts: Chromium's renderers, reaped by its zygote, are
missed by ``wait4``; "n/a" where no cgroup can be made) - and peak memory of each tool's whole process tree (Python or node + the driver + every Chromium
process), sampled from this process (psutil, ``tests/helpers.PeakTree``). (Until
issue 14 govscan ran inside this process, its memory sampler a thread beside it: the
sampler's ``/proc`` reads held govscan's GIL and were counted as govscan's CPU.) Memory is
the sum of PSS (proportional set size: shared pages split between processes - the honest
total), read as often as keeps its page-table walks at ``PSS_SHARE`` of one core, and the
sum of RSS (counts shared pages once per process: an upper bound), read every 0.2 s. (Read
every 0.2 s, PSS had cost a tenth of the machine - CPU the tool being measured lost.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))  # helpers.capture_urls

import farmgen  # noqa: E402

from crawler import browser  # noqa: E402
from crawler.artifacts import Hints  # noqa: E402
from crawler.capture import CaptureOptions  # noqa: E402
from crawler.fetch import FetchConfig  # noqa: E402
from probes import browser_compat, chatbot, responsive, wcag  # noqa: E402
from probes.base import Artifact, Context, run_probe  # noqa: E402
from probes.https import mixed_content  # noqa: E402

from helpers import PeakTree, capture_urls  # noqa: E402

NODE_DIR = ROOT / "bench" / "node"
PA11Y_CI = NODE_DIR / "node_modules" / ".bin" / "pa11y-ci"
# the memory sampler's PSS reads (page-table walks) may take 2 % of one core, for both tools
PSS_SHARE = 0.02


# --- the two tools ------------------------------------------------------------------------------

PROFILES = {
    # everything the browser probes need: screenshots, axe, mobile, engines, 4 probes judged
    "full": ({Artifact.RENDERED, Artifact.AXE, Artifact.MOBILE, Artifact.ENGINES}, True,
             ("wcag", "responsive", "browser-compat", "chatbot")),
    # what pa11y-ci does: render + axe, judged by the wcag probe, no screenshots - what
    # `govscan run --probe wcag` gathers: the wcag probe's hints only (until issue 14's
    # fifth pass this profile also carried the chat probe's hints, so every page was also
    # watched for a late chat launcher, which pa11y-ci does not do)
    "wcag": ({Artifact.RENDERED, Artifact.AXE}, False, ("wcag",)),
}


def _probes(names) -> list:
    by_id = {"wcag": wcag.PROBE, "responsive": responsive.PROBE,
             "browser-compat": browser_compat.PROBE, "chatbot": chatbot.PROBE}
    return [by_id[n] for n in names]


def run_govscan(urls: list[str], sites_at_once: int, pool: int, shots: Path,
                profile: str = "full") -> dict:
    arts, screenshots, names = PROFILES[profile]
    probes = _probes(names)
    judged: dict = {**{n: {} for n in names}, "mixed": 0}
    reused = 0  # pages rendered in a reused tab of their host (``Rendered.extra["tab"]``)
    cross = 0  # ... in a reused tab of another host (a new renderer in it)
    stages: dict[str, list[int]] = {}  # stage -> ms per page (Rendered.extra["timings"])
    ctx = Context()

    def on_site(site):
        nonlocal reused, cross
        for probe in probes:
            st = str(run_probe(probe, site, ctx).status)
            judged[probe.id][st] = judged[probe.id].get(st, 0) + 1
        if profile == "full":  # the mixed-content helper too
            judged["mixed"] += len(mixed_content(site))
        for p in site.pages:
            if p.rendered is not None:
                for k, v in (p.rendered.extra.get("timings") or {}).items():
                    stages.setdefault(k, []).append(v)
                reused += p.rendered.extra.get("tab") == "reused"
                cross += p.rendered.extra.get("tab") == "reused-other-host"
        for p in site.pages:  # keep memory flat on long runs: the findings are what matter
            if p.rendered is not None:
                p.rendered.dom = ""

    cfg = FetchConfig(allow_private=True, per_host_delay=0.0, per_host_concurrency=4,
                      retries=0)
    opts = CaptureOptions(single_url=True, render_pages=1, screenshots=screenshots)
    opts.extra["browser_concurrency"] = pool
    t0 = time.monotonic()
    # what the pipeline hands the gatherers: the judged probes' hints, merged
    hints = Hints.merge(p.hints for p in probes)
    sites = asyncio.run(capture_urls(
        urls, arts, cfg, capture_dir=str(shots) if screenshots else "", options=opts,
        concurrency=sites_at_once, on_site=on_site, hints=hints))
    wall = time.monotonic() - t0
    ok = sum(1 for s in sites if s.home is not None and s.home.rendered is not None
             and s.home.rendered.axe and "violations" in s.home.rendered.axe)
    # CPU is measured from outside, by the parent (``measured``), as for pa11y-ci
    return {"wall_s": wall, "pages": len(urls), "pages_ok": ok, "judged": judged,
            "tabs_reused": reused, "tabs_reused_other_host": cross, "stages": stage_summary(stages, len(urls))}


class CpuGroup:
    """The CPU time of a process and every descendant, reaped or not: a cgroup v1 ``cpuacct``
    group the child joins before it runs anything (``preexec``), read when it has exited.
    ``usage_s`` is None where no such group can be made (not root, cgroup v2 only): then
    only the ``wait4`` figure is given. (``wait4`` counts the child and what it reaped;
    Chromium's renderers are reaped by its zygote, which nobody waits for, so for both
    tools it misses most of the browser.)"""

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self, name: str):
        self.path = self.ROOT / f"govscan-bench-{os.getpid()}-{name}"
        self.usage_s: float | None = None
        try:
            self.path.mkdir(exist_ok=True)
            self._start = int((self.path / "cpuacct.usage").read_text())
        except OSError:
            self.path = None

    def preexec(self) -> None:  # in the child, before exec
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def close(self) -> None:
        if self.path is None:
            return
        try:
            self.usage_s = (int((self.path / "cpuacct.usage").read_text()) - self._start) / 1e9
            for _ in range(50):  # the tree's last processes may still be exiting
                try:
                    self.path.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)
        except OSError:
            pass


def measured(cmd: list[str], name: str, exclude=(), **popen) -> dict:
    """Run ``cmd`` as a child and measure it from here, the same way for both tools: wall,
    CPU by ``wait4`` (the child and what it reaped) and of the whole tree (``CpuGroup``),
    peak memory of its tree (``PeakTree``). -> {wall_s, cpu_s, tree_cpu_s, peak_pss_mb,
    peak_rss_mb, pss_reads, exit, out, err}."""
    group = CpuGroup(name)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=group.preexec, **popen)
    bufs: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: bufs.__setitem__(k, f.read()))
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    with PeakTree(proc.pid, exclude=exclude, interval=0.2, pss_share=PSS_SHARE) as mem:
        _, status, ru = os.wait4(proc.pid, 0)
    for t in readers:
        t.join()
    wall = time.monotonic() - t0
    group.close()
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "tree_cpu_s": group.usage_s,
            "peak_pss_mb": mem.peak_mb, "peak_rss_mb": mem.peak_rss_mb,
            "pss_reads": mem.pss_reads, "exit": os.waitstatus_to_exitcode(status),
            "out": bufs.get("out", b""), "err": bufs.get("err", b"")}


def measure_govscan(urls: list[str], sites_at_once: int, pool: int, shots: Path,
                    profile: str, exclude: set[int]) -> dict:
    """``run_govscan`` in a child process (``--child``), measured from here as pa11y-ci is
    (``measured``)."""
    job = shots.parent / f"job-{profile}-{len(urls)}.json"
    job.write_text(json.dumps({"urls": urls, "sites_at_once": sites_at_once, "pool": pool,
                               "shots": str(shots), "profile": profile}))
    m = measured([sys.executable, str(Path(__file__).resolve()), "--child", str(job)],
                 f"govscan-{profile}", exclude)
    out, err = m.pop("out"), m.pop("err")
    if m["exit"] != 0:
        raise RuntimeError(f"govscan {profile} failed:\n{err.decode()[-3000:]}")
    g = json.loads(out.decode().strip().splitlines()[-1])
    g.update(m, profile=profile)
    return g


def stage_summary(stages: dict[str, list[int]], pages: int) -> dict[str, dict]:
    """stage -> {mean ms per page that had it, pages, share of all pages' stage time}."""
    total = sum(sum(v) for v in stages.values()) or 1
    return {k: {"mean_ms": round(sum(v) / len(v)), "pages": len(v),
                "share": round(sum(v) / total, 3)}
            for k, v in sorted(stages.items(), key=lambda kv: -sum(kv[1]))}


def run_pa11y(urls: list[str], concurrency: int, workdir: Path) -> dict:
    if not PA11Y_CI.exists():
        return {"error": f"{PA11Y_CI} missing: run `npm ci` in bench/node"}
    conf = {"defaults": {"runners": ["axe"], "standard": "WCAG2AA", "timeout": 60000,
                         "concurrency": concurrency,
                         "chromeLaunchConfig": {
                             "executablePath": browser.find_chromium(),
                             "args": ["--no-sandbox", "--disable-gpu",
                                      "--disable-dev-shm-usage", "--disable-quic",
                                      "--no-first-run"]}},
            "urls": urls}
    cfg = workdir / ".pa11yci"
    cfg.write_text(json.dumps(conf, indent=1))
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    res = measured([str(PA11Y_CI), "--config", str(cfg), "--json"], f"pa11y-{concurrency}",
                   cwd=NODE_DIR, env=env)
    out, err = res.pop("out"), res.pop("err")
    res["pages"] = len(urls)
    try:
        j = json.loads(out.decode())
        res["pages_ok"] = j.get("total", 0) - j.get("errors", 0) if "errors" in j else \
            j.get("total", len(urls))
        res["passes"] = j.get("passes")
        res["issues_pages"] = sum(1 for v in (j.get("results") or {}).values() if v)
    except ValueError:
        res["stderr"] = err.decode()[-500:]
        res["stdout"] = out.decode()[-500:]
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--pages", type=int, default=10, help="pages per site (<= 40)")
    ap.add_argument("--pool", type=int, default=2, help="govscan pages rendered at once")
    ap.add_argument("--sites-at-once", type=int, default=3,
                    help="govscan captures in flight (they share the pool)")
    ap.add_argument("--pa11y-concurrency", default="1,2",
                    help="comma-separated: one pa11y-ci run each (1 is its default)")
    ap.add_argument("--profiles", default="full,wcag",
                    help="govscan runs: full (all browser artifacts), wcag (render+axe)")
    ap.add_argument("--skip-pa11y", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--child", help=argparse.SUPPRESS)  # a job file: run govscan, print JSON
    a = ap.parse_args(argv)
    if a.child:
        job = json.loads(Path(a.child).read_text())
        print(json.dumps(run_govscan(job["urls"], job["sites_at_once"], job["pool"],
                                     Path(job["shots"]), job["profile"])))
        return 0
    work = Path(tempfile.mkdtemp(prefix="govscan-bench-browser-"))
    os.chmod(work, 0o755)  # nginx's worker (not root) must read the pages
    port = farmgen.free_port()
    farmgen.generate(work / "farm", a.sites, a.pages, port)
    paths = farmgen.page_paths(a.pages)
    urls = [f"http://{farmgen.site_ip(i)}:{port}{p}" for i in range(a.sites) for p in paths]
    nginx = farmgen.NginxFarm(work / "farm").start()
    try:
        # warm the OS caches and Chromium's binary once, for both tools alike
        subprocess.run([browser.find_chromium(), "--version"], capture_output=True)
        # ...and one untimed govscan capture of a few pages: until issue 14 the first
        # profile run paid the cold start (the driver's node, Chromium's first profile and
        # code cache, the imports) and always came out slowest; pa11y-ci runs after
        # govscan, on a warm disk cache, either way
        measure_govscan(urls[:4], a.sites_at_once, a.pool, work / "warm-shots", "full",
                        {nginx.proc.pid})
        gs, ps = [], []
        for prof in [x for x in a.profiles.split(",") if x]:
            gs.append(measure_govscan(urls, a.sites_at_once, a.pool, work / "shots", prof,
                                      {nginx.proc.pid}))
        if not a.skip_pa11y:
            for c in [int(x) for x in a.pa11y_concurrency.split(",") if x]:
                p = run_pa11y(urls, c, work)
                p["concurrency"] = c
                ps.append(p)
    finally:
        nginx.stop()
    load = os.getloadavg()
    print(f"{len(urls)} pages ({a.sites} sites x {a.pages}), {os.cpu_count()} cores, "
          f"load average at the end {load[0]:.1f} (1 min) {load[1]:.1f} (5 min)\n")
    print("| tool | settings | wall s | pages/min | CPU s/page (wait4) | CPU s/page (whole "
          "tree) | peak PSS MB | peak RSS-sum MB | ok |")
    print("|---|---|---|---|---|---|---|---|---|")
    what = {"full": "render+screenshots+axe+mobile+engines, 4 probes + mixed content",
            "wcag": "render+axe, wcag probe, no screenshots"}

    def per_page(m: dict, key: str) -> str:
        return "n/a" if m.get(key) is None else f"{m[key] / m['pages']:.2f}"

    for g in gs:
        print(f"| govscan `{g['profile']}` | pool {a.pool}, {a.sites_at_once} captures in "
              f"flight; {what[g['profile']]} | {g['wall_s']:.1f} | "
              f"{g['pages'] / g['wall_s'] * 60:.0f} | {per_page(g, 'cpu_s')} | "
              f"{per_page(g, 'tree_cpu_s')} | {g['peak_pss_mb']:.0f} | "
              f"{g['peak_rss_mb']:.0f} | {g['pages_ok']}/{g['pages']} |")
    for p in ps:
        if "wall_s" in p and "stdout" not in p:
            print(f"| pa11y-ci 4.1.1 (axe) | concurrency {p['concurrency']}, WCAG2AA | "
                  f"{p['wall_s']:.1f} | {p['pages'] / p['wall_s'] * 60:.0f} | "
                  f"{per_page(p, 'cpu_s')} | {per_page(p, 'tree_cpu_s')} | "
                  f"{p['peak_pss_mb']:.0f} | {p['peak_rss_mb']:.0f} | "
                  f"{p.get('pages_ok', '?')}/{p['pages']} |")
        else:
            print(f"\npa11y-ci failed: {p}")
    ok_ps = [p for p in ps if "wall_s" in p and "stdout" not in p]
    for g in gs:
        for p in ok_ps:
            key = "tree_cpu_s" if g.get("tree_cpu_s") and p.get("tree_cpu_s") else "cpu_s"
            print(f"govscan `{g['profile']}` vs pa11y-ci concurrency {p['concurrency']}: "
                  f"{(g['pages'] / g['wall_s']) / (p['pages'] / p['wall_s']):.2f}x pages/min, "
                  f"{p[key] / g[key]:.2f}x less CPU per page "
                  f"({'whole tree' if key == 'tree_cpu_s' else 'wait4'})")
    for g in gs:
        print(f"\ngovscan `{g['profile']}` findings: {json.dumps(g['judged'])}; tabs "
              f"reused: {g['tabs_reused']} of {g['pages']} pages, and "
              f"{g.get('tabs_reused_other_host', 0)} more for another host (a new renderer)")
        print(f"govscan `{g['profile']}` where a page's time goes (ms per page, mean of the "
              f"pages with that stage; share of all stage time; stages of concurrent pages "
              f"overlap):")
        print("| stage | mean ms | pages | share |\n|---|---:|---:|---:|")
        for k, v in g["stages"].items():
            print(f"| {k} | {v['mean_ms']} | {v['pages']} | {v['share']:.0%} |")
    if a.json:
        Path(a.json).write_text(json.dumps({"govscan": gs, "pa11y": ps, "urls": len(urls),
                                            "load": load}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
