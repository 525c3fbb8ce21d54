"""Capture one target: run the gatherers that the selected probes need.

``capture_site(target, artifacts, env)`` returns a ``SiteCapture``. Each artifact has one
gatherer (an ``async def gather(site, env)`` that fills its part of the capture); gatherers
never raise - a failure is recorded in ``site.errors[artifact]`` with its cause, and what was
captured before it is kept. The order matters: pages first (the others read them).

A target has a time budget (``CaptureOptions.target_budget`` seconds, wall clock, from its
first request to its last artifact): when it runs out, the gatherer at work is cancelled, what
it had captured so far is kept (the start page and the pages crawled until then are judged as
usual), and that artifact and every one not yet gathered get ``time-budget`` in
``site.errors`` (probes needing them report ``error`` with that cause); ``site.notes`` says
where the budget ran out. ``None`` or 0 means no budget.

``CaptureEnv`` carries the shared machinery of a run: the polite fetcher, the browser pool
and the validator service (both started lazily, only when an artifact needs them), options,
and where screenshots go.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from .artifacts import Artifact, Hints, Page, Response, SiteCapture
from .causes import Cause, FetchError
from .targets import Target

log = logging.getLogger(__name__)

# 15 minutes: a gov.uz target takes ~3-4 min at the nightly defaults (8 targets share the
# host's 2 requests/s, plus 3 rendered pages); see README "Time and size limits"
DEFAULT_TARGET_BUDGET = 900.0


@dataclass
class CaptureOptions:
    max_pages: int = 30  # page budget per target
    max_depth: int = 3
    render_pages: int = 3  # how many pages per target are rendered (home first)
    exercise_post_search: bool = False  # send a query through a POST search form too
    screenshots: bool = True
    single_url: bool = False  # `govscan probe`: judge the URL (+ one click), no crawl
    # seconds one target may take to capture (None/0: unbounded); see the module doc and
    # README "Time and size limits" for the default
    target_budget: float | None = DEFAULT_TARGET_BUDGET
    hints: Hints = field(default_factory=Hints)  # merged from the selected probes
    extra: dict[str, Any] = field(default_factory=dict)
    # i13 progress: on_event(target_id, event, data) - "stage" {stage} before each gatherer,
    # "page" {url} per page fetched (see emit); None = nobody listens
    on_event: Callable[[str, str, dict], None] | None = None


@dataclass
class CaptureEnv:
    fetcher: Any  # crawler.fetch.Fetcher
    options: CaptureOptions = field(default_factory=CaptureOptions)
    capture_dir: Path = Path("captures")
    renderer: Any = None  # crawler.browser.RenderPool, started on first use
    validator: Any = None  # crawler.validator.VnuService, started on first use
    resolve: dict[str, str] = field(default_factory=dict)

    async def close(self) -> None:
        """Stop the browser pool and the validator service if gatherers started them."""
        if self.renderer is not None:
            try:
                await self.renderer.close()
            except Exception:  # noqa: BLE001 - shutting down: say so, carry on
                log.warning("closing the browser failed", exc_info=True)
            self.renderer = None
        if self.validator is not None:
            try:
                self.validator.stop()
            except Exception:  # noqa: BLE001
                log.warning("stopping the Nu HTML Checker failed", exc_info=True)
            self.validator = None


Gatherer = Callable[[SiteCapture, CaptureEnv], Awaitable[None]]

@dataclass(frozen=True)
class Step:
    """How one artifact is gathered: its gatherer ("module:function", imported lazily so a
    missing optional part - no browser, no Java - only affects the artifacts that need it)
    and the artifacts it reads, which are gathered before it."""

    artifact: Artifact
    gatherer: str
    after: frozenset[Artifact] = frozenset()


_P, _R = frozenset({Artifact.PAGES}), frozenset({Artifact.PAGES, Artifact.RENDERED})

# every artifact once, in gathering order: a new artifact is one line here (and its field in
# crawler.artifacts, and its rows in the store)
STEPS: tuple[Step, ...] = (
    Step(Artifact.ROBOTS, "crawler.sitemaps:gather_robots"),
    Step(Artifact.PAGES, "crawler.crawl:gather_pages"),
    Step(Artifact.ENDPOINTS, "crawler.endpoints:gather_endpoints"),
    Step(Artifact.SITEMAPS, "crawler.sitemaps:gather_sitemaps", frozenset({Artifact.ROBOTS})),
    Step(Artifact.LINKED, "crawler.crawl:gather_linked", _P),
    Step(Artifact.SEARCH_QUERY, "crawler.search_query:gather_search_query", _P),
    Step(Artifact.LEGACY, "crawler.crawl:gather_legacy"),
    Step(Artifact.RENDERED, "crawler.browser.gatherers:gather_rendered", _P),
    Step(Artifact.AXE, "crawler.browser.gatherers:gather_axe", _R),
    Step(Artifact.MOBILE, "crawler.browser.gatherers:gather_mobile", _R),
    Step(Artifact.ENGINES, "crawler.browser.gatherers:gather_engines", _P),
    Step(Artifact.A11Y_MODE, "crawler.browser.a11y_mode:gather_a11y_mode", _P),  # i10-content
    Step(Artifact.VNU, "crawler.validator.gatherers:gather_vnu", _P),
    Step(Artifact.CSS, "crawler.validator.gatherers:gather_css", _P),
)
BY_ARTIFACT: dict[Artifact, Step] = {s.artifact: s for s in STEPS}
ORDER: tuple[Artifact, ...] = tuple(s.artifact for s in STEPS)


def closure(artifacts) -> list[Artifact]:
    """The artifacts to gather, with their dependencies, in gathering order."""
    want = {Artifact(a) for a in artifacts} | {Artifact.PAGES}
    changed = True
    while changed:
        changed = False
        for a in list(want):
            extra = BY_ARTIFACT[a].after - want
            if extra:
                want |= extra
                changed = True
    return [a for a in ORDER if a in want]


def stage_of(step: Step) -> str:
    """The stage a person watching a run sees for a gatherer: crawl, render or validate."""
    mod = step.gatherer.split(":")[0]
    return ("render" if mod.startswith("crawler.browser") else
            "validate" if mod.startswith("crawler.validator") else "crawl")


def emit(env: CaptureEnv, site: SiteCapture, event: str, **data) -> None:
    """Tell ``options.on_event`` (progress display) what is happening; never raises."""
    cb = getattr(getattr(env, "options", None), "on_event", None)
    if cb is not None:
        try:
            cb(site.target.id, event, data)
        except Exception:  # noqa: BLE001 - a display must not sink a capture
            log.debug("progress callback failed", exc_info=True)


def _load(spec: str) -> Gatherer:
    import importlib

    mod, fn = spec.split(":")
    return getattr(importlib.import_module(mod), fn)


def _budget_spent(site: SiteCapture, arts: list[Artifact], budget: float) -> None:
    """The budget ran out at ``arts[0]``: it and the artifacts after it get ``time-budget``;
    a crawl cut short keeps its pages (judged), a start page that was never fetched is
    recorded as failed with that cause (the start page is always ``site.pages[0]``)."""
    err = FetchError(Cause.TIME_BUDGET, f"the target's time budget of {budget:g}s ran out "
                                        f"while gathering {arts[0]}")
    for art in arts:
        site.errors.setdefault(str(art), err)
    if arts[0] == Artifact.PAGES and site.pages:
        # the crawl was cut short, but the pages fetched until then are judged (as when the
        # page budget is reached); site.errors["pages"] only matters without a start page
        site.gathered.add(str(Artifact.PAGES))
    if Artifact.PAGES in arts and not site.pages:
        site.pages.append(Page(Response(requested_url=site.start_url, error=err), depth=0,
                               found_from="", scope=site.target.scope))
    site.notes.append(f"time budget of {budget:g}s ran out while gathering {arts[0]}; not "
                      f"gathered: {', '.join(map(str, arts))}")


async def capture_site(target: Target, artifacts, env: CaptureEnv) -> SiteCapture:
    """Gather ``artifacts`` (plus dependencies) for ``target`` within the target's time
    budget (see the module doc). Never raises."""
    site = SiteCapture(target=target, capture_dir=str(env.capture_dir))
    budget = env.options.target_budget or None
    deadline = time.monotonic() + budget if budget else None
    arts = closure(artifacts)
    site.planned = frozenset(map(str, arts))
    for i, art in enumerate(arts):
        emit(env, site, "stage", stage=stage_of(BY_ARTIFACT[art]))  # i13 progress
        try:
            gather = _load(BY_ARTIFACT[art].gatherer)
        except (ImportError, AttributeError) as exc:
            site.errors[str(art)] = FetchError(Cause.NOT_CAPTURED,
                                               f"no gatherer for {art}: {exc}")
            continue
        try:
            if deadline is None:
                await gather(site, env)
            else:
                async with asyncio.timeout_at(asyncio.get_running_loop().time()
                                              + (deadline - time.monotonic())):
                    await gather(site, env)
            site.gathered.add(str(art))
        except TimeoutError:
            if deadline is not None and time.monotonic() >= deadline:
                _budget_spent(site, arts[i:], budget)
                break
            log.exception("gatherer %s failed on %s", art, target.start_url)
            site.errors[str(art)] = FetchError(Cause.OTHER, f"{art} gatherer: timeout")
        except Exception as exc:  # noqa: BLE001 - a gatherer bug must not sink the site
            log.exception("gatherer %s failed on %s", art, target.start_url)
            site.errors[str(art)] = FetchError(Cause.OTHER, f"{art} gatherer: {exc!r}")
    return site
