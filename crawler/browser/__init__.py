"""The browser: one Chromium rendering the pages that the browser indicators judge.

One job per module:

* ``locate`` - finding Chromium, axe-core's source, the ``--host-resolver-rules``;
* ``pool`` - ``RenderPool``: one browser, bounded pages, recycling, contexts, parking;
* ``visit`` - one visit of one URL (navigate, settle, facts, network log, screenshot, boxes,
  axe, mobile measurements; the CDP helpers);
* ``gatherers`` - the RENDERED/AXE/MOBILE/ENGINES gatherers of ``crawler.capture``;
* ``evidence`` - which element boxes to record, and the content-addressed screenshot store;
* ``errors`` - a failed visit's cause, on the fetcher's closed set (``crawler.causes``);
* ``guard`` - the SSRF guard in the browser: the fetcher's address rule on every request
  Chromium makes (a browser-level CDP ``Fetch`` interception; WebSockets through
  Playwright's routing);
* ``watchdog`` - the memory ceiling of the page processes (with the V8 heap limit);
* ``js/`` - the in-page scripts.

Containment: one time limit per page (``RenderConfig.page_timeout``) shared by the render,
axe and the mobile measurements of that page; a page that fails is not loaded again by the
next gatherer; dialogs are dismissed (Playwright's default), popups blocked (Chromium's popup
blocker) or closed, downloads and permission prompts refused, service workers blocked; a page
whose script holds the renderer ends with ``page-unresponsive``, one whose renderer dies
(heap limit, watchdog) with ``renderer-crashed``; the browser goes on.
"""

from __future__ import annotations

from .errors import classify_browser_error
from .evidence import store_png
from .guard import REFUSED_FAILURE, BrowserGuard
from .gatherers import (ENGINES, gather_axe, gather_engines, gather_mobile, gather_rendered,
                        pages_to_render, pool_for)
from .locate import axe_path, axe_source, chromium_candidates, find_chromium, resolver_rules
from .pool import BLOCKED_TYPES, BrowserUnavailable, RenderConfig, RenderPool
from .visit import (AXE_TAGS, BLOCKED_FAILURE, DESKTOP, MAX_SHOT_HEIGHT, MOBILE_WIDTHS, Plan,
                    Visit, run_axe)

__all__ = [
    "AXE_TAGS", "BLOCKED_FAILURE", "BLOCKED_TYPES", "BrowserGuard", "BrowserUnavailable",
    "DESKTOP", "ENGINES", "REFUSED_FAILURE",
    "MAX_SHOT_HEIGHT", "MOBILE_WIDTHS", "Plan", "RenderConfig", "RenderPool", "Visit",
    "axe_path", "axe_source", "chromium_candidates", "classify_browser_error",
    "find_chromium", "gather_axe", "gather_engines", "gather_mobile", "gather_rendered",
    "pages_to_render", "pool_for", "resolver_rules", "run_axe", "store_png",
]
