"""The browser: one Chromium rendering the pages that the browser indicators judge.

One job per module:

* ``locate`` - finding Chromium, axe-core's source, the ``--host-resolver-rules``;
* ``pool`` - ``RenderPool``: one browser, bounded pages, recycling, contexts, parking;
* ``visit`` - one visit of one URL (navigate, settle, facts, network log, screenshot, boxes,
  axe, mobile measurements; the CDP helpers);
* ``gatherers`` - the RENDERED/AXE/MOBILE/ENGINES gatherers of ``crawler.capture``;
* ``evidence`` - which element boxes to record, and the content-addressed screenshot store;
* ``errors`` - a failed visit's cause, on the fetcher's closed set (``crawler.causes``);
* ``js/`` - the in-page scripts.
"""

from __future__ import annotations

from .errors import classify_browser_error
from .evidence import store_png
from .gatherers import (ENGINES, gather_axe, gather_engines, gather_mobile, gather_rendered,
                        pages_to_render, pool_for)
from .locate import axe_path, axe_source, chromium_candidates, find_chromium, resolver_rules
from .pool import BLOCKED_TYPES, BrowserUnavailable, RenderConfig, RenderPool
from .visit import (AXE_TAGS, BLOCKED_FAILURE, DESKTOP, MAX_SHOT_HEIGHT, MOBILE_WIDTHS, Plan,
                    Visit, run_axe)

__all__ = [
    "AXE_TAGS", "BLOCKED_FAILURE", "BLOCKED_TYPES", "BrowserUnavailable", "DESKTOP", "ENGINES",
    "MAX_SHOT_HEIGHT", "MOBILE_WIDTHS", "Plan", "RenderConfig", "RenderPool", "Visit",
    "axe_path", "axe_source", "chromium_candidates", "classify_browser_error",
    "find_chromium", "gather_axe", "gather_engines", "gather_mobile", "gather_rendered",
    "pages_to_render", "pool_for", "resolver_rules", "run_axe", "store_png",
]
