"""Nightly-run simulation: 229 targets that are sections of ONE host (like the hokimiyat
sections of gov.uz), a politeness limit of R requests/s on that host. The scan must finish
within 1.05x of the politeness bound - requests to the host / R - i.e. the crawler keeps
the host busy at its allowed rate while work is queued, and never exceeds it. It runs with
the nightly progress on (per-page events; without a terminal, one journal line per target,
to ``--progress-log``) and the end-of-run work of a nightly scan (changes, regressions,
scores), so their cost is in the figure.

    python bench/bench_nightly.py --targets 229 --pages 5 --rate 20
    python bench/bench_nightly.py --probes none     # crawl only, no probes
    python bench/bench_nightly.py --progress off    # without the progress display

nginx serves the sections and enforces the same rate (``limit_req``, burst = R, excess
answered 503): a 503 in its log would mean govscan went faster than it promised. The
request count comes from nginx's access log, so it includes everything govscan asked the
host for (robots.txt, pages, sitemap look-ups, endpoints, search queries).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main():
    ap = argparse.ArgumentParser(description="nightly-run politeness simulation")
    ap.add_argument("--targets", type=int, default=229)
    ap.add_argument("--pages", type=int, default=5, help="pages per target (5)")
    ap.add_argument("--rate", type=float, default=20.0, help="R: requests/s on the host (20)")
    ap.add_argument("--concurrency", type=int, default=2,
                    help="per-host concurrency (default 2, the nightly default)")
    ap.add_argument("--target-concurrency", type=int, default=8)
    ap.add_argument("--probes", choices=("static", "none"), default="static")
    ap.add_argument("--out", default=None)
    ap.add_argument("--progress", choices=("lines", "off"), default="lines",
                    help="journal lines per target (default) or no progress")
    ap.add_argument("--progress-log", default=None,
                    help="where the progress lines go (default OUT/progress.log)")
    a = ap.parse_args()

    from bench_crawl import static_probes
    from farmgen import NginxFarm, free_port, generate_shared

    from crawler.capture import CaptureOptions
    from crawler.fetch import FetchConfig
    from govscan.runner import run_scan
    from govscan.store import Store
    from crawler.targets import Target

    out = Path(a.out or tempfile.mkdtemp(prefix="govscan-nightly-"))
    port = free_port()
    meta = generate_shared(out, a.targets, a.pages, port, a.rate)
    targets = [Target(f"t{i}", f"Tuman {i}", "", "district", u, u.rstrip("/"))
               for i, u in enumerate(meta["urls"])]
    probes = static_probes() if a.probes == "static" else []
    cfg = FetchConfig(allow_private=True, ca_bundle=meta["ca"], per_host_delay=1.0 / a.rate,
                      per_host_concurrency=a.concurrency, retries=0)
    opts = CaptureOptions(max_pages=a.pages, render_pages=0, screenshots=False)
    log = out / "logs" / "access-shared.log"
    plog = Path(a.progress_log or out / "progress.log")
    with NginxFarm(out, out / "nginx-shared.conf", ("127.0.0.1", port)):
        log.write_text("")  # the start-up probe connection is not part of the run
        store = Store(out / "nightly.db")
        t0 = time.time()
        old_err = sys.stderr
        try:
            with open(plog, "w", encoding="utf-8") as fh:
                sys.stderr = fh  # not a terminal: the journal's line per target
                s = asyncio.run(run_scan(targets, probes, store, opts, cfg,
                                         progress=a.progress == "lines", render=False,
                                         capture_dir=out / "cap",
                                         target_concurrency=a.target_concurrency))
        finally:
            sys.stderr = old_err
            store.close()
        elapsed = time.time() - t0
        time.sleep(0.3)  # let nginx flush its log
    lines = [ln.split(" ", 3) for ln in log.read_text().splitlines() if ln.strip()]
    statuses = Counter(ln[2] for ln in lines)
    requests = len(lines)
    bound = requests / a.rate
    starts = sorted(float(ln[0]) - float(ln[1]) for ln in lines)  # end - duration
    gaps = [b - x for x, b in zip(starts, starts[1:])]
    res = {
        "targets": a.targets, "pages_per_target": a.pages, "rate": a.rate,
        "probes": [p.id for p in probes], "status": s.status, "pages": s.pages,
        "requests_to_host": requests, "nginx_statuses": dict(statuses),
        "elapsed_s": round(elapsed, 1), "bound_s": round(bound, 1),
        "ratio": round(elapsed / bound, 3), "pages_bound_s": round(s.pages / a.rate, 1),
        # request starts as nginx saw them (millisecond resolution)
        "min_gap_ms": round(1000 * min(gaps), 1) if gaps else None,
        "median_gap_ms": round(1000 * sorted(gaps)[len(gaps) // 2], 1) if gaps else None,
        "max_gap_ms": round(1000 * max(gaps), 1) if gaps else None,
        "progress": a.progress, "progress_lines": sum(1 for _ in open(plog, encoding="utf-8")),
        "regressions": len(s.regressions), "scores": sorted(s.scores),
        "goal": "ratio <= 1.05 and no 503",
    }
    res["ok"] = res["ratio"] <= 1.05 and "503" not in statuses
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
