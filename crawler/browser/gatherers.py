"""The four browser gatherers named in ``crawler.capture.STEPS``: ``gather_rendered``,
``gather_axe``, ``gather_mobile``, ``gather_engines``.

They render only the first ``env.options.render_pages`` HTML pages of ``site.pages`` and never
raise: no browser -> ``site.errors[artifact] = FetchError(Cause.BROWSER_UNAVAILABLE, ...)``;
one page failing -> that page's ``Rendered.error`` (or the ``axe``/``mobile`` entry) says
why. One load per page: RENDERED parks its page, AXE runs in it, MOBILE emulates a phone in
it and closes it (``crawler.browser.pool``).

What they look for comes from ``env.options.hints`` (a ``crawler.artifacts.Hints`` the
pipeline merges from what the selected indicators declare, never read here): ``page_globals``
and ``launcher_words`` for the page facts, ``boxes`` for the elements whose boxes are
recorded next to the screenshot (``crawler.browser.evidence``). Empty hints: no globals
checked, no launcher words, no hinted boxes. ``env.options.screenshots=False``: no
screenshots and no boxes. ``env.options.extra["outline"]`` (a list, or ``{url: [...]}``):
selectors whose boxes are recorded too.

Screenshots go content-addressed under ``env.capture_dir`` (the captures root, shared by
every run); ``Rendered.screenshot`` and ``Rendered.mobile["screenshot"]`` are relative to it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..artifacts import Artifact, Hints, Page, Rendered, SiteCapture
from ..causes import Cause, FetchError
from .evidence import (MAX_AXE_BOXES, MAX_BOXES, axe_selectors, capped, hinted_selectors,
                       launcher_selectors, outline_selectors)
from .pool import BrowserUnavailable, RenderPool
from .visit import Plan, engine_visit

ENGINES = ("chromium", "firefox", "webkit")


def pool_for(env) -> RenderPool:
    """``env.renderer``, created on first use (started on its first visit)."""
    if env.renderer is None:
        env.renderer = RenderPool.from_env(env)
    return env.renderer


def pages_to_render(site: SiteCapture, env) -> list[Page]:
    n = getattr(env.options, "render_pages", 3)
    return site.html_pages()[:max(0, n)]


def hints_of(env) -> Hints:
    return getattr(env.options, "hints", None) or Hints()


def shots_root(env) -> Path | None:
    """Where screenshots go (the captures root), or None when screenshots are off."""
    if not getattr(env.options, "screenshots", True):
        return None
    return Path(env.capture_dir)


def _unavailable(site: SiteCapture, artifact: str, exc: Exception):
    site.errors[artifact] = FetchError(Cause.BROWSER_UNAVAILABLE, str(exc)[:500])


async def _for_pages(site, env, artifact: str, fn) -> None:
    pages = pages_to_render(site, env)
    if not pages:
        return
    try:
        await asyncio.gather(*(fn(i, p) for i, p in enumerate(pages)))
    except BrowserUnavailable as exc:
        _unavailable(site, artifact, exc)


async def gather_rendered(site: SiteCapture, env) -> None:
    """RENDERED: DOM, console, network log, full-page screenshot, globals, frames, shadow
    hosts, launchers of the first ``render_pages`` pages, and the boxes (on that screenshot)
    of the elements the hints, ``--outline`` and the launchers name."""
    pool = pool_for(env)
    hints = hints_of(env)
    shots = shots_root(env)

    watch_ms = watch_ms_of(env)
    axe_next = str(Artifact.AXE) in site.planned  # AXE runs in the page this visit parks

    async def one(i: int, page: Page):
        plan = Plan(page_globals=tuple(hints.page_globals),
                    launcher_words=tuple(hints.launcher_words), shots=shots,
                    watch_ms=watch_ms, axe_next=axe_next)
        plan.boxes = _box_selectors(page, env)
        v = await pool.visit(page.url, plan, park=True)
        page.rendered = v.rendered

    await _for_pages(site, env, "rendered", one)


WATCH_MS = 3000


def watch_ms_of(env) -> int:
    """How long (page time after ``load``) a rendered page is watched for a late chat
    launcher: ``WATCH_MS`` (``options.extra["browser_watch_ms"]``) when the hints name
    launcher words - a probe judges chat on the rendered pages - else 0. The watch ends as
    soon as a launcher shows, or when the page has no timer pending within that time and
    its network is quiet (``crawler.browser.visit.watch``)."""
    if not hints_of(env).launcher_words:
        return 0
    extra = getattr(env.options, "extra", {}) or {}
    return max(0, int(extra.get("browser_watch_ms", WATCH_MS)))


def merge_timings(into: Rendered, src: Rendered) -> None:
    """Add the stage timings of a later step (axe, mobile) to the page's own."""
    if into is src:
        return
    t = into.extra.setdefault("timings", {})
    for k, v in (src.extra.get("timings") or {}).items():
        t[k] = t.get(k, 0) + v


def _box_selectors(page: Page, env):
    """What to measure on ``page`` after its screenshot (None without screenshots): the
    ``--outline`` selectors, the launchers the page facts found, and the elements the hints'
    queries match in the served HTML and in the rendered DOM."""
    if shots_root(env) is None:
        return None
    hints = hints_of(env)
    outline = (getattr(env.options, "extra", {}) or {}).get("outline")
    asked = outline_selectors(outline, page.url, page.response.requested_url)
    static = hinted_selectors(page.tree, hints.boxes)

    def boxes(r: Rendered) -> list[str]:
        live = hinted_selectors(r.tree, hints.boxes) if hints.boxes and r.dom else []
        return capped(asked + launcher_selectors(r) + static + live, MAX_BOXES)
    return boxes


async def gather_axe(site: SiteCapture, env) -> None:
    """AXE: axe-core (WCAG 2.0 + 2.1 A/AA tags) on the first ``render_pages`` pages, every
    frame injected: in the page the RENDERED visit left open (same load, same settle), or in
    a fresh visit when it is gone. The violation (then incomplete) nodes' boxes join
    ``Rendered.boxes`` when the page has a screenshot."""
    pool = pool_for(env)
    shots = shots_root(env)

    async def one(i: int, page: Page):
        r0 = page.rendered
        want, size = None, None
        if shots is not None and r0 is not None and r0.screenshot:
            done = set(r0.boxes)

            def want(axe: dict) -> list[str]:
                return capped(axe_selectors(axe), MAX_AXE_BOXES, skip=done)
            s = r0.extra.get("screenshot_size")
            size = (int(s[0]), int(s[1])) if s else None
        v = await pool.axe_on(page.url, boxes=want, size=size)
        r = page.rendered or v.rendered
        if page.rendered is None:
            page.rendered = r
        merge_timings(r, v.rendered)
        if v.rendered.error is not None:
            r.axe = {"error": v.rendered.error.message, "cause": str(v.rendered.error.cause)}
        else:
            r.axe = v.axe
            if r is not v.rendered and r0 is not None and r0.screenshot:
                r.boxes.update(v.rendered.boxes)

    await _for_pages(site, env, "axe", one)


async def gather_mobile(site: SiteCapture, env) -> None:
    """MOBILE: measurements at 360 and 414 px wide (mobile emulation, touch) and a
    screenshot at 360 px (``Rendered.mobile["screenshot"]``), in the page left open by
    RENDERED/AXE (then closed) or in a fresh visit."""
    pool = pool_for(env)
    shots = shots_root(env)

    async def one(i: int, page: Page):
        v = await pool.mobile_on(page.url, shots)
        r = page.rendered or v.rendered
        if page.rendered is None:
            page.rendered = r
        merge_timings(r, v.rendered)
        m = v.mobile or {}
        if v.rendered.error is not None:
            m = {"error": v.rendered.error.message, "cause": str(v.rendered.error.cause)}
        r.mobile = m

    await _for_pages(site, env, "mobile", one)


async def gather_engines(site: SiteCapture, env) -> None:
    """ENGINES: the home page and two inner pages in every available engine: uncaught
    script errors and whether the navigation is visible. Chromium reuses the RENDERED visit
    when there was one; Firefox and WebKit are tried (Playwright's own builds) and recorded
    as unavailable when not installed."""
    pool = pool_for(env)
    pages = site.html_pages()[:3]
    if not pages:
        return
    why = await pool.available()
    if why:
        _unavailable(site, "engines", BrowserUnavailable(why))
        return

    async def chromium(page: Page):
        r = page.rendered
        if r is not None and r.error is not None:
            rv = r  # the page failed to render: say so, do not load it again
        elif r is None or "nav" not in r.extra:
            # a page beyond render_pages: a light visit (no DOM kept), with its screenshot
            # and boxes, so evidence found on it can be pictured like any rendered page's
            v = await pool.visit(page.url, Plan(full_dom=False, shots=shots_root(env),
                                                boxes=_box_selectors(page, env)))
            if r is None:
                page.rendered = r = v.rendered
            rv = v.rendered
        else:
            rv = r
        r.engines["chromium"] = engine_result(rv)

    await asyncio.gather(*(chromium(p) for p in pages))
    for name in ENGINES[1:]:
        if pool.config.resolve:
            # host names are pinned through Chromium's --host-resolver-rules only; another
            # engine would look them up in real DNS, so it is not tried
            b = "skipped: --resolve host pinning is only supported for Chromium"
        else:
            b = await pool.other_engine(name)
        for page in pages:
            if page.rendered is None:
                page.rendered = Rendered(page.url)
            if isinstance(b, str):
                page.rendered.engines[name] = {"available": False, "error": b}
            else:
                page.rendered.engines[name] = await engine_visit(
                    b, page.url, ignore_https_errors=pool.config.ignore_https_errors,
                    timeout=pool.config.page_timeout, guard=pool.guard)


def engine_result(r: Rendered) -> dict[str, Any]:
    """The browser-compat entry of a Chromium visit."""
    nav = r.extra.get("nav") or {}
    out = {"available": True, "loaded": r.error is None,
           "error": r.error.message if r.error else "",
           "page_errors": r.page_errors[:10], "nav_links": nav.get("links", 0),
           "nav_visible": nav.get("visible", 0), "links_visible": nav.get("any_visible", 0)}
    if r.error is not None:
        out["cause"] = str(r.error.cause)
    return out
