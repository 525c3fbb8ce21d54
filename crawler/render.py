"""The rendering pool: one Chromium, a few pages at a time, and the browser gatherers.

What it does (Lighthouse's "gatherers", in Python over Playwright):

* ``RenderPool`` owns one headless browser, started lazily on first use (``env.renderer``)
  and closed with ``await env.renderer.close()``. At most ``concurrency`` pages are open at
  once (2 on a 2-core machine); every visit has a total timeout; the browser is recycled
  (closed and started again) after ``recycle_after`` visits so a leaking site cannot grow it
  without bound. Each visit gets a fresh browser context (no cookies carried between pages).
* Heavy media is blocked by resource type (images, media, fonts): those requests still
  appear in the network log (``failure = "blocked-by-govscan"``), which is what mixed-content
  and chat-vendor detection read, but they are never downloaded. Consequence, on purpose:
  screenshots show empty boxes where images would be. They are evidence of layout and of
  where an element is, not a picture of the site; pass ``block_media=False`` to change it.
* A visit records: the DOM after ``load`` plus a short settle (until the network has been
  quiet for ``quiet_ms`` or ``settle_ms`` at most), console errors, uncaught page errors,
  the network log (``NetRequest``), a full-page screenshot (cut at 2,400 CSS px), which known
  window globals exist
  (chat vendors), the frames, the hosts of open shadow roots, whether the main navigation is
  visible and chat-launcher-like visible elements.
* The four gatherers named in ``crawler.capture.GATHERERS`` (``gather_rendered``,
  ``gather_axe``, ``gather_mobile``, ``gather_engines``) render only the first
  ``env.options.render_pages`` HTML pages of ``site.pages``. They never raise: no browser ->
  ``site.errors[artifact] = FetchError(Cause.BROWSER_UNAVAILABLE, ...)``; one page failing ->
  that page's ``Rendered.error`` (or ``extra`` entry) says why.
* One load per page: the RENDERED visit leaves its page open ("parked", at most
  ``2 * concurrency + 2`` pages, 20 s); AXE runs axe in that same page, MOBILE then switches
  it to mobile emulation (CDP ``Emulation.setDeviceMetricsOverride``) and closes it; a
  gatherer that finds no parked page loads the page itself. ``release_site(site)`` closes
  what a capture left open.
* Tuning through ``env.options.extra``: ``browser_concurrency`` (pages at once, default 2),
  ``browser_timeout`` (s per page, 30), ``browser_recycle`` (visits per browser, 100),
  ``browser_block_media`` (True), ``browser_resolve_only`` (False: unmapped names fail),
  ``outline`` (selectors for evidence screenshots, see ``crawler.screenshots``).

Which Chromium: env ``GOVSCAN_CHROMIUM``, else Playwright's own (``playwright install
chromium`` on machines that can download it), else ``/usr/bin/chromium`` or
``/usr/bin/chromium-browser``. Host names are pinned with ``--host-resolver-rules`` from
``env.resolve`` (the farm, the CLI's ``--resolve``).

axe-core comes from ``node_modules/axe-core/axe.min.js`` at the repository root (pinned in
package.json, installed by ``npm ci``) or env ``GOVSCAN_AXE``.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .artifacts import NetRequest, Page, Rendered, SiteCapture
from .causes import Cause, FetchError

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
BLOCKED_TYPES = frozenset({"image", "media", "font"})
BLOCKED_FAILURE = "blocked-by-govscan"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run", "--disable-dev-shm-usage")
DESKTOP = {"width": 1280, "height": 800}
MOBILE_WIDTHS = (360, 414)
MAX_NETWORK = 600  # network log entries kept per visit
MAX_SHOT_HEIGHT = 2400  # CSS px: full-page screenshots are cut here
MAX_DOM = 3_000_000  # characters of rendered DOM kept
MAX_NODES_PER_RULE = 50  # axe nodes kept per rule (the probe shows 10 + a count)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


class BrowserUnavailable(RuntimeError):
    """No browser could be started (message says which executables were tried)."""


# --- locating things -----------------------------------------------------------------------

def chromium_candidates() -> list[str]:
    """Executables to try, in order: $GOVSCAN_CHROMIUM, Playwright's bundled Chromium,
    the Debian/Ubuntu packages."""
    out: list[str] = []
    env = os.environ.get("GOVSCAN_CHROMIUM")
    if env:
        out.append(env)
    try:  # Playwright's own download, if `playwright install chromium` was run
        from playwright._impl._driver import compute_driver_executable  # noqa: F401

        cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or
                     Path.home() / ".cache" / "ms-playwright")
        for pattern in ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/*/"
                        "headless_shell"):
            out += sorted(map(str, cache.glob(pattern)), reverse=True)
    except Exception:  # noqa: BLE001 - only a hint
        pass
    out += ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
    return out


def find_chromium() -> str | None:
    for c in chromium_candidates():
        if c and Path(c).exists() and os.access(c, os.X_OK):
            return c
    w = shutil.which("chromium") or shutil.which("chromium-browser")
    return w


def axe_path() -> Path:
    p = os.environ.get("GOVSCAN_AXE")
    return Path(p) if p else REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


_AXE_SRC: str | None = None


def axe_source() -> str:
    """axe-core's source, wrapped so a page's AMD loader or CommonJS shim cannot capture it
    (axe then always lands on ``window.axe``)."""
    global _AXE_SRC
    if _AXE_SRC is None:
        src = axe_path().read_text(encoding="utf-8")
        _AXE_SRC = "(function(define, module, exports){\n" + src + "\n})(undefined, undefined, " \
                   "undefined);"
    return _AXE_SRC


def resolver_rules(resolve: dict[str, str] | None, only: bool = False) -> str:
    """``--host-resolver-rules`` value: ``MAP host ip, MAP host2 ip``; with ``only`` every
    other name fails to resolve (tests: the browser can never reach a real site)."""
    rules = [f"MAP {h} {ip}" for h, ip in (resolve or {}).items()]
    if only:
        rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)


def _known_globals() -> list[str]:
    try:
        from probes.chatbot_rendered import known_globals

        return known_globals()
    except Exception:  # noqa: BLE001
        return []


def _launcher_words() -> list[str]:
    try:
        from probes.chatbot_rendered import launcher_words

        return launcher_words()
    except Exception:  # noqa: BLE001
        return ["chat", "чат"]


# --- in-page scripts -----------------------------------------------------------------------

# Facts read from the page after load: globals, open shadow hosts, navigation visibility,
# launcher-like visible elements. Returns plain JSON.
PAGE_FACTS_JS = r"""
([globalNames, launcherWords]) => {
  const cssPath = (el) => {
    if (!(el instanceof Element)) return '';
    const parts = [];
    while (el && el.nodeType === 1 && parts.length < 8) {
      if (el.id && /^[A-Za-z][\w-]*$/.test(el.id)) { parts.unshift('#' + el.id); break; }
      let s = el.localName;
      const cls = [...el.classList].filter(c => /^[A-Za-z_][\w-]*$/.test(c)).slice(0, 2);
      if (cls.length) s += '.' + cls.join('.');
      const p = el.parentElement;
      if (p) {
        const same = [...p.children].filter(c => c.localName === el.localName);
        if (same.length > 1) s += `:nth-of-type(${same.indexOf(el) + 1})`;
      }
      parts.unshift(s);
      el = el.parentElement;
    }
    return parts.join(' > ');
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.opacity) > 0.05;
  };
  const globals = globalNames.filter(n => {
    try { return n.split('.').reduce((o, k) => (o == null ? undefined : o[k]), window) !== undefined; }
    catch (e) { return false; }
  });
  const shadow = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) {
        shadow.push({selector: cssPath(el), tag: el.localName,
                     html: el.shadowRoot.innerHTML.slice(0, 600)});
        if (shadow.length < 50) walk(el.shadowRoot);
      }
    }
  };
  walk(document);
  // the navigation: links in nav/[role=navigation]; only when there is none, header links
  let navLinks = [...document.querySelectorAll('nav a[href], [role=navigation] a[href]')];
  if (!navLinks.length) navLinks = [...document.querySelectorAll('header a[href]')];
  const navVisible = navLinks.filter(visible);
  let anyVisible = 0;
  for (const a of [...document.querySelectorAll('a[href]')].slice(0, 300)) if (visible(a)) anyVisible++;
  const words = launcherWords.map(w => w.toLowerCase());
  const launchers = [];
  const cands = document.querySelectorAll(
      'button, a, [role=button], iframe, div[id], div[class], [aria-label], [title]');
  const texty = new Set(['button', 'a']);
  for (const el of cands) {
    if (launchers.length >= 10) break;
    // cheap attribute test first; text only for buttons and links (no layout work)
    const cls = typeof el.className === 'string' ? el.className
                : (el.className && el.className.baseVal) || '';
    const hay = [el.id, cls, el.getAttribute('aria-label'), el.getAttribute('title'),
                 el.getAttribute('name'), el.localName === 'iframe' ? el.src : '',
                 (texty.has(el.localName) || el.getAttribute('role') === 'button')
                   ? (el.textContent || '').slice(0, 60) : ''].join(' ').toLowerCase();
    if (!words.some(w => hay.includes(w))) continue;
    if (!visible(el)) continue;
    // a launcher floats over the page: fixed/sticky itself or inside a fixed container
    let fixed = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const p = getComputedStyle(e).position;
      if (p === 'fixed' || p === 'sticky') { fixed = true; break; }
    }
    if (!fixed) continue;
    const r = el.getBoundingClientRect();
    launchers.push({selector: cssPath(el), fixed, tag: el.localName,
                    text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 80),
                    html: el.outerHTML.slice(0, 500),
                    rect: [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]});
  }
  return {globals, shadow, nav: {links: navLinks.length, visible: navVisible.length,
          any_visible: anyVisible,
          sample: navVisible.slice(0, 5).map(a => (a.innerText || '').trim().slice(0, 40))},
          launchers};
}
"""

# Responsive measurements at the current viewport (Lighthouse-style).
MOBILE_JS = r"""
(deviceWidth) => {
  const de = document.documentElement;
  const vp = document.querySelector('meta[name="viewport" i]');
  const visible = (el, r) => {
    if (r.width < 1 || r.height < 1) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.opacity) > 0.05;
  };
  // text: characters of visible text by computed font size
  let total = 0, legible = 0; const small = [];
  const tw = document.createTreeWalker(document.body || de, NodeFilter.SHOW_TEXT);
  let n, count = 0;
  while ((n = tw.nextNode()) && count < 20000) {
    count++;
    const t = n.nodeValue.replace(/\s+/g, '');
    if (!t) continue;
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (!visible(el, r)) continue;
    const fs = parseFloat(getComputedStyle(el).fontSize);
    total += t.length;
    if (fs >= 12) legible += t.length;
    else if (small.length < 5) small.push({text: t.slice(0, 40), px: fs});
  }
  // tap targets: >= 48x48 CSS px, or no other target inside the 48x48 box around it
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, [role=button], ' +
              '[role=link], [onclick]';
  const targets = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (!visible(el, r)) continue;
    targets.push(r);
    if (targets.length >= 400) break;
  }
  let ok = 0; const bad = [];
  for (let i = 0; i < targets.length; i++) {
    const r = targets[i];
    if (r.width >= 48 && r.height >= 48) { ok++; continue; }
    const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
    const w = Math.max(48, r.width), h = Math.max(48, r.height);
    const bx = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    let crowded = false;
    for (let j = 0; j < targets.length && !crowded; j++) {
      if (j === i) continue;
      const o = targets[j];
      // nested targets (a button inside a link) are one target
      if (o.x <= r.x && o.y <= r.y && o.right >= r.right && o.bottom >= r.bottom) continue;
      if (r.x <= o.x && r.y <= o.y && r.right >= o.right && r.bottom >= o.bottom) continue;
      crowded = o.x < bx[2] && o.right > bx[0] && o.y < bx[3] && o.bottom > bx[1];
    }
    if (crowded) { if (bad.length < 5) bad.push([Math.round(r.x), Math.round(r.y),
                                                  Math.round(r.width), Math.round(r.height)]); }
    else ok++;
  }
  return {
    viewport_meta: vp ? (vp.getAttribute('content') || '') : null,
    device_width: deviceWidth, inner_width: window.innerWidth, client_width: de.clientWidth,
    scroll_width: Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0),
    text_chars: total, legible_chars: legible,
    legible_share: total ? legible / total : null, small_text_sample: small,
    tap_targets: targets.length, tap_ok: ok,
    tap_share: targets.length ? ok / targets.length : null, crowded_sample: bad,
  };
}
"""

AXE_RUN_JS = r"""
async ([tags, maxNodes]) => {
  const r = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete'],
    iframes: true, frameWaitTime: 5000, performanceTimer: false});
  const keepNodes = (nodes) => nodes.slice(0, maxNodes).map(n => ({
    target: n.target, html: (n.html || '').slice(0, 600), impact: n.impact,
    failureSummary: (n.failureSummary || '').slice(0, 600)}));
  const rule = (x, withNodes) => ({
    id: x.id, impact: x.impact, tags: x.tags, help: x.help, helpUrl: x.helpUrl,
    description: x.description, node_count: x.nodes.length,
    nodes: withNodes ? keepNodes(x.nodes) : []});
  return {
    axe_version: r.testEngine.version, url: r.url, timestamp: r.timestamp,
    tags: tags, violations: r.violations.map(x => rule(x, true)),
    incomplete: r.incomplete.map(x => rule(x, true)),
    passes: r.passes.map(x => ({id: x.id, tags: x.tags})),
    inapplicable: r.inapplicable.map(x => x.id),
  };
}
"""


# --- the pool --------------------------------------------------------------------------------

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


@dataclass
class Visit:
    """What one visit produced (the pool's raw result; gatherers copy into ``Rendered``)."""

    rendered: Rendered
    mobile: dict[str, Any] | None = None
    axe: dict[str, Any] | None = None


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

    @classmethod
    def from_env(cls, env) -> "RenderPool":
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
        args = list(CHROMIUM_ARGS)
        rules = resolver_rules(self.config.resolve, self.config.resolve_only)
        if rules:
            args.append(f"--host-resolver-rules={rules}")
        try:
            browser = await self._pw.chromium.launch(executable_path=exe, args=args,
                                                     headless=True, timeout=30000)
        except Exception as exc:  # noqa: BLE001
            raise BrowserUnavailable(f"{exe} did not start: {str(exc).splitlines()[0]}")
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
                    await _quiet_close(g.browser)
                g = self._gen = _Generation(browser)
            g.uses += 1
            g.active += 1
            if g.uses >= self.config.recycle_after:
                g.retired = True  # the next visit starts a fresh browser
            return g

    async def _release(self, g: _Generation):
        g.active -= 1
        if g.retired and g.active == 0 and g is not self._gen:
            await _quiet_close(g.browser)
        elif g.retired and g.active == 0:
            # the current generation is done: close now, the next visit relaunches
            async with self._lock:
                if self._gen is g:
                    self._gen = None
            await _quiet_close(g.browser)

    async def close(self):
        """Close the browser(s) and Playwright. Safe to call twice."""
        await self.unpark()
        for b in list(self.other_engines.values()):
            if not isinstance(b, str):
                await _quiet_close(b)
        self.other_engines.clear()
        if self._gen is not None:
            await _quiet_close(self._gen.browser)
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

    # one visit
    async def visit(self, url: str, *, screenshot: Path | None = None, axe: bool = False,
                    mobile: bool = False, mobile_shot: Path | None = None,
                    outline: Iterable[str] = (), outline_dir: Path | None = None,
                    facts: bool = True, full_dom: bool = True, park: bool = False) -> Visit:
        """Render ``url`` once; optionally take a full-page screenshot, outline elements, run
        axe, then measure at mobile widths (in that order, in the same page). With ``park``
        the page stays open afterwards so a later ``axe_on``/``mobile_on`` for the same URL
        reuses it instead of loading the page again (the gatherers run one after another).
        Never raises for page problems: ``Visit.rendered.error`` says why. Raises
        ``BrowserUnavailable`` when no browser can be started."""
        async with self._sem:
            g = await self._acquire()
            pg = None
            try:
                pg, visit = await asyncio.wait_for(
                    self._visit(g, url, screenshot, axe, mobile, mobile_shot, list(outline),
                                outline_dir, facts, full_dom),
                    timeout=self.config.page_timeout + 20)
            except asyncio.TimeoutError:
                visit = Visit(Rendered(url, error=FetchError(
                    Cause.TIMEOUT, f"render took longer than {self.config.page_timeout}s")))
            finally:
                self.visits += 1
            if pg is not None:
                if park and visit.rendered.error is None:
                    await self._park(url, pg, g)
                else:
                    await _quiet_close(pg)
            await self._release(g)
            return visit

    async def _park(self, url: str, page, g: _Generation):
        """Keep ``page`` open for the next gatherer. Parked pages hold memory, not a pool
        slot: at most ``max_parked`` are kept and none longer than ``park_ttl`` seconds
        (the gatherers of one capture run back to back; a miss only costs a reload)."""
        old = self._parked.pop(url, None)
        if old is not None and old[0] is not page:
            await _quiet_close(old[0])
        now = time.monotonic()
        for u in [u for u, (_, _, t) in self._parked.items() if now - t > self.park_ttl]:
            await _quiet_close(self._parked.pop(u)[0])
        self._parked[url] = (page, g, now)
        while len(self._parked) > self.max_parked:
            _, (c, _, _) = self._parked.popitem(last=False)
            await _quiet_close(c)

    def _claim(self, url: str):
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
            await _quiet_close(self._parked.pop(u)[0])

    async def axe_on(self, url: str) -> Visit:
        """axe on the parked page of ``url`` (re-parked afterwards), or a fresh visit."""
        item = self._claim(url)
        if item is None:
            return await self.visit(url, axe=True, facts=False, full_dom=False, park=True)
        page, g = item
        async with self._sem:
            g.active += 1
            try:
                res = await asyncio.wait_for(run_axe(page),
                                             timeout=self.config.page_timeout)
            except asyncio.TimeoutError:
                res = {"error": f"axe took longer than {self.config.page_timeout}s",
                       "cause": str(Cause.TIMEOUT)}
            g.active -= 1
        await self._park(url, page, g)
        return Visit(Rendered(url), axe=res)

    async def mobile_on(self, url: str, shot: Path | None = None) -> Visit:
        """Mobile measurements on the parked page of ``url`` (closed afterwards), or a fresh
        visit."""
        item = self._claim(url)
        if item is None:
            return await self.visit(url, mobile=True, mobile_shot=shot, facts=False,
                                    full_dom=False)
        page, g = item
        async with self._sem:
            g.active += 1
            try:
                m = await asyncio.wait_for(self._mobile(page, shot),
                                           timeout=self.config.page_timeout)
            except asyncio.TimeoutError:
                m = {"error": f"mobile measurement took longer than "
                              f"{self.config.page_timeout}s"}
            finally:
                g.active -= 1
                await _quiet_close(page)
        return Visit(Rendered(url), mobile=m)

    async def _new_context(self, browser):
        kw: dict[str, Any] = {"ignore_https_errors": self.config.ignore_https_errors,
                              "service_workers": "block", "viewport": DESKTOP}
        if self.config.user_agent:
            if not self._base_ua:
                self._base_ua = (await _default_ua(browser)).replace("HeadlessChrome",
                                                                      "Chrome")
            kw["user_agent"] = f"{self._base_ua} {self.config.user_agent}".strip()
        ctx = await browser.new_context(**kw)
        ctx.set_default_timeout(self.config.page_timeout * 1000)
        ctx.set_default_navigation_timeout(self.config.page_timeout * 1000)
        if self.config.block_media:
            async def _route(route):
                try:
                    if route.request.resource_type in BLOCKED_TYPES:
                        await route.abort("blockedbyclient")
                    else:
                        await route.continue_()
                except Exception:  # noqa: BLE001 - page closed meanwhile
                    pass
            await ctx.route("**/*", _route)
        return ctx

    async def _context(self, g: _Generation):
        """The generation's shared desktop context (created on first use)."""
        async with self._ctx_lock:
            if g.ctx is None:
                g.ctx = await self._new_context(g.browser)
            return g.ctx

    async def _visit(self, g: _Generation, url, screenshot, want_axe, want_mobile, mobile_shot,
                     outline, outline_dir, facts, full_dom):
        """Returns (the open page, or None when it was closed; Visit)."""
        cfg = self.config
        t0 = time.monotonic()
        ctx = await self._context(g)
        page = None
        rendered = Rendered(url)
        visit = Visit(rendered)
        net: dict[Any, NetRequest] = {}
        inflight = {"n": 0, "last": time.monotonic()}
        mixed_console: list[str] = []
        try:
            page = await ctx.new_page()
            page.set_default_timeout(cfg.page_timeout * 1000)

            def on_request(req):
                inflight["n"] += 1
                inflight["last"] = time.monotonic()
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
                    nr.failure = BLOCKED_FAILURE if "BLOCKED_BY_CLIENT" in f else f

            def on_response(resp):
                nr = net.get(resp.request)
                if nr is not None:
                    nr.status = resp.status

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

            page.on("request", on_request)
            page.on("requestfinished", lambda r: on_done(r))
            page.on("requestfailed", lambda r: on_done(r, True))
            page.on("response", on_response)
            page.on("console", on_console)
            page.on("pageerror", on_pageerror)

            try:
                resp = await page.goto(url, wait_until="load")
            except Exception as exc:  # noqa: BLE001
                msg = str(exc).splitlines()[0][:500]
                cause = Cause.TIMEOUT if "Timeout" in msg else Cause.RENDER_FAILED
                rendered.error = FetchError(cause, msg)
                rendered.network = list(net.values())
                await _quiet_close(page)
                return None, visit
            await _settle(page, inflight, cfg.settle_ms, cfg.quiet_ms)
            rendered.url = page.url
            rendered.extra["status"] = resp.status if resp is not None else None
            try:
                rendered.title = (await page.title())[:500]
            except Exception:  # noqa: BLE001
                pass
            if full_dom:
                try:
                    rendered.dom = (await page.content())[:MAX_DOM]
                except Exception as exc:  # noqa: BLE001
                    rendered.extra["dom_error"] = str(exc)[:300]
            rendered.frames = [f.url for f in page.frames[1:] if f.url][:50]
            if facts:
                try:
                    pf = await page.evaluate(PAGE_FACTS_JS, [_known_globals(),
                                                             _launcher_words()])
                    rendered.globals = pf["globals"]
                    rendered.shadow_hosts = [s["selector"] for s in pf["shadow"]]
                    rendered.extra["shadow"] = pf["shadow"][:20]
                    rendered.extra["nav"] = pf["nav"]
                    rendered.extra["launchers"] = pf["launchers"]
                except Exception as exc:  # noqa: BLE001
                    rendered.extra["facts_error"] = str(exc)[:300]
            if mixed_console:
                rendered.extra["mixed_content_console"] = mixed_console[:50]
            rendered.network = list(net.values())
            if screenshot is not None:
                err = await _shot(page, screenshot)
                if err:
                    rendered.extra["screenshot_error"] = err
            if outline and outline_dir is not None:
                from .screenshots import outline_on_page

                rendered.extra["outlined"] = await outline_on_page(page, outline, outline_dir)
            if want_axe:
                visit.axe = await run_axe(page)
            if want_mobile:
                visit.mobile = await self._mobile(page, mobile_shot)
            rendered.extra["render_ms"] = round((time.monotonic() - t0) * 1000)
            return page, visit
        except BaseException:
            if page is not None:
                await _quiet_close(page)
            raise

    async def _mobile(self, page, shot: Path | None) -> dict[str, Any]:
        """Measure at each of MOBILE_WIDTHS in this page, switched to mobile emulation
        (Chrome DevTools Protocol ``Emulation.setDeviceMetricsOverride`` with ``mobile:
        true`` - what Playwright's ``is_mobile`` does - so ``<meta name=viewport>`` is
        honoured) and touch; a viewport screenshot at the first width."""
        out: dict[str, Any] = {}
        try:
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Emulation.setTouchEmulationEnabled",
                           {"enabled": True, "maxTouchPoints": 5})
        except Exception as exc:  # noqa: BLE001
            return {"error": f"mobile emulation failed: {str(exc).splitlines()[0][:300]}"}
        for i, w in enumerate(MOBILE_WIDTHS):
            try:
                await cdp.send("Emulation.setDeviceMetricsOverride",
                               {"width": w, "height": 780, "deviceScaleFactor": 1,
                                "mobile": True, "screenWidth": w, "screenHeight": 780})
                await page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                                    "setTimeout(r, 60)))")
                out[str(w)] = await page.evaluate(MOBILE_JS, w)
            except Exception as exc:  # noqa: BLE001
                out[str(w)] = {"error": str(exc).splitlines()[0][:300]}
            if i == 0 and shot is not None:
                # through the same CDP session: Playwright's page.screenshot would restore
                # its own desktop viewport first
                try:
                    import base64

                    data = await cdp.send("Page.captureScreenshot", {"format": "png",
                                                                  "optimizeForSpeed": True})
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    shot.write_bytes(base64.b64decode(data["data"]))
                    out["screenshot"] = str(shot)
                except Exception as exc:  # noqa: BLE001
                    out["screenshot_error"] = str(exc).splitlines()[0][:300]
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
            self.other_engines[name] = f"not available: {str(exc).splitlines()[0][:200]}"
        return self.other_engines[name]


async def run_axe(page) -> dict[str, Any]:
    """Inject axe-core into every frame (axe's documented multi-frame mode: each frame has
    axe, the top frame's ``axe.run`` collects their results via postMessage; cross-origin
    frames allowed) and run the WCAG 2.0 + 2.1 A/AA tags once. Open shadow DOM is tested by
    axe itself."""
    try:
        src = axe_source()
    except OSError as exc:
        return {"error": f"axe-core not found at {axe_path()}: {exc} (run `npm ci`)"}
    for fr in page.frames:
        try:
            await fr.evaluate(src)
            await fr.evaluate("axe.configure({allowedOrigins: ['<unsafe_all_origins>']})")
        except Exception as exc:  # noqa: BLE001 - a detached or cross-process frame
            log.debug("axe not injected into %s: %s", fr.url, exc)
    try:
        return await page.evaluate(AXE_RUN_JS, [list(AXE_TAGS), MAX_NODES_PER_RULE])
    except Exception as exc:  # noqa: BLE001
        return {"error": f"axe.run failed: {str(exc).splitlines()[0][:300]}"}


async def _settle(page, inflight, settle_ms: int, quiet_ms: int):
    """Wait until no request has started/finished for ``quiet_ms`` (or ``settle_ms``)."""
    start = time.monotonic()
    await asyncio.sleep(0.05)
    while (time.monotonic() - start) * 1000 < settle_ms:
        idle = (time.monotonic() - inflight["last"]) * 1000
        if inflight["n"] <= 0 and idle >= quiet_ms:
            return
        await asyncio.sleep(0.05)


async def _shot(page, path: Path, full_page: bool = True) -> str:
    """A PNG of the page, taken with CDP ``Page.captureScreenshot`` (``captureBeyondViewport``
    and ``optimizeForSpeed``: no viewport resize and a fast encoder - 2.5x cheaper than
    Playwright's full-page screenshot). "Full page" stops at MAX_SHOT_HEIGHT CSS px: the top
    of a long page is the evidence, and encoding a 15,000 px PNG costs a second of CPU."""
    import base64

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        vw = (page.viewport_size or DESKTOP)["width"]
        vh = (page.viewport_size or DESKTOP)["height"]
        h = vh
        if full_page:
            h = await page.evaluate("Math.max(document.documentElement.scrollHeight, "
                                    "document.body ? document.body.scrollHeight : 0)")
            h = max(1, min(int(h or vh), MAX_SHOT_HEIGHT))
        cdp = await page.context.new_cdp_session(page)
        try:
            data = await cdp.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": full_page, "optimizeForSpeed": True,
                "clip": {"x": 0, "y": 0, "width": vw, "height": h, "scale": 1}})
        finally:
            try:
                await cdp.detach()
            except Exception:  # noqa: BLE001
                pass
        path.write_bytes(base64.b64decode(data["data"]))
        return ""
    except Exception as exc:  # noqa: BLE001
        return str(exc).splitlines()[0][:300]


async def _default_ua(browser) -> str:
    ctx = await browser.new_context()
    try:
        p = await ctx.new_page()
        return await p.evaluate("navigator.userAgent")
    finally:
        await _quiet_close(ctx)


async def _quiet_close(obj):
    try:
        await obj.close()
    except Exception:  # noqa: BLE001
        pass


# --- gatherers ------------------------------------------------------------------------------

def pool_for(env) -> RenderPool:
    """``env.renderer``, created on first use (started on its first visit)."""
    if env.renderer is None:
        env.renderer = RenderPool.from_env(env)
    return env.renderer


def pages_to_render(site: SiteCapture, env) -> list[Page]:
    n = getattr(env.options, "render_pages", 3)
    return site.html_pages()[:max(0, n)]


def _shot_path(site: SiteCapture, env, index: int, suffix: str = "") -> tuple[Path, str] | None:
    if not getattr(env.options, "screenshots", True) or not site.capture_dir:
        return None
    rel = f"{site.target.id}/{index}{suffix}.png"
    return Path(site.capture_dir) / rel, rel


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
    """RENDERED: DOM, console, network log, screenshot, globals, frames, shadow hosts of
    the first ``render_pages`` HTML pages. Selectors in ``env.options.extra["outline"]``
    (a list, or a dict url -> list) are outlined in extra screenshots."""
    pool = pool_for(env)
    outline = (getattr(env.options, "extra", {}) or {}).get("outline") or []

    async def one(i: int, page: Page):
        shot = _shot_path(site, env, i)
        sels = outline.get(page.url, []) if isinstance(outline, dict) else outline
        v = await pool.visit(page.url, screenshot=shot[0] if shot else None,
                             outline=sels, park=True,
                             outline_dir=Path(site.capture_dir) / site.target.id
                             if sels and site.capture_dir else None)
        r = v.rendered
        if shot and "screenshot_error" not in r.extra and r.error is None:
            r.screenshot = shot[1]
        if r.extra.get("outlined") and site.capture_dir:
            base = Path(site.capture_dir)
            for o in r.extra["outlined"]:
                if o.get("path"):
                    o["path"] = str(Path(o["path"]).relative_to(base))
        page.rendered = r

    await _for_pages(site, env, "rendered", one)


async def gather_axe(site: SiteCapture, env) -> None:
    """AXE: axe-core (WCAG 2.0 + 2.1 A/AA tags) on the first ``render_pages`` pages, every
    frame injected: in the page the RENDERED visit left open (same load, same settle), or in
    a fresh visit when it is gone."""
    pool = pool_for(env)

    async def one(i: int, page: Page):
        v = await pool.axe_on(page.url)  # the RENDERED page when still open
        r = page.rendered or v.rendered
        if page.rendered is None:
            page.rendered = r
        if v.rendered.error is not None:
            r.axe = {"error": v.rendered.error.message, "cause": str(v.rendered.error.cause)}
        else:
            r.axe = v.axe

    await _for_pages(site, env, "axe", one)


async def gather_mobile(site: SiteCapture, env) -> None:
    """MOBILE: measurements at 360 and 414 px wide (mobile emulation, touch) and a
    screenshot at 360 px (``<n>-m360.png``), in the page left open by RENDERED/AXE (then
    closed) or in a fresh visit."""
    pool = pool_for(env)

    async def one(i: int, page: Page):
        shot = _shot_path(site, env, i, "-m360")
        v = await pool.mobile_on(page.url, shot[0] if shot else None)
        r = page.rendered or v.rendered
        if page.rendered is None:
            page.rendered = r
        m = v.mobile or {}
        if v.rendered.error is not None:
            m = {"error": v.rendered.error.message, "cause": str(v.rendered.error.cause)}
        if shot and m.get("screenshot"):
            m["screenshot"] = shot[1]
        r.mobile = m

    await _for_pages(site, env, "mobile", one)


ENGINES = ("chromium", "firefox", "webkit")


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
        if r is None or "nav" not in r.extra:
            v = await pool.visit(page.url, full_dom=False)
            if r is None:
                page.rendered = r = v.rendered
            rv = v.rendered
        else:
            rv = r
        r.engines["chromium"] = _engine_result(rv)

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
                page.rendered.engines[name] = await _engine_visit(pool, b, page.url)


def _engine_result(r: Rendered) -> dict[str, Any]:
    nav = r.extra.get("nav") or {}
    return {"available": True, "loaded": r.error is None,
            "error": r.error.message if r.error else "",
            "page_errors": r.page_errors[:10], "nav_links": nav.get("links", 0),
            "nav_visible": nav.get("visible", 0), "links_visible": nav.get("any_visible", 0)}


async def _engine_visit(pool: RenderPool, browser, url: str) -> dict[str, Any]:
    """A plain visit in a non-Chromium engine (no resolver rules there: farm names only
    resolve through Chromium's flag, so such engines see real DNS)."""
    errors: list[str] = []
    ctx = await browser.new_context(ignore_https_errors=pool.config.ignore_https_errors)
    try:
        page = await ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)[:500]))
        await page.goto(url, wait_until="load", timeout=pool.config.page_timeout * 1000)
        await page.wait_for_timeout(300)
        pf = await page.evaluate(PAGE_FACTS_JS, [[], []])
        return {"available": True, "loaded": True, "error": "", "page_errors": errors,
                "nav_links": pf["nav"]["links"], "nav_visible": pf["nav"]["visible"],
                "links_visible": pf["nav"]["any_visible"]}
    except Exception as exc:  # noqa: BLE001
        return {"available": True, "loaded": False, "error": str(exc).splitlines()[0][:300],
                "page_errors": errors, "nav_links": 0, "nav_visible": 0}
    finally:
        await _quiet_close(ctx)


# --- a small driver (tests, bench, the ACT corpus script) -----------------------------------

async def capture_urls(urls: list[str], artifacts, fetch_config, *, capture_dir: str | Path = "",
                       options=None, resolve_only: bool = False, concurrency: int = 2,
                       on_site=None) -> list[SiteCapture]:
    """Capture each URL as its own one-page target (``single_url``) with the real fetcher,
    ``crawler.capture.capture_site`` and this pool, gathering ``artifacts``. Up to
    ``concurrency`` sites at once; the pool is closed at the end. ``on_site(site)`` is called
    as each capture finishes (to judge and drop it on long runs)."""
    from .capture import CaptureEnv, CaptureOptions, capture_site
    from .fetch import Fetcher
    from .targets import Target

    opts = options or CaptureOptions(single_url=True, render_pages=1)
    if resolve_only:
        opts.extra.setdefault("browser_resolve_only", True)
    if not capture_dir:
        opts.screenshots = False
    opts.extra.setdefault("browser_concurrency", concurrency)
    out: list[SiteCapture | None] = [None] * len(urls)
    sem = asyncio.Semaphore(concurrency)
    async with Fetcher(fetch_config) as fetcher:
        env = CaptureEnv(fetcher=fetcher, options=opts,
                         capture_dir=Path(capture_dir) if capture_dir else Path(""),
                         resolve=dict(fetch_config.resolve or {}))

        async def one(i: int, url: str):
            async with sem:
                t = Target.for_url(url)
                site = await capture_site(Target(f"{t.id}-{i}", "", "", "url", url, t.scope),
                                          artifacts, env)
                if env.renderer is not None:
                    await env.renderer.release_site(site)
                if on_site is not None:
                    on_site(site)
                out[i] = site

        try:
            await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
        finally:
            if env.renderer is not None:
                await env.renderer.close()
    return [s for s in out if s is not None]
