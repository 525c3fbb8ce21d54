"""``govscan demo``: the embedded loopback farm, scanned end to end, with its report.

The farm (``crawler.farm``) serves small realistic sites in Uzbek Latin and Cyrillic and
Russian over HTTP and HTTPS on 127.0.0.1, with a throw-away CA; the scan trusts that CA,
maps the farm's host names to loopback and permits private addresses - for the farm only.
Nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from crawler.capture import CaptureOptions
from crawler.farm import Farm
from crawler.farm.sites import demo_targets
from crawler.fetch import FetchConfig
from crawler.targets import Target, with_exclusions
from probes.base import select

from .runner import RunSummary, run_scan
from .store import Store


@dataclass
class DemoResult:
    db: Path
    report: Path
    summary: RunSummary


async def run_demo(out: Path, render: bool = True, progress: bool = True,
                   announce=print) -> DemoResult:
    """Scan the farm into ``out/govscan.db`` (a fresh database) and write the report to
    ``out/report/``. ``announce`` receives one line about the farm before the scan."""
    from reports.html import build_report

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "govscan.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with Farm(out / "farm") as farm:
        targets = with_exclusions([Target.from_dict(d) for d in demo_targets(farm)])
        announce(f"govscan demo: {len(targets)} farm sites on 127.0.0.1 "
                 f"(port {farm.port('main')}), CA {farm.ca_pem}")
        cfg = FetchConfig(ca_bundle=str(farm.ca_pem), allow_private=True,
                          resolve=dict(farm.resolve), per_host_concurrency=4,
                          per_host_delay=0.0, total_timeout=20.0)
        opts = CaptureOptions(max_pages=12, render_pages=2)
        store = Store(db)
        try:
            summary = await run_scan(targets, select(["all"]), store, opts, cfg,
                                     progress=progress, render=render,
                                     capture_dir=out / "captures", now=dt.date.today())
            report = build_report(store, summary.run_id, out / "report")
        finally:
            store.close()
    return DemoResult(db, report, summary)
