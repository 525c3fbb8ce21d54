"""The one pipeline: capture a target, judge it, hand the result on.

    targets -> gatherers (crawler/) -> artifacts (SiteCapture) -> probes (probes/) -> findings
            -> store (govscan.store) -> report (reports/)

This module (with the CLI and the run loop beside it) is the only place that knows both
sides: it asks the selected probes what to gather (``plan``: their artifacts and their
``Hints``), lets the capture side gather it (``crawler.capture.capture_site``), and runs the
probes on the capture (``judge_site``). ``govscan scan`` (``govscan.runner``), ``govscan
probe`` (``probe_urls``), ``govscan rejudge`` (``rejudge``) and the benchmarks all go
through here, so they cannot drift apart.

Findings are a pure function of the capture: a stored capture judged again (``rejudge``)
gives the same findings, evidence pictures included (they are boxes on the stored
screenshots, see ``probes.base.attach_boxes``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from crawler.artifacts import Artifact, SiteCapture
from crawler.capture import CaptureEnv, CaptureOptions, capture_site
from crawler.fetch import FetchConfig, Fetcher
from crawler.targets import Target
from probes.base import (Context, Probe, hints_for, judge_site, required_artifacts,  # noqa: F401 - judge_site: the pipeline's own word for it
                         run_probe, select)

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_ABORTED = 0, 1, 2, 3


def exit_code(statuses: Iterable[str] | dict[str, int], completed: bool = True,
              regressions: int | None = None) -> int:
    """The exit code of a finished job (stable; scripts depend on it): 3 when it did not
    complete; then, with ``regressions`` given (``--fail-on regressions``: the count of
    regressions the run found), 1 when there is any, else 0; without it, 1 when some
    finding is ``fail`` or ``error``, else 0. ``statuses`` is an iterable of statuses or a
    status -> count mapping. (2, usage, is decided before a job starts.)"""
    if not completed:
        return EXIT_ABORTED
    if regressions is not None:
        return EXIT_FAILURES if regressions else EXIT_OK
    seen = {s for s, n in statuses.items() if n} if isinstance(statuses, dict) \
        else {str(s) for s in statuses}
    return EXIT_FAILURES if seen & {"fail", "error"} else EXIT_OK


@dataclass
class Plan:
    """What to gather for a set of probes, and how to judge it."""

    probes: list[Probe]
    artifacts: frozenset[Artifact]
    options: CaptureOptions
    ctx: Context


def plan(probes: Iterable[Probe], options: CaptureOptions | None = None, render: bool = True,
         now: dt.date | None = None) -> Plan:
    """Ask ``probes`` what they need: the union of their artifacts (browser ones left out
    without ``render``) and their merged hints, written into the capture options."""
    probes = list(probes)
    options = dataclasses.replace(options or CaptureOptions(), hints=hints_for(probes))
    ctx = Context(now=now or dt.date.today(),
                  options={"exercise_post_search": options.exercise_post_search})
    return Plan(probes, required_artifacts(probes, render=render), options, ctx)


async def capture(target: Target, job: Plan, env: CaptureEnv) -> SiteCapture:
    """Gather what ``job`` needs for ``target``, and close the browser pages it parked."""
    site = await capture_site(target, job.artifacts, env)
    release = getattr(env.renderer, "release_site", None)
    if release is not None:
        try:
            await release(site)
        except Exception:  # noqa: BLE001 - only frees pages early; close() frees the rest
            log.warning("release_site failed", exc_info=True)
    return site


# --- URLs as one-page targets: govscan probe, the browser benchmarks --------------------------

async def capture_each(urls: list[str], job: Plan, fetch_config: FetchConfig, *,
                       capture_dir: Path | str | None = None, concurrency: int = 1,
                       on_site=None) -> list[SiteCapture]:
    """Capture each URL as its own target (``Target.for_url``; ids made unique by position
    when URLs repeat a target), ``concurrency`` at a time, with one fetcher and one browser
    pool for all, closed at the end. ``on_site(i, site)`` is called as each capture finishes
    (to judge and drop it on long runs). Without ``capture_dir`` no screenshots are taken."""
    import asyncio

    if not capture_dir:
        job = dataclasses.replace(job, options=dataclasses.replace(job.options,
                                                                   screenshots=False))
    out: list[SiteCapture | None] = [None] * len(urls)
    sem = asyncio.Semaphore(max(1, concurrency))
    targets = [Target.for_url(u) for u in urls]
    if len({t.id for t in targets}) < len(targets):
        targets = [dataclasses.replace(t, id=f"{t.id}-{i}") for i, t in enumerate(targets)]
    async with Fetcher(fetch_config) as fetcher:
        env = CaptureEnv(fetcher=fetcher, options=job.options,
                         capture_dir=Path(capture_dir) if capture_dir else Path(""),
                         resolve=dict(fetch_config.resolve or {}))

        async def one(i: int):
            async with sem:
                site = await capture(targets[i], job, env)
                if on_site is not None:
                    on_site(i, site)
                out[i] = site

        try:
            await asyncio.gather(*(one(i) for i in range(len(urls))))
        finally:
            await env.close()
    return [s for s in out if s is not None]


async def probe_urls(indicator: str, urls: list[str], fetch_config: FetchConfig,
                     now: dt.date, render: bool = True, exercise_post_search: bool = False,
                     capture_dir: Path | None = None, extra: dict | None = None,
                     screenshots: bool = True, target_budget: float | None = None) -> list:
    """``govscan probe``: one probe (or ``all``) against each URL, capturing on the fly only
    what it needs (a browser only for browser probes): the URL itself plus, where the
    indicator needs it, the pages one click away. Findings per URL in probe order; evidence
    screenshot paths are made absolute (there is no database to resolve them against).
    ``target_budget``: seconds each URL may take to capture (None: ``CaptureOptions``'s
    default; 0: unbounded)."""
    opts = CaptureOptions(single_url=True, max_pages=1, render_pages=1,
                          exercise_post_search=exercise_post_search, screenshots=screenshots,
                          extra=dict(extra or {}))
    if target_budget is not None:
        opts.target_budget = target_budget
    job = plan(select([indicator]), opts, render=render, now=now)
    cdir = Path(capture_dir or tempfile.mkdtemp(prefix="govscan-probe-"))
    judged: dict[int, list] = {}

    def judge(i: int, site: SiteCapture) -> None:
        judged[i] = judge_site(job.probes, site, job.ctx)
        for f in judged[i]:
            for e in f.evidence:
                if e.data.get("screenshot"):
                    e.data["screenshot"] = str(cdir / e.data["screenshot"])

    await capture_each(urls, job, fetch_config, capture_dir=cdir, on_site=judge)
    return [f for i in sorted(judged) for f in judged[i]]


# --- govscan rejudge -------------------------------------------------------------------------

@dataclass
class RejudgeResult:
    run_id: int
    source_run: int
    findings: dict[str, int] = field(default_factory=dict)  # status -> count

    @property
    def exit_code(self) -> int:
        return exit_code(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "rejudge_of": self.source_run,
                "findings": self.findings, "exit_code": self.exit_code}


def rejudge(store, source_run: int | None = None, indicators: Iterable[str] | None = None,
            now: dt.date | None = None) -> RejudgeResult:
    """Judge a stored run again with today's probes, without the network: a new run whose
    captures are the stored ones (screenshots shared, not copied) and whose findings are
    today's verdicts. By default the probes the stored run was scanned with (its captures
    hold what those probes needed, not more). Raises ``LookupError`` for a missing run."""
    src = source_run or store.latest_run()
    if src is None or store.run(src) is None:
        raise LookupError(f"{store.path} has no run {source_run or ''}".strip())
    if store.run(src).get("captures_pruned_at"):  # i13: retention keeps findings only
        raise LookupError(f"run {src}'s captures were pruned on "
                          f"{store.run(src)['captures_pruned_at']} (retention): nothing to "
                          f"judge again")
    probes = select(list(indicators or []) or store.run_options(src).get("probes") or ["all"])
    ctx = Context(now=now or dt.date.today())
    caps = store.captures(src)
    targets = [Target.from_dict(c["target"]) for c in caps]
    src_dir = store.run_options(src).get("capture_dir")  # i13: its pictures are there
    new = store.start_run({"rejudge_of": src, "probes": [p.id for p in probes],
                           **({"capture_dir": src_dir} if src_dir else {})}, targets)
    counts: dict[str, int] = {}
    for c in caps:
        site = store.load_capture(src, c["target_id"])
        findings = judge_site(probes, site, ctx)
        for f in findings:
            counts[str(f.status)] = counts.get(str(f.status), 0) + 1
        store.save_target_result(new, site, findings)
    store.finish_run(new, "completed", {"findings": counts, "rejudge_of": src})
    return RejudgeResult(new, src, counts)
