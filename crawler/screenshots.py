"""Evidence screenshots: a picture of the page with one element outlined.

For findings that point at an element (a search box, a chat launcher, a contact form, an
axe node), the auditor gets a screenshot of the viewport scrolled to that element with a
thick outline drawn around it, stored with the capture.

Two ways in:

* during rendering: put selectors in ``env.options.extra["outline"]`` (a list used on every
  rendered page, or ``{page_url: [selectors]}``); ``gather_rendered`` then stores
  ``Rendered.extra["outlined"] = [{"selector", "path", "found", "error"}]`` with ``path``
  relative to the capture directory;
* afterwards: ``await outline_screenshot(pool, url, selector, out_path)`` renders ``url``
  again and saves one outlined picture (the report or ``govscan scan`` can call it for the
  selectors of their findings).

The outline is an injected absolutely positioned box (not a style change on the element),
so the element's own look is untouched. Media are blocked as in every visit (see
crawler.render): images show as empty boxes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable

OUTLINE_COLOR = "#e3007d"

_DRAW_JS = r"""
([sel, color]) => {
  let el = null;
  try { el = document.querySelector(sel); } catch (e) { return {found: false, error: 'bad selector'}; }
  if (!el) return {found: false};
  el.scrollIntoView({block: 'center', inline: 'center'});
  const r = el.getBoundingClientRect();
  const box = document.createElement('div');
  box.setAttribute('data-govscan-outline', '1');
  Object.assign(box.style, {position: 'absolute', zIndex: 2147483647, pointerEvents: 'none',
    left: (r.left + scrollX - 4) + 'px', top: (r.top + scrollY - 4) + 'px',
    width: (r.width + 8) + 'px', height: (r.height + 8) + 'px',
    border: '4px solid ' + color, boxShadow: '0 0 0 3px #fff', borderRadius: '3px'});
  document.body.appendChild(box);
  return {found: true, rect: [r.x, r.y, r.width, r.height]};
}
"""

_CLEAR_JS = "() => document.querySelectorAll('[data-govscan-outline]').forEach(e => e.remove())"


def outline_name(selector: str) -> str:
    """A stable file name for the outlined screenshot of ``selector``."""
    return "outline-" + hashlib.sha1(selector.encode()).hexdigest()[:10] + ".png"


async def outline_on_page(page, selectors: Iterable[str], out_dir: Path) -> list[dict[str, Any]]:
    """On an open Playwright page: one outlined viewport screenshot per selector, saved in
    ``out_dir``. Returns one dict per selector (``path`` absolute; empty when not found)."""
    out: list[dict[str, Any]] = []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for sel in selectors:
        item: dict[str, Any] = {"selector": sel, "path": "", "found": False}
        try:
            res = await page.evaluate(_DRAW_JS, [sel, OUTLINE_COLOR])
            item["found"] = bool(res.get("found"))
            if res.get("error"):
                item["error"] = res["error"]
            if item["found"]:
                path = out_dir / outline_name(sel)
                await page.screenshot(path=str(path), full_page=False, timeout=10000)
                item["path"] = str(path)
            await page.evaluate(_CLEAR_JS)
        except Exception as exc:  # noqa: BLE001 - evidence is best effort, never fatal
            item["error"] = str(exc).splitlines()[0][:300]
        out.append(item)
    return out


async def outline_screenshot(pool, url: str, selector: str, out_path: str | Path) -> dict:
    """Render ``url`` with ``pool`` (a ``crawler.render.RenderPool``) and save a screenshot
    with ``selector`` outlined at ``out_path``. Returns ``{"selector", "path", "found",
    "error"?}``; never raises for page problems (``BrowserUnavailable`` does propagate)."""
    out_path = Path(out_path)
    v = await pool.visit(url, outline=[selector], outline_dir=out_path.parent, facts=False,
                         full_dom=False)
    items = v.rendered.extra.get("outlined") or []
    if v.rendered.error is not None:
        return {"selector": selector, "path": "", "found": False,
                "error": v.rendered.error.message}
    item = dict(items[0]) if items else {"selector": selector, "path": "", "found": False}
    if item.get("path"):
        Path(item["path"]).replace(out_path)
        item["path"] = str(out_path)
    return item


# the findings whose element evidence gets an outlined screenshot, in this order
OUTLINE_INDICATORS = ("search", "contact-form", "chatbot", "wcag", "advanced-search",
                      "contact-us")


def _evidence_to_outline(site, findings, limit: int):
    """(evidence, page url) pairs worth a picture: evidence items with a CSS selector on a
    page that was rendered, from the indicators above, at most ``limit``, each element once."""
    rendered = {p.url for p in site.pages if p.rendered is not None and p.rendered.error is None}
    by_id = {f.indicator: f for f in findings}
    seen: set[tuple[str, str]] = set()
    out = []
    for ind in OUTLINE_INDICATORS:
        f = by_id.get(ind)
        if f is None:
            continue
        for e in f.evidence:
            sel = e.selector or (e.data or {}).get("selector") or ""
            if not sel or e.url not in rendered or (e.url, sel) in seen:
                continue
            seen.add((e.url, sel))
            out.append((e, sel))
            if len(out) >= limit:
                return out
    return out


async def outline_evidence(site, findings, env, limit: int = 4) -> int:
    """After judging: outlined screenshots of the elements the findings point at (a search
    box, a contact form, a chat launcher, an axe node), stored with the capture; the path
    (relative to the capture directory) goes into the evidence item's ``data["screenshot"]``
    for the report. Best effort and bounded (``limit`` per target); needs the render pool
    the capture already started. Returns how many pictures were taken."""
    pool = getattr(env, "renderer", None)
    if pool is None or not getattr(env.options, "screenshots", True) or not site.capture_dir:
        return 0
    base = Path(site.capture_dir)
    taken = 0
    for ev, sel in _evidence_to_outline(site, findings, limit):
        name = "outline-" + hashlib.sha1(f"{ev.url} {sel}".encode()).hexdigest()[:12] + ".png"
        out = base / site.target.id / name
        try:
            item = await outline_screenshot(pool, ev.url, sel, out)
        except Exception:  # noqa: BLE001 - evidence pictures never sink a target
            continue
        if item.get("path"):
            ev.data["screenshot"] = str(Path(item["path"]).relative_to(base))
            taken += 1
    return taken
