"""A11Y_MODE: switch the home page's version for the visually impaired on, and record what
changed (the accessibility-mode probe judges it).

On the home page, in a fresh load (the RENDERED/AXE/MOBILE page must not be altered): the
look of the page is measured (``js/a11y_mode.js`` "snapshot": filters on html/body, text and
background luminance, mean font size, visible images), the control is found by the words of
``pageread/data/words_content.toml`` [accessibility_mode] (the same table the probe detects
it with) and clicked, and the look is measured again; then up to three options of the panel
it may have opened ([accessibility_option]: contrast, font size, black-and-white...) are
clicked in turn, measuring after each. The probe judges every step against the look before.
A click that navigates (a separate low-vision page) is followed: the new page is measured.

The facts go to ``site.home.rendered.extra["a11y_mode"]``: ``control`` (selector, text,
HTML) or None, ``before``, ``steps`` (what was clicked and the look after it), ``error``.
Never raises: no browser -> ``site.errors["a11y_mode"]`` (browser-unavailable).
"""

from __future__ import annotations

import asyncio
import time

from pageread.words import fold, keywords

from ..artifacts import Rendered, SiteCapture
from ..causes import Cause, FetchError
from .gatherers import pool_for
from .pool import BrowserUnavailable
from .visit import Plan, first_line, quiet_close, script

SETTLE_S = 0.6  # after a click: transitions, class toggles, a style sheet swap
# the whole switch (a load is already done): a few clicks and measurements, but on a machine
# busy rendering and running axe for other targets they queue behind that work
SWITCH_TIMEOUT_FACTOR = 2.0  # x the pool's page timeout
CLICK_TIMEOUT_MS = 10_000  # Playwright waits for the control to be visible and stable
MAX_OPTIONS = 3


def control_words() -> tuple[list[str], list[str]]:
    """(control words, option words), folded as the in-page script compares them."""
    def words(table):
        kw = keywords(table)
        return [fold(w) for w in kw.words()] + [fold(w) for w in kw.table.get("attr", [])]
    return words("accessibility_mode"), words("accessibility_option")


async def _borrow(pool, url: str):
    """A loaded page of ``url`` in the pool's browser: a visit that parks its page, then the
    parked page (``RenderPool.claim_parked``). (page, None) or (None, why)."""
    v = await pool.visit(url, Plan(facts=False, full_dom=False, screenshot=False), park=True)
    if v.rendered.error is not None:
        return None, v.rendered.error
    item = pool.claim_parked(url)
    if item is None:
        return None, FetchError(Cause.OTHER, "the loaded page was closed before use")
    return item[0], None


async def _snapshot(page, words):
    try:
        return await page.evaluate(script("a11y_mode.js"), ["snapshot", *words])
    except Exception as exc:  # noqa: BLE001 - navigation in progress, page closed
        await asyncio.sleep(SETTLE_S)
        try:
            await page.wait_for_load_state("load", timeout=5000)
            return await page.evaluate(script("a11y_mode.js"), ["snapshot", *words])
        except Exception:  # noqa: BLE001
            return {"error": first_line(exc)}


async def _click(page, selector: str) -> str:
    """Click ``selector`` like a person (Playwright's actionability checks); "" or why not."""
    try:
        await page.locator(selector).first.click(timeout=CLICK_TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001
        return first_line(exc)
    await asyncio.sleep(SETTLE_S)
    try:
        await page.wait_for_load_state("load", timeout=5000)
    except Exception:  # noqa: BLE001
        pass
    return ""


async def switch_on(page, words) -> dict:
    """The facts of the module docstring, on an open page."""
    t0 = time.monotonic()
    facts: dict = {"control": None, "before": None, "steps": [], "error": ""}
    facts["before"] = await _snapshot(page, words)
    facts["control"] = await page.evaluate(script("a11y_mode.js"), ["find", *words])
    if not facts["control"]:
        return facts
    why = await _click(page, '[data-govscan-a11y="1"]')
    after = await _snapshot(page, words)
    facts["steps"].append({"clicked": facts["control"]["text"] or facts["control"]["word"],
                           "selector": facts["control"]["selector"], "error": why,
                           "after": after, "ms": round((time.monotonic() - t0) * 1000)})
    if why:
        return facts
    try:
        options = await page.evaluate(script("a11y_mode.js"), ["options", *words])
    except Exception as exc:  # noqa: BLE001
        facts["error"] = first_line(exc)
        return facts
    for i, opt in enumerate(options[:MAX_OPTIONS]):
        why = await _click(page, f'[data-govscan-a11y-opt="{i}"]')
        now = await _snapshot(page, words)
        facts["steps"].append({"clicked": opt["text"] or opt["word"],
                               "selector": opt["selector"], "error": why, "after": now,
                               "option": True, "ms": round((time.monotonic() - t0) * 1000)})
    return facts


async def gather_a11y_mode(site: SiteCapture, env) -> None:
    """A11Y_MODE: see the module docstring."""
    home = site.home
    if home is None or not (home.response.ok and home.response.is_html):
        return
    pool = pool_for(env)
    words = control_words()
    try:
        page, err = await _borrow(pool, home.url)
    except BrowserUnavailable as exc:
        site.errors["a11y_mode"] = FetchError(Cause.BROWSER_UNAVAILABLE, str(exc)[:500])
        return
    if home.rendered is None:
        home.rendered = Rendered(home.url)
    t0 = time.monotonic()
    if page is None:
        home.rendered.extra["a11y_mode"] = {"control": None, "before": None, "steps": [],
                                            "error": err.message if err else "not loaded"}
        return
    try:
        facts = await asyncio.wait_for(
            switch_on(page, words), timeout=pool.config.page_timeout * SWITCH_TIMEOUT_FACTOR)
    except Exception as exc:  # noqa: BLE001 - a page that hangs or crashes: say so
        why = "timed out" if isinstance(exc, asyncio.TimeoutError) else first_line(exc)
        facts = {"control": None, "before": None, "steps": [],
                 "error": f"switching the version on failed: {why} after "
                          f"{round(time.monotonic() - t0)} s"}
    finally:
        await quiet_close(page)
    home.rendered.extra["a11y_mode"] = facts
