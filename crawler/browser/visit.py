"""One visit of one URL in an open browser context: navigate, settle, and record what the
gatherers asked for (``Plan``), in this order, in the same page:

1. the network log (``NetRequest``; blocked media keep ``failure = "blocked-by-govscan"``),
   console errors, uncaught page errors, "Mixed Content" console lines - all visit long;
2. after ``load`` plus a short settle (until the network has been quiet for ``quiet_ms``, or
   ``settle_ms`` at most) and, when the plan says so (chat judged: ``Plan.watch_ms``), the
   bounded ``watch`` for a launcher inserted late: the final URL, status, title, the DOM
   (``page.content()``), the frames;
3. the page facts (``js/page_facts.js``): which of ``Plan.page_globals`` exist, open shadow
   hosts, navigation visibility, floating launchers whose text has a ``Plan.launcher_words``
   word;
4. a full-page screenshot (CDP, cut at ``MAX_SHOT_HEIGHT``; after the images have finished
   and two frames were painted, ``js/paint_ready.js``), stored content-addressed under
   ``Plan.shots`` (``crawler.browser.evidence.store_png``), and in the same page state the
   boxes of ``Plan.boxes(rendered)`` (``js/boxes.js``, one evaluate);
5. axe-core in every frame (``js/axe_run.js``), then the boxes of ``Plan.axe_boxes(axe)``.
   When the plan says axe will run in the tab (``Plan.axe``, ``Plan.axe_next``), axe is
   readied before the page loads (``ready_axe``: an init script, sent to the tab once);
   ``run_axe`` injects it into any frame where it is missing;
6. mobile emulation at 360 and 414 px (CDP ``Emulation.setDeviceMetricsOverride``,
   ``js/mobile.js``) and a 360 px screenshot.

Failures never raise out of ``run_visit``: a failed navigation is ``Rendered.error`` (cause
from ``crawler.browser.errors``; a document the guard refused: its cause), a failed step
leaves a note in ``Rendered.extra``. The caller bounds the whole visit (``VisitState`` says
how far it got: ``page-unresponsive`` once the document arrived, ``timeout`` before;
``renderer-crashed`` when the page's process died). ``Rendered.extra["timings"]``: ms per
stage (open, goto, settle, watch, dom, facts, screenshot, boxes, axe, mobile). Also
here: the CDP helpers and a plain visit in a non-Chromium engine (browser-compat).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pageread.links import host_of

from ..artifacts import NetRequest, Rendered
from ..causes import Cause, FetchError
from .errors import classify_browser_error
from .evidence import store_png
from .guard import REFUSED_FAILURE
from .locate import axe_path, axe_source

if TYPE_CHECKING:  # pragma: no cover
    from .pool import RenderConfig

log = logging.getLogger(__name__)

BLOCKED_FAILURE = "blocked-by-govscan"
DESKTOP = {"width": 1280, "height": 800}
MOBILE_WIDTHS = (360, 414)
MAX_NETWORK = 600  # network log entries kept per visit
MAX_SHOT_HEIGHT = 2400  # CSS px: full-page screenshots are cut here
MAX_DOM = 3_000_000  # characters of rendered DOM kept
MAX_SELF_NAVIGATIONS = 5  # main-frame documents during one goto beyond which a page loops
MAX_NODES_PER_RULE = 50  # axe nodes kept per rule (the probe shows 10 + a count)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_FRAME = "new Promise(r => requestAnimationFrame(() => setTimeout(r, 60)))"


@lru_cache(maxsize=1)
def _mobile_after_frame() -> str:
    """``js/mobile.js`` run once a frame of the new width was drawn, in one round trip."""
    return f"async (w) => {{ await {_FRAME}; return ({script('mobile.js')})(w); }}"


@lru_cache(maxsize=1)
def _page_height() -> str:
    """``js/page_height.js`` as a function (what ``js/paint_ready.js`` resolves to as well)."""
    return f"() => {{\n{script('page_height.js')}\nreturn pageHeight(); }}"


@lru_cache(maxsize=None)
def script(name: str) -> str:
    """The in-page script ``crawler/browser/js/<name>`` (a function expression), each line
    ``// @include other.js`` replaced by that file (pieces several scripts share, e.g.
    ``css_path.js``: one selector rule for every in-page script)."""
    text = resources.files(__package__).joinpath("js", name).read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: script(m.group(1)), text)


_INCLUDE = re.compile(r"^[ \t]*// @include ([\w.-]+\.js)[ \t]*$", re.M)


@dataclass
class Plan:
    """What a visit records after loading the page (see the module docstring for the order).
    Screenshots and boxes only with ``shots`` (the captures root)."""

    facts: bool = True
    page_globals: Iterable[str] = ()
    launcher_words: Iterable[str] = ()
    full_dom: bool = True
    shots: Path | None = None
    screenshot: bool = True  # the full-page screenshot (when ``shots``)
    boxes: Callable[[Rendered], Iterable[str]] | None = None  # selectors to measure
    axe: bool = False
    axe_boxes: Callable[[dict], Iterable[str]] | None = None  # selectors from axe's result
    axe_next: bool = False  # a later step runs axe in this (parked) page: ``ready_axe``
    mobile: bool = False
    mobile_shot: bool = False  # the 360 px screenshot (when ``shots``)
    watch_ms: int = 0  # after settle: a bounded wait for late launchers (``watch``)


@dataclass
class Visit:
    """What one visit produced (the pool's raw result; gatherers copy into ``Rendered``)."""

    rendered: Rendered
    mobile: dict[str, Any] | None = None
    axe: dict[str, Any] | None = None


def first_line(exc: BaseException, n: int = 300) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:n]


async def quiet_close(obj) -> None:
    try:
        await obj.close()
    except Exception:  # noqa: BLE001
        pass


async def default_user_agent(browser) -> str:
    """The browser's own user agent, as ``navigator.userAgent`` gives it: CDP
    ``Browser.getVersion`` (10 ms; a throw-away context and page, the fallback, cost 0.4 s of
    every run's start)."""
    try:
        session = await browser.new_browser_cdp_session()
        try:
            return (await session.send("Browser.getVersion"))["userAgent"]
        finally:
            await session.detach()
    except Exception as exc:  # noqa: BLE001 - read it in a page instead
        log.debug("Browser.getVersion failed: %s", exc)
    ctx = await browser.new_context()
    try:
        p = await ctx.new_page()
        return await p.evaluate("navigator.userAgent")
    finally:
        await quiet_close(ctx)


async def settle(page, inflight: dict, settle_ms: int, quiet_ms: int) -> None:
    """Wait until no request has started/finished for ``quiet_ms`` (or ``settle_ms``)."""
    start = time.monotonic()
    await asyncio.sleep(0.05)
    while (time.monotonic() - start) * 1000 < settle_ms:
        idle = (time.monotonic() - inflight["last"]) * 1000
        if inflight["n"] <= 0 and idle >= quiet_ms:
            return
        await asyncio.sleep(0.05)


# --- CDP helpers ------------------------------------------------------------------------------

async def shot_size(page, height: int | None = None) -> tuple[int, int]:
    """(width, height) of the full-page screenshot: the viewport width, the document height
    (``height``, or read now) cut at MAX_SHOT_HEIGHT."""
    vw = (page.viewport_size or DESKTOP)["width"]
    vh = (page.viewport_size or DESKTOP)["height"]
    h = height if height is not None else await page.evaluate(_page_height())
    return vw, max(1, min(int(h or vh), MAX_SHOT_HEIGHT))


async def tab_cdp(page):
    """The tab's own CDP session, opened on first use and kept for the tab's life (it
    outlives navigations, to another site's renderer too): the screenshots and the mobile
    emulation go through it. Opening and detaching a session costs about 8 ms of CPU, which
    every page paid twice when each step had its own."""
    s = getattr(page, "_govscan_cdp", None)
    if s is None:
        s = await page.context.new_cdp_session(page)
        page._govscan_cdp = s
    return s


async def capture_png(page, size: tuple[int, int] | None) -> bytes:
    """A PNG through CDP ``Page.captureScreenshot`` (``tab_cdp``): with ``size`` the top
    ``size`` of the page, else the viewport as it is (mobile emulation). Taller than the
    viewport: ``captureBeyondViewport`` (the layout keeps the viewport's size, so fixed
    elements are drawn where they sit at the top of the page, as the boxes are measured); a
    page that fits is captured without it, as Playwright does (the beyond-viewport path
    re-rasterises and, on a loaded machine, sometimes paints a stray copy of a layer).
    ``optimizeForSpeed``: a fast encoder - 2.5x cheaper than Playwright's full-page
    screenshot."""
    cdp = await tab_cdp(page)
    params: dict[str, Any] = {"format": "png", "optimizeForSpeed": True}
    if size is not None:
        vh = (page.viewport_size or DESKTOP)["height"]
        params.update(captureBeyondViewport=size[1] > vh,
                      clip={"x": 0, "y": 0, "width": size[0], "height": size[1],
                            "scale": 1})
    data = await cdp.send("Page.captureScreenshot", params)
    return base64.b64decode(data["data"])


async def full_page_shot(page, rendered: Rendered, shots: Path) -> tuple[int, int] | None:
    """The full-page screenshot, stored under ``shots``: sets ``rendered.screenshot`` (the
    path relative to ``shots``) and ``extra["screenshot_size"]``; returns the size, or None
    (``extra["screenshot_error"]`` says why)."""
    try:
        height = None
        try:
            height = await asyncio.wait_for(page.evaluate(script("paint_ready.js"), 500), 2.0)
        except Exception:  # noqa: BLE001 - a page that never paints is pictured as it is
            pass
        size = await shot_size(page, height if isinstance(height, (int, float)) else None)
        rendered.screenshot = store_png(await capture_png(page, size), shots)
        rendered.extra["screenshot_size"] = list(size)
        return size
    except Exception as exc:  # noqa: BLE001
        rendered.extra["screenshot_error"] = first_line(exc)
        return None


async def measure_boxes(page, selectors: Iterable[str],
                        size: tuple[int, int] | None = None) -> dict[str, list[float]]:
    """selector -> [x, y, w, h] on the full-page screenshot (of ``size``, or the size a
    screenshot would have now), in ONE evaluate; {} on any failure."""
    sels = list(selectors)
    if not sels:
        return {}
    try:
        w, h = size or await shot_size(page)
        return await page.evaluate(script("boxes.js"), [sels, w, h])
    except Exception as exc:  # noqa: BLE001 - evidence is best effort
        log.debug("boxes not measured: %s", exc)
        return {}


# axe-core's marker on the copy ``ready_axe`` put into a document: ``run_axe`` trusts a
# ``window.axe`` only with it (a page's own ``axe`` global, or one it replaced ours with, is
# overwritten by a fresh injection, as before)
_AXE_MARK = "__govscan_axe"
_AXE_READY = f"() => !!(window.axe && window.axe.{_AXE_MARK})"
_AXE_CONFIGURE = "axe.configure({allowedOrigins: ['<unsafe_all_origins>']})"


@lru_cache(maxsize=1)
def axe_init_script() -> str:
    """axe-core as an init script: evaluated by Chromium at the start of every document of
    the tab (every frame, before the page's own scripts), configured for axe's multi-frame
    mode and marked as govscan's. Raises ``OSError`` when axe-core is not installed."""
    return (axe_source() + f"\n;try {{ {_AXE_CONFIGURE}; Object.defineProperty(axe, "
            f"'{_AXE_MARK}', {{value: true}}); }} catch (e) {{}}")


async def ready_axe(page) -> None:
    """Make axe-core part of every document ``page`` (a tab) loads from now on, once per tab:
    an init script is sent to the tab once and Chromium evaluates it in each new document,
    where injecting axe after the load sends its 650 KB through the driver, the browser's
    DevTools pipe and the renderer for every page - about 100 ms of CPU a page (issue 14,
    measured on farm pages: 395-437 against 323-331 ms for inject + run). The document's own
    scripts then see a ``window.axe``, as they would in an auditor's browser with the axe
    extension. Best effort: without it ``run_axe`` injects as before."""
    if getattr(page, "_govscan_axe", False):
        return
    try:
        await page.add_init_script(script=axe_init_script())
        page._govscan_axe = True
    except Exception as exc:  # noqa: BLE001 - axe-core missing, the tab went away
        log.debug("axe not readied in the tab: %s", exc)


async def run_axe(page) -> dict[str, Any]:
    """Run the WCAG 2.0 + 2.1 A/AA tags once, with axe-core in every frame (axe's documented
    multi-frame mode: each frame has axe, the top frame's ``axe.run`` collects their results
    via postMessage; cross-origin frames allowed): a frame without govscan's axe
    (``ready_axe`` was not used, or the page replaced ``window.axe``) gets it injected now.
    Open shadow DOM is tested by axe itself."""
    try:
        src = axe_source()
    except OSError as exc:
        return {"error": f"axe-core not found at {axe_path()}: {exc} (run `npm ci`)"}
    readied = getattr(page, "_govscan_axe", False)
    injected = 0
    for fr in page.frames:
        try:
            if readied and await fr.evaluate(_AXE_READY):
                continue
            await fr.evaluate(src)
            await fr.evaluate(_AXE_CONFIGURE)
            injected += 1
        except Exception as exc:  # noqa: BLE001 - a detached or cross-process frame
            log.debug("axe not injected into %s: %s", fr.url, exc)
    try:
        out = await page.evaluate(script("axe_run.js"), [list(AXE_TAGS), MAX_NODES_PER_RULE])
    except Exception as exc:  # noqa: BLE001
        return {"error": f"axe.run failed: {first_line(exc)}"}
    out["injected_after_load"] = injected  # frames axe was not readied in (0: all were)
    return out


async def measure_mobile(page, shots: Path | None) -> dict[str, Any]:
    """Measure at each of MOBILE_WIDTHS in this page, switched to mobile emulation
    (Chrome DevTools Protocol ``Emulation.setDeviceMetricsOverride`` with ``mobile:
    true`` - what Playwright's ``is_mobile`` does - so ``<meta name=viewport>`` is
    honoured) and touch, through the tab's CDP session (``tab_cdp``); a viewport screenshot
    at the first width, stored under ``shots``. The page stays emulated: close it
    afterwards, or ``reset_tab`` it."""
    out: dict[str, Any] = {}
    try:
        cdp = await tab_cdp(page)
        page._govscan_mobile = True  # ``reset_tab`` drops the emulation
        await cdp.send("Emulation.setTouchEmulationEnabled",
                       {"enabled": True, "maxTouchPoints": 5})
    except Exception as exc:  # noqa: BLE001
        return {"error": f"mobile emulation failed: {first_line(exc)}"}
    for i, w in enumerate(MOBILE_WIDTHS):
        try:
            await cdp.send("Emulation.setDeviceMetricsOverride",
                           {"width": w, "height": 780, "deviceScaleFactor": 1,
                            "mobile": True, "screenWidth": w, "screenHeight": 780})
            out[str(w)] = await page.evaluate(_mobile_after_frame(), w)
        except Exception as exc:  # noqa: BLE001
            out[str(w)] = {"error": first_line(exc)}
        if i == 0 and shots is not None:
            # through the same CDP session: Playwright's page.screenshot would restore
            # its own desktop viewport first
            try:
                out["screenshot"] = store_png(await capture_png(page, None), shots)
            except Exception as exc:  # noqa: BLE001
                out["screenshot_error"] = first_line(exc)
    return out


async def _dismiss(dialog) -> None:
    try:
        await dialog.dismiss()
    except Exception:  # noqa: BLE001 - the page went away
        pass


# the page events a visit listens to: ``tab_events`` adds one listener for each to a tab, once
TAB_EVENTS = ("request", "requestfinished", "requestfailed", "response", "console",
              "pageerror", "popup", "dialog", "crash")


def tab_events(page) -> dict:
    """The tab's event routing, made once per tab: one listener per ``TAB_EVENTS`` event
    for the tab's life, calling the current visit's handler from the returned dict (event ->
    handler; a visit fills it, ``reset_tab`` empties it). Adding and removing a visit's own
    listeners each time cost a round trip to Playwright's driver per event and visit (it
    subscribes to request, response, console and dialog events on demand). A crash, at any
    time, marks the tab dead; between visits a dialog is dismissed and a popup closed, as
    Playwright does with no listener, and the tab is not reused."""
    on = getattr(page, "_govscan_on", None)
    if on is not None:
        return on
    on = page._govscan_on = {}

    def route(event: str):
        def fn(arg):
            if event == "crash":  # whenever it happens: a dead tab is never reused
                page._govscan_dead = True
            h = on.get(event)
            if h is not None:
                h(arg)
            elif event == "dialog":
                page._govscan_dirty = True
                asyncio.ensure_future(_dismiss(arg))
            elif event == "popup":
                page._govscan_dirty = True
                asyncio.ensure_future(quiet_close(arg))
        return fn
    for event in TAB_EVENTS:
        page.on(event, route(event))
    return on


async def reset_tab(page) -> bool:
    """Make a tab whose visit ended cleanly fit for the next visit (``RenderPool`` reuses
    tabs): the visit's event handlers gone (``tab_events``), the mobile emulation dropped
    (its device metrics and touch cleared in the tab's CDP session, Playwright's desktop
    viewport set again). False when the tab died, opened a dialog or a popup, or cannot be
    reset: then it is closed, never reused."""
    if page.is_closed() or getattr(page, "_govscan_dead", False) or \
            getattr(page, "_govscan_dirty", False):
        return False
    tab_events(page).clear()
    if getattr(page, "_govscan_mobile", False):
        page._govscan_mobile = False
        try:
            cdp = await tab_cdp(page)
            await cdp.send("Emulation.clearDeviceMetricsOverride")
            await cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": False})
            await page.set_viewport_size(page.viewport_size or DESKTOP)
        except Exception:  # noqa: BLE001
            return False
    return True


# --- the visit --------------------------------------------------------------------------------

@dataclass
class VisitState:
    """What a visit has seen so far - the pool reads it when the visit runs out of time or its
    page crashes, so the finding says what happened and keeps what was recorded."""

    net: dict = field(default_factory=dict)  # Playwright request -> NetRequest
    page: Any = None
    response: bool = False  # the document's response arrived
    loaded: bool = False  # the load event fired
    crashed: bool = False  # the page's renderer died
    stage: str = "start"
    popups: int = 0
    navigations: int = 0  # documents the main frame requested afresh (not redirect hops)
    limit: float = 30.0  # seconds for the whole visit
    t0: float = field(default_factory=time.monotonic)

    def network(self) -> list[NetRequest]:
        return list(self.net.values())

    def out_of_time(self, limit: float) -> FetchError:
        """The error of a visit stopped at its time limit: the page's own script held it
        (``page-unresponsive``) once the document arrived, else the server (``timeout``)."""
        if self.crashed:
            return FetchError(Cause.RENDERER_CRASHED, f"the page's renderer died ({self.stage})")
        if self.response:
            return FetchError(Cause.PAGE_UNRESPONSIVE,
                              f"still busy after {limit:g}s ({self.stage}): the page's own "
                              f"script kept the browser from finishing")
        return FetchError(Cause.TIMEOUT, f"no page after {limit:g}s ({self.stage})")


class Stages:
    """Milliseconds per stage of a visit, into ``Rendered.extra["timings"]``."""

    def __init__(self, rendered: Rendered, state: VisitState | None = None):
        self.timings = rendered.extra.setdefault("timings", {})
        self.state = state

    def __call__(self, name: str):
        return _Stage(self, name)


class _Stage:
    def __init__(self, stages: Stages, name: str):
        self.stages, self.name = stages, name

    def __enter__(self):
        self.t = time.monotonic()
        if self.stages.state is not None:
            self.stages.state.stage = self.name
        return self

    def __exit__(self, *exc):
        ms = round((time.monotonic() - self.t) * 1000)
        self.stages.timings[self.name] = self.stages.timings.get(self.name, 0) + ms
        return False


def _refusal_error(guard, state: VisitState, url: str) -> FetchError | None:
    """The guard's refusal of the page's own document (its URL or a redirect hop)."""
    if guard is None:
        return None
    docs = [nr.url for nr in state.network() if nr.resource_type == "document"]
    for u in reversed(docs + [url]):
        why = guard.refusal(u)
        if why:
            name, _, detail = why.partition(": ")
            cause = Cause(name) if name in Cause._value2member_map_ else Cause.OTHER
            return FetchError(cause, f"{u}: {detail}"[:500])
    return None


async def watch(page, inflight: dict, plan: Plan, cfg: "RenderConfig", deadline: float,
                stages: Stages) -> tuple[str, dict | None]:
    """Give a widget inserted after ``load`` a bounded chance (``plan.watch_ms``): poll the
    launchers (and the page's pending timers, ``js/timers.js``) until a launcher shows
    ("found"), or until no timer due within ``watch_ms`` of the load event is pending and
    the network has been quiet for ``quiet_ms`` ("idle"), at most ``2 * watch_ms`` of real
    time ("cap": a busy machine runs the page's timers late, so the horizon is the page's
    own clock, and the real-time cap only bounds the cost). A page that schedules nothing
    pays one poll. The first poll reads all the page facts: most watches end there, and then
    they are the visit's facts (no second ``page_facts.js`` run). -> (how it ended, those
    facts or None when the watch went on)."""
    with stages("watch"):
        t0 = time.monotonic()
        cap = min(t0 + 2 * plan.watch_ms / 1000, deadline)
        # the last item: read all the facts (the first poll only)
        args = [list(plan.page_globals), list(plan.launcher_words), plan.watch_ms, True]
        while True:
            try:
                res = await page.evaluate(script("page_facts.js"), args)
            except Exception:  # noqa: BLE001 - navigated away, crashed: the steps say so
                return "error", None
            facts = res if args[3] else None
            if res["launchers"]:
                return "found", facts
            idle = inflight["n"] <= 0 and \
                (time.monotonic() - inflight["last"]) * 1000 >= cfg.quiet_ms
            if res["pending"] == 0 and idle:
                return "idle", facts
            if time.monotonic() >= cap:
                return "cap", facts
            args[3] = False
            await asyncio.sleep(0.1)


async def run_visit(ctx, url: str, plan: Plan, cfg: "RenderConfig", visit: Visit,
                    state: VisitState, guard=None, tab=None):
    """Open a page of ``ctx`` (or navigate ``tab``, a reused tab that ``reset_tab`` made
    fit) and visit ``url`` following ``plan``, filling ``visit``
    (``state`` says how far it got). Returns the open page, or None when it was closed (a
    failed navigation, a crash). The caller bounds the whole visit by ``cfg.page_timeout``;
    the navigation itself gets what is left of it less a little, so that a page that never
    finishes loading is told from a slow server here."""
    page = None
    rendered = visit.rendered
    stages = Stages(rendered, state)
    deadline = state.t0 + state.limit
    net = state.net
    inflight = {"n": 0, "last": time.monotonic()}
    mixed_console: list[str] = []
    try:
        with stages("open"):
            if tab is not None:
                page = tab
                # "reused": the same host's renderer, warm; "reused-other-host": the tab of
                # another host (another site: a new renderer in it, ``RenderPool._take_tab``)
                rendered.extra["tab"] = "reused" if host_of(tab.url) == host_of(url) \
                    else "reused-other-host"
            else:
                page = await ctx.new_page()
                tab_events(page)  # before anything can happen in it: a crash marks it dead
            if plan.axe or plan.axe_next:
                await ready_axe(page)  # before the navigation: the next document has it
            state.page = page
            page.set_default_timeout(cfg.page_timeout * 1000)

        def on_request(req):
            inflight["n"] += 1
            inflight["last"] = time.monotonic()
            try:
                if req.resource_type == "document" and req.redirected_from is None and \
                        req.frame is page.main_frame:
                    state.navigations += 1
            except Exception:  # noqa: BLE001 - a request of a frame already gone
                pass
            if len(net) < MAX_NETWORK:
                try:
                    furl = req.frame.url
                except Exception:  # noqa: BLE001
                    furl = ""
                net[req] = NetRequest(req.url[:2000], req.resource_type, req.method,
                                      frame_url=furl[:500])

        def on_done(req, failed=False):
            inflight["n"] = max(0, inflight["n"] - 1)
            inflight["last"] = time.monotonic()
            nr = net.get(req)
            if nr is not None and failed:
                f = req.failure or "failed"
                why = guard.refusal(req.url) if guard is not None and \
                    "BLOCKED_BY_CLIENT" in f else ""
                if why:
                    nr.failure, nr.cause = f"{REFUSED_FAILURE}: {why}"[:500], \
                        why.split(":", 1)[0]
                else:
                    nr.failure = BLOCKED_FAILURE if "BLOCKED_BY_CLIENT" in f else f

        def on_response(resp):
            nr = net.get(resp.request)
            if nr is not None:
                nr.status = resp.status
            if not state.response and resp.frame is page.main_frame and \
                    resp.request.resource_type == "document" and not 300 <= resp.status < 400:
                state.response = True

        def on_console(msg):
            try:
                text = msg.text
                if msg.type == "error":
                    rendered.console_errors.append(text[:1000])
                if "Mixed Content" in text:
                    mixed_console.append(text[:1000])
            except Exception:  # noqa: BLE001
                pass

        def on_pageerror(exc):
            s = str(exc)[:1000]
            rendered.page_errors.append(s)
            rendered.console_errors.append(s)

        def on_popup(p):
            # popups are closed at once (their requests went through the guard as well)
            state.popups += 1
            page._govscan_dirty = True  # such a tab is not reused (reset_tab)
            asyncio.ensure_future(quiet_close(p))

        def on_dialog(d):
            # dismissed, as Playwright does with no listener; but a page that asks things
            # (alert loops, "leave this page?") could hold the next navigation: not reused
            page._govscan_dirty = True
            asyncio.ensure_future(_dismiss(d))

        def on_crash(_):
            state.crashed = True

        # this visit's handlers, through the tab's routing (emptied by reset_tab)
        tab_events(page).update({
            "request": on_request, "requestfinished": lambda r: on_done(r),
            "requestfailed": lambda r: on_done(r, True), "response": on_response,
            "console": on_console, "pageerror": on_pageerror, "popup": on_popup,
            "crash": on_crash, "dialog": on_dialog})

        with stages("goto"):
            budget = max(1.0, deadline - time.monotonic() - 1.5)
            try:
                resp = await page.goto(url, wait_until="load", timeout=budget * 1000)
                state.loaded = True
            except Exception as exc:  # noqa: BLE001
                err = _refusal_error(guard, state, url) if "BLOCKED_BY_CLIENT" in str(exc) \
                    else None
                if err is None and state.crashed:
                    err = FetchError(Cause.RENDERER_CRASHED, first_line(exc))
                if err is None and type(exc).__name__ == "TimeoutError" and \
                        state.navigations > MAX_SELF_NAVIGATIONS:
                    # the page's script kept replacing the document: it held the visit, even
                    # if one of its short-lived documents would answer "1"
                    err = FetchError(Cause.PAGE_UNRESPONSIVE,
                                     f"the page navigated itself {state.navigations} times "
                                     f"and never finished loading")
                if err is None and type(exc).__name__ == "TimeoutError" and state.response:
                    # the document arrived but "load" never came: a slow sub-resource, or
                    # the page's script holds the renderer (then even "1" gets no answer)
                    try:
                        await asyncio.wait_for(page.evaluate("1"), 1.0)
                        err = FetchError(Cause.TIMEOUT, f"the page did not finish loading "
                                                        f"in {budget:.0f}s")
                    except Exception:  # noqa: BLE001
                        err = state.out_of_time(state.limit)
                rendered.error = err or classify_browser_error(exc)
                rendered.network = state.network()
                rendered.extra["popups_closed"] = state.popups
                close_soon(page)
                return None
        with stages("settle"):
            await settle(page, inflight, cfg.settle_ms, cfg.quiet_ms)
        pf = None  # the page facts (``js/page_facts.js``): the watch's, when it ended at once
        if plan.watch_ms > 0 and plan.facts:
            rendered.extra["watch"], pf = await watch(page, inflight, plan, cfg, deadline,
                                                      stages)
        rendered.url = page.url
        rendered.extra["status"] = resp.status if resp is not None else None
        with stages("dom"):
            try:
                rendered.title = (await page.title())[:500]
            except Exception:  # noqa: BLE001
                pass
            if plan.full_dom:
                try:
                    rendered.dom = (await page.content())[:MAX_DOM]
                except Exception as exc:  # noqa: BLE001
                    rendered.extra["dom_error"] = str(exc)[:300]
            rendered.frames = [f.url for f in page.frames[1:] if f.url][:50]
        if plan.facts:
            with stages("facts"):
                try:
                    if pf is None:
                        pf = await page.evaluate(script("page_facts.js"),
                                                 [list(plan.page_globals),
                                                  list(plan.launcher_words)])
                    rendered.globals = pf["globals"]
                    rendered.shadow_hosts = [s["selector"] for s in pf["shadow"]]
                    rendered.extra["shadow"] = pf["shadow"][:20]
                    rendered.extra["nav"] = pf["nav"]
                    rendered.extra["launchers"] = pf["launchers"]
                    for nr in socket_requests(pf.get("sockets") or [], guard):
                        if len(net) < MAX_NETWORK:
                            net[("ws", nr.url)] = nr
                except Exception as exc:  # noqa: BLE001
                    rendered.extra["facts_error"] = str(exc)[:300]
        if mixed_console:
            rendered.extra["mixed_content_console"] = mixed_console[:50]
        size = None
        if plan.shots is not None and plan.screenshot:
            with stages("screenshot"):
                size = await full_page_shot(page, rendered, plan.shots)
            if size is not None and plan.boxes is not None:
                with stages("boxes"):
                    # the same page state as the picture: nothing ran in between
                    rendered.boxes = await measure_boxes(page, plan.boxes(rendered), size)
        if plan.axe:
            with stages("axe"):
                visit.axe = await run_axe(page)
            if plan.axe_boxes is not None:
                with stages("boxes"):
                    rendered.boxes.update(await measure_boxes(
                        page, plan.axe_boxes(visit.axe), size))
        if plan.mobile:
            with stages("mobile"):
                visit.mobile = await measure_mobile(page, plan.shots if plan.mobile_shot
                                                    else None)
        rendered.network = state.network()
        if state.popups:
            rendered.extra["popups_closed"] = state.popups
        if state.crashed:
            rendered.error = FetchError(Cause.RENDERER_CRASHED,
                                        f"the page's renderer died ({state.stage})")
            close_soon(page)
            return None
        rendered.extra["render_ms"] = round((time.monotonic() - state.t0) * 1000)
        return page
    except asyncio.CancelledError:
        # out of time (the pool says why from ``state``): never wait for a page that is busy
        if page is not None:
            close_soon(page)
        raise
    except BaseException:
        if page is not None:
            close_soon(page)
        raise


_closing: set = set()


def close_soon(page) -> None:
    """Close ``page`` in the background (a renderer stuck in a script must not hold the
    visit; closing the target ends it). ``closing_done()`` waits for these."""
    task = asyncio.ensure_future(_bounded_close(page))
    _closing.add(task)
    task.add_done_callback(_closing.discard)


async def _bounded_close(page) -> None:
    try:
        await asyncio.wait_for(page.close(run_before_unload=False), 10)
    except Exception:  # noqa: BLE001 - gone, or the browser went with it
        pass


async def closing_done() -> None:
    if _closing:
        await asyncio.gather(*list(_closing), return_exceptions=True)


def ws_route(guard):
    """A Playwright WebSocket route handler (the context's): the guard's verdict, then connect
    to the server or close before any connection is made. The page's own record of the
    sockets it opened (``js/sockets.js``) puts each attempt into its network log."""
    async def handler(ws):
        try:
            why = await guard.verdict(ws.url)
        except Exception as exc:  # noqa: BLE001 - fail closed
            why = f"{Cause.OTHER}: the guard failed: {exc}"
        if why:
            try:
                await ws.close(code=1008, reason="refused by govscan")
            except Exception:  # noqa: BLE001
                pass
        else:
            ws.connect_to_server()
    return handler


def socket_requests(urls, guard) -> list[NetRequest]:
    """Network-log entries of the WebSockets a page opened, with the guard's refusals."""
    out = []
    for u in urls:
        nr = NetRequest(str(u)[:2000], "websocket", "GET")
        why = guard.refusal(nr.url) if guard is not None else ""
        if why:
            nr.failure, nr.cause = f"{REFUSED_FAILURE}: {why}"[:500], why.split(":", 1)[0]
        out.append(nr)
    return out


async def engine_visit(browser, url: str, *, ignore_https_errors: bool,
                       timeout: float, guard=None) -> dict[str, Any]:
    """A plain visit in a non-Chromium engine (browser-compat): loaded?, uncaught errors,
    navigation visibility. No resolver rules there: farm names only resolve through
    Chromium's flag, so such engines see real DNS. The guard's verdict through Playwright's
    routing (no CDP there: redirect hops are not seen; WebSockets are)."""
    errors: list[str] = []
    ctx = await browser.new_context(ignore_https_errors=ignore_https_errors,
                                    service_workers="block", accept_downloads=False)
    if guard is not None:
        async def check(route):
            try:
                if await guard.verdict(route.request.url):
                    await route.abort("blockedbyclient")
                else:
                    await route.continue_()
            except Exception:  # noqa: BLE001 - the page went away
                pass
        await ctx.route("**/*", check)
        await ctx.route_web_socket(lambda u: True, ws_route(guard))
    try:
        page = await ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)[:500]))
        await page.goto(url, wait_until="load", timeout=timeout * 1000)
        await page.wait_for_timeout(300)
        pf = await page.evaluate(script("page_facts.js"), [[], []])
        return {"available": True, "loaded": True, "error": "", "page_errors": errors,
                "nav_links": pf["nav"]["links"], "nav_visible": pf["nav"]["visible"],
                "links_visible": pf["nav"]["any_visible"]}
    except Exception as exc:  # noqa: BLE001
        err = classify_browser_error(exc)
        return {"available": True, "loaded": False, "error": err.detail[:300],
                "cause": str(err.cause), "page_errors": errors, "nav_links": 0,
                "nav_visible": 0}
    finally:
        await quiet_close(ctx)
