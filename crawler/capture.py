"""Capture one target: run the gatherers that the selected probes need.

``capture_site(target, artifacts, env)`` returns a ``SiteCapture``. Each artifact has one
gatherer (an ``async def gather(site, env)`` that fills its part of the capture); gatherers
never raise - a failure is recorded in ``site.errors[artifact]`` with its cause, and what was
captured before it is kept. The order matters: pages first (the others read them).

``CaptureEnv`` carries the shared machinery of a run: the polite fetcher, the browser pool
and the validator service (both started lazily, only when an artifact needs them), options,
and where screenshots go.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from .artifacts import Artifact, Hints, SiteCapture
from .causes import Cause, FetchError
from .targets import Target

log = logging.getLogger(__name__)


@dataclass
class CaptureOptions:
    max_pages: int = 30  # page budget per target
    max_depth: int = 3
    render_pages: int = 3  # how many pages per target are rendered (home first)
    exercise_post_search: bool = False  # send a query through a POST search form too
    screenshots: bool = True
    single_url: bool = False  # `govscan probe`: judge the URL (+ one click), no crawl
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


async def capture_site(target: Target, artifacts, env: CaptureEnv) -> SiteCapture:
    """Gather ``artifacts`` (plus dependencies) for ``target``. Never raises."""
    site = SiteCapture(target=target, capture_dir=str(env.capture_dir))
    for art in closure(artifacts):
        emit(env, site, "stage", stage=stage_of(BY_ARTIFACT[art]))  # i13 progress
        try:
            gather = _load(BY_ARTIFACT[art].gatherer)
        except (ImportError, AttributeError) as exc:
            site.errors[str(art)] = FetchError(Cause.NOT_CAPTURED,
                                               f"no gatherer for {art}: {exc}")
            continue
        try:
            await gather(site, env)
            site.gathered.add(str(art))
        except Exception as exc:  # noqa: BLE001 - a gatherer bug must not sink the site
            log.exception("gatherer %s failed on %s", art, target.start_url)
            site.errors[str(art)] = FetchError(Cause.OTHER, f"{art} gatherer: {exc!r}")
    return site
