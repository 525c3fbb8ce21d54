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

# artifact -> "module:function"; imported lazily so a missing optional part (no browser,
# no Java) only affects the artifacts that need it.
GATHERERS: dict[Artifact, str] = {
    Artifact.PAGES: "crawler.crawl:gather_pages",
    Artifact.ENDPOINTS: "crawler.endpoints:gather_endpoints",
    Artifact.ROBOTS: "crawler.sitemaps:gather_robots",
    Artifact.SITEMAPS: "crawler.sitemaps:gather_sitemaps",
    Artifact.LINKED: "crawler.crawl:gather_linked",
    Artifact.LEGACY: "crawler.crawl:gather_legacy",
    Artifact.SEARCH_QUERY: "crawler.search_query:gather_search_query",
    Artifact.RENDERED: "crawler.browser.gatherers:gather_rendered",
    Artifact.AXE: "crawler.browser.gatherers:gather_axe",
    Artifact.MOBILE: "crawler.browser.gatherers:gather_mobile",
    Artifact.ENGINES: "crawler.browser.gatherers:gather_engines",
    Artifact.VNU: "crawler.validator.gatherers:gather_vnu",
    Artifact.CSS: "crawler.validator.gatherers:gather_css",
}

ORDER: tuple[Artifact, ...] = (
    Artifact.ROBOTS, Artifact.PAGES, Artifact.ENDPOINTS, Artifact.SITEMAPS, Artifact.LINKED,
    Artifact.SEARCH_QUERY, Artifact.LEGACY, Artifact.RENDERED, Artifact.AXE, Artifact.MOBILE,
    Artifact.ENGINES, Artifact.VNU, Artifact.CSS,
)

# what each artifact needs gathered before it
DEPENDS: dict[Artifact, frozenset[Artifact]] = {
    Artifact.SITEMAPS: frozenset({Artifact.ROBOTS}),
    Artifact.LINKED: frozenset({Artifact.PAGES}),
    Artifact.SEARCH_QUERY: frozenset({Artifact.PAGES}),
    Artifact.RENDERED: frozenset({Artifact.PAGES}),
    Artifact.AXE: frozenset({Artifact.PAGES, Artifact.RENDERED}),
    Artifact.MOBILE: frozenset({Artifact.PAGES, Artifact.RENDERED}),
    Artifact.ENGINES: frozenset({Artifact.PAGES}),
    Artifact.VNU: frozenset({Artifact.PAGES}),
    Artifact.CSS: frozenset({Artifact.PAGES}),
}


def closure(artifacts) -> list[Artifact]:
    """The artifacts to gather, with their dependencies, in gathering order."""
    want = {Artifact(a) for a in artifacts} | {Artifact.PAGES}
    changed = True
    while changed:
        changed = False
        for a in list(want):
            extra = DEPENDS.get(a, frozenset()) - want
            if extra:
                want |= extra
                changed = True
    return [a for a in ORDER if a in want]


def _load(spec: str) -> Gatherer:
    import importlib

    mod, fn = spec.split(":")
    return getattr(importlib.import_module(mod), fn)


async def capture_site(target: Target, artifacts, env: CaptureEnv) -> SiteCapture:
    """Gather ``artifacts`` (plus dependencies) for ``target``. Never raises."""
    site = SiteCapture(target=target, capture_dir=str(env.capture_dir))
    for art in closure(artifacts):
        try:
            gather = _load(GATHERERS[art])
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
