"""The render pool: one headless Chromium, a bounded number of pages, recycled.

* ``RenderPool`` owns one browser, started lazily on the first visit (``env.renderer``) and
  closed with ``await pool.close()``. At most ``concurrency`` pages are open at once (2 on a
  2-core machine); every page has one time limit (``page_timeout``) for its render, axe
  and mobile measurements together, and a failed page is not loaded again for the next
  gatherer (``FAILED_TTL``); each renderer has a V8 heap limit and the watchdog's memory
  ceiling (``crawler.browser.watchdog``); the browser is recycled (closed and
  started again) after ``recycle_after`` visits so a leaking site cannot grow it without
  bound. The visits of one browser share one desktop context (1280x800, service workers
  blocked); no browser could be started -> ``BrowserUnavailable`` (remembered, no retry
  storm).
* Every request of the browser goes through the SSRF guard (``crawler.browser.guard``: the
  fetcher's address rule, ``allow_private`` from the fetcher's configuration); refused ones
  are in the network log with ``failure = "refused-by-govscan: ..."`` and ``cause``.
* Heavy media is blocked by resource type (images, media, fonts), by the same interception:
  those requests still appear in the network log (``failure = "blocked-by-govscan"``), which
  is what mixed-content and chat-vendor detection read, but they are never downloaded. Consequence, on purpose:
  screenshots show empty boxes where images would be. They are evidence of layout and of
  where an element is, not a picture of the site; ``block_media=False`` changes it.
* Parking: a visit with ``park=True`` leaves its page open (at most ``2 * concurrency + 2``
  pages, 20 s) so the next gatherer of the same capture reuses the load: ``axe_on`` runs axe
  in it (and parks it again), ``mobile_on`` switches it to mobile emulation and closes it; a
  miss only costs a fresh visit. ``release_site(site)`` closes what a capture left open.
* Other engines (Firefox, WebKit: Playwright's own builds) are launched once on demand for
  browser-compat (``other_engine``).

What a visit does is ``crawler.browser.visit``; where the browser comes from is
``crawler.browser.locate``.
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pageread.links import host_of

from ..artifacts import Rendered, SiteCapture
from ..causes import Cause, FetchError
from .errors import classify_browser_error
from .guard import BrowserGuard
from .locate import chromium_candidates, find_chromium, resolver_rules
from .visit import (DESKTOP, Plan, Stages, Visit, VisitState, closing_done,
                    default_user_agent, first_line, measure_boxes, measure_mobile,
                    quiet_close, reset_tab, run_axe, run_visit, script, ws_route,
                    close_soon)
from .watchdog import RendererWatchdog

BLOCKED_TYPES = frozenset({"image", "media", "font"})
# The features Playwright (1.65) disables itself. Chromium honours only the LAST
# ``--disable-features`` switch (a second one replaces the first), so the list govscan adds
# repeats Playwright's; ``tests/test_render.py`` captures the arguments Playwright really
# passes and fails when this copy no longer covers them (a Playwright upgrade).
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion")
# Browser UI work no page needs (issue 14, measured): the omnibox popup's WebUI, which Chromium
# preloads in a renderer of its own and keeps busy (~3 % of a full page's CPU on the bench),
# and Translate, whose language detection reads every page's text.
GOVSCAN_DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup",
                             "WebUIOmniboxFullPopup", "Translate")
DISABLED_FEATURES = PLAYWRIGHT_DISABLED_FEATURES + GOVSCAN_DISABLED_FEATURES
# --deny-permission-prompts: geolocation, notifications, camera... are refused unasked
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run", "--disable-dev-shm-usage", "--deny-permission-prompts",
                 "--disable-features=" + ",".join(DISABLED_FEATURES))
# a visit that failed is not loaded again by the next gatherer of the same capture
FAILED_TTL = 60.0


class BrowserUnavailable(RuntimeError):
    """No browser could be started (message says which executables were tried)."""


@dataclass
class RenderConfig:
    resolve: dict[str, str] = field(default_factory=dict)
    resolve_only: bool = False  # unmapped host names fail to resolve (tests, the farm)
    ignore_https_errors: bool = False
    user_agent: str = ""  # appended to Chromium's own user agent
    concurrency: int = 2
    page_timeout: float = 30.0  # seconds for a whole visit
    settle_ms: int = 1200  # after load: wait for network quiet, at most this long
    quiet_ms: int = 200
    recycle_after: int = 100  # visits before the browser is restarted
    block_media: bool = True
    executable: str = ""  # default: find_chromium()
    # the SSRF guard (crawler.browser.guard): the fetcher's address rule for every request
    allow_private: bool = False
    guard_exempt: frozenset[str] = frozenset()  # "host:port" let through (tests only)
    # containment: the V8 heap of each renderer; the watchdog's ceilings (resident memory
    # of one renderer; proportional memory of all renderers together)
    heap_mb: int = 512  # the backstop: the watchdog's ceiling is below it, and faster
    renderer_mb: int = 448
    renderers_total_mb: int = 1024


class _Generation:
    def __init__(self, browser):
        self.browser = browser
        self.ctx = None  # the desktop context all visits of this browser share
        self.uses = 0
        self.active = 0
        self.retired = False


class RenderPool:
    """One browser, ``concurrency`` pages at a time. Start: implicit on first ``visit``."""

    def __init__(self, config: RenderConfig | None = None):
        self.config = config or RenderConfig()
        self._sem = asyncio.Semaphore(max(1, self.config.concurrency))
        self._lock = asyncio.Lock()
        self._ctx_lock = asyncio.Lock()
        self._pw = None
        self._gen: _Generation | None = None
        self._failed: str = ""  # launch failure, remembered (no retry storm)
        self._base_ua = ""
        self.visits = 0
        self.launches = 0
        self.other_engines: dict[str, Any] = {}  # name -> browser or error string
        self._parked: "collections.OrderedDict[str, tuple]" = collections.OrderedDict()
        self.max_parked = 2 * self.config.concurrency + 2
        self.park_ttl = 20.0
        # tabs whose visit ended cleanly, kept for the next visit of the same host (see
        # ``_retire``): (host, page, generation, since)
        self._warm: list[tuple[str, Any, _Generation, float]] = []
        self.max_warm = max(1, self.config.concurrency)
        self.reused = 0
        c = self.config
        self.guard = BrowserGuard(c.resolve, allow_private=c.allow_private,
                                  resolve_only=c.resolve_only, block_media=c.block_media,
                                  exempt=c.guard_exempt)
        self.watchdog = RendererWatchdog(c.renderer_mb, c.renderers_total_mb)
        self._failures: "collections.OrderedDict[str, tuple[FetchError, float]]" = \
            collections.OrderedDict()
        # url -> when its first (parking) visit started: axe and mobile on the same page
        # share that visit's time limit (one page costs at most ``page_timeout``)
        self._started: "collections.OrderedDict[str, float]" = collections.OrderedDict()

    @classmethod
    def from_env(cls, env) -> "RenderPool":
        """Configured from a ``CaptureEnv``: the fetcher's resolve map, CA and user agent, and
        ``options.extra``: ``browser_concurrency`` (pages at once, 2), ``browser_timeout``
        (s per page, 30), ``browser_recycle`` (visits per browser, 100),
        ``browser_block_media`` (True), ``browser_resolve_only`` (False),
        ``browser_heap_mb`` (512), ``browser_renderer_mb`` (448); the guard follows the
        fetcher's ``allow_private`` (``browser_guard_exempt``: origins it lets through,
        tests only)."""
        fcfg = getattr(getattr(env, "fetcher", None), "config", None)
        extra = getattr(getattr(env, "options", None), "extra", {}) or {}
        ca = getattr(fcfg, "ca_bundle", None) if fcfg is not None else None
        cfg = RenderConfig(
            resolve=dict(env.resolve or getattr(fcfg, "resolve", None) or {}),
            resolve_only=bool(extra.get("browser_resolve_only", False)),
            # The static fetcher already judged TLS (the https probe reports certificate
            # problems). When it was told to trust a private CA (the farm, a lab), Chromium
            # cannot be given that CA without a profile-wide NSS import, so it skips
            # certificate checks then - and ONLY then.
            ignore_https_errors=bool(ca),
            user_agent=getattr(fcfg, "user_agent", "") or "",
            concurrency=int(extra.get("browser_concurrency", 2)),
            page_timeout=float(extra.get("browser_timeout", 30.0)),
            recycle_after=int(extra.get("browser_recycle", 100)),
            block_media=bool(extra.get("browser_block_media", True)),
            allow_private=bool(getattr(fcfg, "allow_private", False)),
            guard_exempt=frozenset(extra.get("browser_guard_exempt", ())),
            heap_mb=int(extra.get("browser_heap_mb", 512)),
            renderer_mb=int(extra.get("browser_renderer_mb", 448)),
        )
        return cls(cfg)

    # lifecycle
    async def _launch(self):
        from playwright.async_api import async_playwright

        exe = self.config.executable or find_chromium()
        if not exe:
            raise BrowserUnavailable("no Chromium found (tried " +
                                     ", ".join(chromium_candidates()) + "); install the "
                                     "Debian 'chromium' package or run `playwright install "
                                     "chromium`, or set GOVSCAN_CHROMIUM")
        if self._pw is None:
            self._pw = await async_playwright().start()
        args = list(CHROMIUM_ARGS) + [f"--js-flags=--max-old-space-size={self.config.heap_mb}"]
        rules = resolver_rules(self.config.resolve, self.config.resolve_only)
        if rules:
            args.append(f"--host-resolver-rules={rules}")
        try:
            # without Playwright's --disable-popup-blocking: Chromium's popup blocker refuses
            # window.open without a user's gesture, as in anyone's browser
            browser = await self._pw.chromium.launch(
                executable_path=exe, args=args, headless=True, timeout=30000,
                ignore_default_args=["--disable-popup-blocking"])
        except Exception as exc:  # noqa: BLE001
            raise BrowserUnavailable(f"{exe} did not start: {str(exc).splitlines()[0]}")
        try:
            await self.guard.attach(browser)
        except Exception as exc:  # noqa: BLE001 - no guard, no browser
            await quiet_close(browser)
            raise BrowserUnavailable(f"{exe}: the request guard could not be attached: "
                                     f"{first_line(exc)}")
        self.watchdog.start()
        self.launches += 1
        return browser

    async def _acquire(self) -> _Generation:
        async with self._lock:
            if self._failed:
                raise BrowserUnavailable(self._failed)
            g = self._gen
            if g is None or g.retired or not g.browser.is_connected():
                try:
                    browser = await self._launch()
                except BrowserUnavailable as exc:
                    self._failed = str(exc)
                    raise
                if g is not None and g.active == 0:
                    await quiet_close(g.browser)
                g = self._gen = _Generation(browser)
            g.uses += 1
            g.active += 1
            if g.uses >= self.config.recycle_after:
                g.retired = True  # the next visit starts a fresh browser
            return g

    async def _release(self, g: _Generation):
        g.active -= 1
        if g.retired and g.active == 0 and g is not self._gen:
            await quiet_close(g.browser)
        elif g.retired and g.active == 0:
            # the current generation is done: close now, the next visit relaunches
            async with self._lock:
                if self._gen is g:
                    self._gen = None
            await quiet_close(g.browser)

    async def close(self):
        """Close the browser(s) and Playwright. Safe to call twice."""
        await self.unpark()
        self._warm = []  # they go with the browser
        await closing_done()
        self.watchdog.stop()
        for b in list(self.other_engines.values()):
            if not isinstance(b, str):
                await quiet_close(b)
        self.other_engines.clear()
        if self._gen is not None:
            await quiet_close(self._gen.browser)
            self._gen = None
        if self._pw is not None:
            try:
                await self._pw.stop()
            except Exception:  # noqa: BLE001
                pass
            self._pw = None

    async def available(self) -> str:
        """"" when a browser can be started, else why not."""
        try:
            g = await self._acquire()
            g.uses -= 1
            await self._release(g)
            return ""
        except BrowserUnavailable as exc:
            return str(exc)

    # contexts
    async def _new_context(self, browser):
        kw: dict[str, Any] = {"ignore_https_errors": self.config.ignore_https_errors,
                              "service_workers": "block", "viewport": DESKTOP,
                              "accept_downloads": False}
        if self.config.user_agent:
            if not self._base_ua:
                self._base_ua = (await default_user_agent(browser)).replace(
                    "HeadlessChrome", "Chrome")
            kw["user_agent"] = f"{self._base_ua} {self.config.user_agent}".strip()
        ctx = await browser.new_context(**kw)
        ctx.set_default_timeout(self.config.page_timeout * 1000)
        ctx.set_default_navigation_timeout(self.config.page_timeout * 1000)
        # heavy media are blocked (and every request checked) by the guard, browser-wide;
        # WebSockets (which CDP's Fetch does not see) through Playwright's routing
        await ctx.route_web_socket(lambda u: True, ws_route(self.guard))
        await ctx.add_init_script(script=script("timers.js"))
        await ctx.add_init_script(script=script("sockets.js"))
        return ctx

    async def _context(self, g: _Generation):
        """The generation's shared desktop context (created on first use)."""
        async with self._ctx_lock:
            if g.ctx is None:
                g.ctx = await self._new_context(g.browser)
            return g.ctx

    # one visit
    async def visit(self, url: str, plan: Plan | None = None, *, park: bool = False,
                    limit: float | None = None, **options) -> Visit:
        """Render ``url`` once following ``plan`` (or ``Plan(**options)``: e.g.
        ``axe=True``, ``full_dom=False``). With ``park`` the page stays open afterwards so a
        later ``axe_on``/``mobile_on`` for the same URL reuses it instead of loading the page
        again. Never raises for page problems: ``Visit.rendered.error`` says why (a cause of
        ``crawler.browser.errors``). Raises ``BrowserUnavailable`` when no browser can be
        started."""
        plan = plan or Plan(**options)
        failed = self._failed_before(url)
        if failed is not None:
            return Visit(Rendered(url, error=failed))
        limit = self.config.page_timeout if limit is None else limit
        async with self._sem:
            g = await self._acquire()
            try:  # the browser's context (made once per browser) is not the page's time
                ctx = await asyncio.wait_for(self._context(g), timeout=30)
            except Exception as exc:  # noqa: BLE001
                await self._release(g)
                return Visit(Rendered(url, error=classify_browser_error(exc)))
            visit = Visit(Rendered(url))
            state = VisitState(limit=limit)
            if park:
                self._started[url] = state.t0
                while len(self._started) > 512:
                    self._started.popitem(last=False)
            pg = None
            try:
                pg = await asyncio.wait_for(self._visit(ctx, url, plan, visit, state),
                                            timeout=limit)
            except asyncio.TimeoutError:
                visit.rendered.error = state.out_of_time(limit)
                visit.rendered.network = state.network()
            except Exception as exc:  # noqa: BLE001 - a crashed page or browser
                visit.rendered.error = classify_browser_error(exc)
                if state.crashed:
                    visit.rendered.error = FetchError(Cause.RENDERER_CRASHED,
                                                      visit.rendered.error.detail)
            finally:
                self.visits += 1
            err = visit.rendered.error
            if err is not None and err.cause == Cause.RENDERER_CRASHED:
                kills = self.watchdog.killed_since(state.t0)
                if kills:
                    k = kills[-1]
                    visit.rendered.error = FetchError(
                        Cause.RENDERER_CRASHED, f"renderer killed at {k['rss_mb']} MB "
                                                f"({k['why']})")
                else:
                    visit.rendered.error = FetchError(
                        Cause.RENDERER_CRASHED, f"{err.detail} (the script heap limit is "
                                                f"{self.config.heap_mb} MB)")
            if visit.rendered.error is not None:
                self._remember_failure(url, visit.rendered.error)
            if pg is not None:
                if park and visit.rendered.error is None:
                    await self._park(url, pg, g)
                elif visit.rendered.error is None:
                    await self._retire(pg, g)
                else:
                    await quiet_close(pg)
            await self._release(g)
            return visit

    def _remember_failure(self, url: str, err: FetchError) -> None:
        self._failures[url] = (err, time.monotonic())
        while len(self._failures) > 512:
            self._failures.popitem(last=False)

    def _time_left(self, url: str) -> float:
        """What is left of the time limit of ``url``'s page (its first visit's)."""
        t = self._started.get(url)
        if t is None:
            return self.config.page_timeout
        return self.config.page_timeout - (time.monotonic() - t)

    def _out_of_time(self, url: str, what: str) -> dict:
        return {"error": f"{what} did not finish within the page's time limit "
                         f"({self.config.page_timeout:g}s)", "cause": str(Cause.TIMEOUT)}

    def _failed_before(self, url: str) -> FetchError | None:
        """The error of a visit of ``url`` that failed less than FAILED_TTL ago (the next
        gatherer of the same capture does not load a failing page again)."""
        item = self._failures.get(url)
        if item is None:
            return None
        if time.monotonic() - item[1] > FAILED_TTL:
            self._failures.pop(url, None)
            return None
        return item[0]

    async def _visit(self, ctx, url: str, plan: Plan, visit: Visit, state: VisitState):
        """The open page or None - ``crawler.browser.visit.run_visit`` in the generation's
        context ``ctx``, in a reused tab when one is free (``_take_tab``)."""
        tab = self._take_tab(url, axe=plan.axe or plan.axe_next)
        if tab is not None:
            self.reused += 1
        return await run_visit(ctx, url, plan, self.config, visit, state, self.guard, tab)

    # tab reuse
    async def _retire(self, page, g: _Generation) -> None:
        """A tab whose visit (and axe, mobile steps) ended cleanly is kept for a next visit
        (of the same host first, ``_take_tab``), instead of closed: Chromium keeps a
        same-site navigation in the tab's renderer process, whose V8 has axe-core compiled
        already (axe's inject + run
        took 700-980 ms in a new tab, 265-400 ms in a reused one, on farm pages). A new tab
        is a new renderer process each time. Only clean tabs come back (``reset_tab``: the
        visit's handlers gone, the mobile emulation dropped); a tab that failed, crashed or
        ran out of time is closed as before, so a hostile page never shares a process with
        the next. At most ``max_warm`` are kept, none beyond ``park_ttl`` seconds; each is
        used by one visit at a time."""
        if g.retired or g is not self._gen or not g.browser.is_connected() or \
                not await reset_tab(page):
            await quiet_close(page)
            return
        # no await from here to the assignment: visits take tabs from the list meanwhile
        now = time.monotonic()
        warm = self._warm + [(host_of(page.url), page, g, now)]
        keep = [w for w in warm if now - w[3] <= self.park_ttl]
        evicted = [w for w in warm if now - w[3] > self.park_ttl]
        while len(keep) > self.max_warm:
            evicted.append(keep.pop(0))
        self._warm = keep
        for w in evicted:
            close_soon(w[1])

    def _take_tab(self, url: str, axe: bool = False):
        """A kept tab of the current browser (taken out), or None. Best a tab of ``url``'s
        host (its renderer is warm), then any other kept tab: a navigation to another site
        gets a new renderer process in it (site isolation: the old one exits), so the
        process is as fresh as a new tab's, but the tab's own setup - the target, its init
        scripts with axe's 650 KB (``visit.ready_axe``) - is not paid again. (Another host
        of the same site - my.gov.uz after gov.uz - may keep the renderer, as in any
        browser: the site is Chromium's unit of process isolation.) Within each,
        a tab that has axe readied when ``axe``, one without otherwise (every document of
        a readied tab evaluates axe)."""
        host, now = host_of(url), time.monotonic()
        fit = [i for i, (h, page, g, t) in enumerate(self._warm)
               if g is self._gen and not g.retired and now - t <= self.park_ttl
               and not page.is_closed() and not getattr(page, "_govscan_dead", False)]
        if not fit:
            return None

        def rank(i: int) -> tuple[bool, bool]:
            h, page = self._warm[i][0], self._warm[i][1]
            return h != host, getattr(page, "_govscan_axe", False) != axe
        return self._warm.pop(min(fit, key=rank))[1]

    # parking
    async def _park(self, url: str, page, g: _Generation):
        """Keep ``page`` open for the next gatherer. Parked pages hold memory, not a pool
        slot: at most ``max_parked`` are kept and none longer than ``park_ttl`` seconds
        (the gatherers of one capture run back to back; a miss only costs a reload)."""
        old = self._parked.pop(url, None)
        if old is not None and old[0] is not page:
            await quiet_close(old[0])
        now = time.monotonic()
        for u in [u for u, (_, _, t) in self._parked.items() if now - t > self.park_ttl]:
            await quiet_close(self._parked.pop(u)[0])
        self._parked[url] = (page, g, now)
        while len(self._parked) > self.max_parked:
            _, (c, _, _) = self._parked.popitem(last=False)
            await quiet_close(c)

    def claim_parked(self, url: str):
        """Take the page a ``park=True`` visit of ``url`` left open out of the pool:
        ``(page, its browser generation)``, or None when there is none or it died. The
        caller owns the page from then on (and closes it)."""
        item = self._parked.pop(url, None)
        if item is None:
            return None
        page, g, _ = item
        if not g.browser.is_connected() or page.is_closed():
            return None
        return page, g

    async def release_site(self, site: SiteCapture):
        """Close the pages a capture left open (call after ``capture_site``; optional)."""
        await self.unpark([p.url for p in site.pages])

    async def unpark(self, urls: Iterable[str] | None = None):
        """Close parked pages (all, or those of ``urls``)."""
        keys = list(self._parked) if urls is None else [u for u in urls if u in self._parked]
        for u in keys:
            page, g, _ = self._parked.pop(u)
            await self._retire(page, g)

    async def _begin_on_parked(self, url: str, field: str, what: str):
        """The start of a step (``field``: ``axe`` or ``mobile``) on the parked page of
        ``url``: ``(None, seconds left, the parked page or None)``, or ``(a finished Visit,
        ...)`` when the page failed before or its time limit is (nearly) spent."""
        failed = self._failed_before(url)
        if failed is not None:
            return Visit(Rendered(url, error=failed)), 0.0, None
        left = self._time_left(url)
        item = self.claim_parked(url)
        if left < 0.5:
            if item is not None:
                await quiet_close(item[0])
            out = Visit(Rendered(url))
            setattr(out, field, self._out_of_time(url, what))
            return out, left, None
        return None, left, item

    async def axe_on(self, url: str, boxes: Callable[[dict], Iterable[str]] | None = None,
                     size: tuple[int, int] | None = None) -> Visit:
        """axe on the parked page of ``url`` (re-parked afterwards), or a fresh visit; with
        ``boxes`` (axe result -> selectors) the boxes of those elements too
        (``Visit.rendered.boxes``, on a screenshot of ``size``)."""
        done, left, item = await self._begin_on_parked(url, "axe", "axe")
        if done is not None:
            return done
        if item is None:
            return await self.visit(url, Plan(axe=True, axe_boxes=boxes, facts=False,
                                              full_dom=False), park=True,
                                    limit=left if url in self._started else None)
        page, g = item
        out = Visit(Rendered(url))
        stages = Stages(out.rendered)
        ok = True
        async with self._sem:
            g.active += 1
            try:
                with stages("axe"):
                    out.axe = await asyncio.wait_for(run_axe(page), timeout=left)
                if boxes is not None:
                    with stages("boxes"):
                        out.rendered.boxes = await asyncio.wait_for(
                            measure_boxes(page, boxes(out.axe), size),
                            timeout=max(0.5, self._time_left(url)))
            except asyncio.TimeoutError:
                ok = False
                if out.axe is None:
                    out.axe = self._out_of_time(url, "axe")
            g.active -= 1
        if out.axe and out.axe.get("error") and not out.axe.get("cause"):
            err = classify_browser_error(out.axe["error"])
            out.axe["cause"] = str(err.cause)
            if err.cause == Cause.RENDERER_CRASHED:  # the page died under axe: say so after
                ok = False
                self._remember_failure(url, FetchError(err.cause, err.detail))
        if ok:
            await self._park(url, page, g)
        else:
            close_soon(page)  # still busy: nothing else will be measured in it
        return out

    async def mobile_on(self, url: str, shots: Path | None = None) -> Visit:
        """Mobile measurements on the parked page of ``url`` (closed afterwards), or a fresh
        visit; the 360 px screenshot stored under ``shots`` when given."""
        done, left, item = await self._begin_on_parked(url, "mobile", "mobile measurement")
        if done is not None:
            return done
        if item is None:
            return await self.visit(url, Plan(mobile=True, shots=shots,
                                              mobile_shot=shots is not None, screenshot=False,
                                              facts=False, full_dom=False),
                                    limit=left if url in self._started else None)
        page, g = item
        out = Visit(Rendered(url))
        async with self._sem:
            g.active += 1
            clean = False
            try:
                with Stages(out.rendered)("mobile"):
                    m = await asyncio.wait_for(measure_mobile(page, shots), timeout=left)
            except asyncio.TimeoutError:
                m = self._out_of_time(url, "mobile measurement")
            else:
                errs = [v.get("error") for v in [m] + [x for x in m.values()
                                                       if isinstance(x, dict)]
                        if isinstance(v, dict) and v.get("error")]
                if errs and not m.get("cause"):
                    m.setdefault("error", errs[0])
                    m["cause"] = str(classify_browser_error(errs[0]).cause)
                clean = not errs
            finally:
                g.active -= 1
                if not clean:
                    close_soon(page)
            if clean:
                await self._retire(page, g)
        out.mobile = m
        return out

    # other engines (browser-compat)
    async def other_engine(self, name: str):
        """A launched Firefox/WebKit browser, or a string saying why not (cached)."""
        if name in self.other_engines:
            return self.other_engines[name]
        if self._pw is None:
            from playwright.async_api import async_playwright

            self._pw = await async_playwright().start()
        try:
            browser = await getattr(self._pw, name).launch(headless=True, timeout=20000)
            self.other_engines[name] = browser
        except Exception as exc:  # noqa: BLE001
            self.other_engines[name] = f"not available: {first_line(exc, 200)}"
        return self.other_engines[name]
