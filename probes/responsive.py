"""responsive - comfortable (responsive) web design / mobile access.

Rule (PP-308 item 9.7 / 47.4, a proxy after Lighthouse's mobile audits): the rendered page,
measured at 360 and 414 CSS px wide with mobile emulation,
  1. has ``<meta name="viewport">`` with ``width=``;
  2. does not scroll horizontally (document scrollWidth <= the device width + 1 px);
  3. shows at least 60 % of its visible text at 12 px or more;
  4. has tap targets at least 48x48 px or spaced from other targets (the share is
     reported; below 90 % is a ``warn``, as in Lighthouse).
The home page (the first measured page) decides pass/fail; an inner page failing gives
``warn``. A link to an official app in the app stores also counts for mobile access (the UN
allows it): a site that fails but links its app gets ``warn``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .base import (Artifact, Evidence, Finding, Probe, Status, UIStrings, bullets,
                   error_finding, table, data_file)

ID = "responsive"
VERSION = "1.0"

UI = UIStrings(ID, {
    # summaries; {failed} is the failed checks below, joined with "; "
    "pass": "The page adapts to 360/414 px phone screens.",
    "warn_inner": "The page adapts to 360/414 px phone screens; {n} inner page(s) do not: "
                  "{failed}.",
    "warn_tap": "The page adapts to 360/414 px phone screens; tap targets too small/crowded "
                "on {n_tap} page(s).",
    "warn_inner_tap": "The page adapts to 360/414 px phone screens; {n} inner page(s) do not: "
                      "{failed}; tap targets too small/crowded on {n_tap} page(s).",
    "fail": "Not adapted to phone screens: {failed}.",
    "warn_app": "Not adapted to phone screens: {failed}. An official mobile app is linked, "
                "which the UN also counts.",
    "error_not_measured": "Mobile layout could not be measured: {error}",
    "error_no_page": "Mobile layout could not be measured: no page was measured at mobile "
                     "width",
    # failed checks
    "no_viewport": "no <meta name=viewport> with width=",
    "scrolls_sideways": "scrolls sideways at {width} px (content {scroll_width} px wide)",
    "small_text": "only {share:.0%} of text is >= {min_px} px at {width} px",
    # evidence messages ({legible} and {tap} are a share, or n/a)
    "measured_viewport_ok": "at {width} px: viewport meta ok, page {scroll_width} px wide, "
                            "legible text {legible}, tap targets ok {tap}",
    "measured_viewport_missing": "at {width} px: viewport meta missing, page {scroll_width} px "
                                 "wide, legible text {legible}, tap targets ok {tap}",
    "not_available": "n/a",
    "screenshot": "the page at 360 px wide",
    "app_link": "link to an official app in an app store (counts for mobile access)",
    # details titles
    "title_pages": "Pages measured",
    "title_app_links": "Links to an official app",
})


@lru_cache(maxsize=1)
def cfg() -> dict[str, Any]:
    return data_file("responsive")


def has_viewport_width(content: str | None) -> bool:
    """``<meta name=viewport>`` present and its content sets ``width=``."""
    return bool(content) and "width=" in content.replace(" ", "").lower()


def no_horizontal_scroll(m: dict) -> bool:
    """The page is not wider than the device: scrollWidth <= device width + tolerance.
    (With mobile emulation the layout viewport, innerWidth, grows to the content when there
    is no viewport meta, so the device width is the yardstick, as in Lighthouse.)"""
    width = m.get("device_width") or m.get("inner_width") or 0
    return (m.get("scroll_width") or 0) <= width + cfg()["scroll_tolerance_px"]


def legible_text(m: dict) -> bool:
    """At least 60 % of the visible text characters are 12 px or larger (no text: met)."""
    share = m.get("legible_share")
    return share is None or share >= cfg()["min_legible_share"]


def tap_targets_ok(m: dict) -> bool:
    """At least 90 % of visible tap targets are 48x48 px or have no neighbour in their
    48x48 px box (no targets: met)."""
    share = m.get("tap_share")
    return share is None or share >= cfg()["min_tap_share"]


def app_links(site) -> list[tuple[str, str]]:
    """(page URL, link) pairs for links to an app store page, in the served HTML or in the
    rendered DOM."""
    pats = cfg()["app_store_patterns"]
    out: list[tuple[str, str]] = []
    for page in site.pages:
        hrefs = [link.url for link in page.links]
        if page.rendered is not None and page.rendered.dom:
            hrefs += [a.attributes.get("href") or "" for a in page.rendered.tree.css("a[href]")]
        for h in hrefs:
            if any(p in h for p in pats) and (page.url, h) not in out:
                out.append((page.url, h))
    return out


def _page_checks(mobile: dict) -> dict[str, Any]:
    widths: dict[str, Any] = {}
    for w in map(str, cfg()["widths"]):
        m = mobile.get(w)
        if not isinstance(m, dict) or "error" in m:
            continue
        widths[w] = {
            "viewport_meta": m.get("viewport_meta"),
            "viewport_ok": has_viewport_width(m.get("viewport_meta")),
            "scroll_width": m.get("scroll_width"), "device_width": m.get("device_width"),
            "inner_width": m.get("inner_width"),
            "no_horizontal_scroll": no_horizontal_scroll(m),
            "legible_share": None if m.get("legible_share") is None
            else round(m["legible_share"], 3),
            "legible_ok": legible_text(m),
            "small_text_sample": m.get("small_text_sample", []),
            "tap_targets": m.get("tap_targets"),
            "tap_share": None if m.get("tap_share") is None else round(m["tap_share"], 3),
            "tap_ok": tap_targets_ok(m),
        }
    must = all(c["viewport_ok"] and c["no_horizontal_scroll"] and c["legible_ok"]
               for c in widths.values())
    return {"widths": widths, "ok": bool(widths) and must,
            "tap_ok": all(c["tap_ok"] for c in widths.values())}


def _failed_checks(chk: dict) -> list[str]:
    out = []
    for w, c in chk["widths"].items():
        if not c["viewport_ok"]:
            out.append(UI.text("no_viewport"))
        if not c["no_horizontal_scroll"]:
            out.append(UI.text("scrolls_sideways", width=w, scroll_width=c["scroll_width"]))
        if not c["legible_ok"]:
            out.append(UI.text("small_text", share=c["legible_share"],
                               min_px=cfg()["min_font_px"], width=w))
    return list(dict.fromkeys(out))


def judge(site, ctx) -> Finding:
    """Viewport meta with width=, no sideways scrolling, >= 60 % text >= 12 px at 360 and
    414 px (home page decides; an app-store link also counts); tap-target share reported."""
    measured = []
    for page in site.pages:
        r = page.rendered
        if r is not None and isinstance(r.mobile, dict) and r.mobile and \
                "error" not in r.mobile:
            measured.append((page, r))
    apps = app_links(site)
    if not measured:
        why = next((p.rendered.mobile.get("error") for p in site.pages
                    if p.rendered is not None and isinstance(p.rendered.mobile, dict)
                    and p.rendered.mobile.get("error")), None)
        return error_finding(ID, site.start_url, "render-failed",
                             UI.text("error_not_measured", error=why) if why is not None
                             else UI.text("error_no_page"), VERSION,
                             app_links=bullets([a for _, a in apps],
                                               title=UI.text("title_app_links")))
    pages, evidence = [], []
    for page, r in measured:
        chk = _page_checks(r.mobile)
        url = r.url or page.url
        pages.append({"url": url, **chk, "failed": _failed_checks(chk),
                      "screenshot": r.mobile.get("screenshot", "")})
        for w, c in chk["widths"].items():
            na = UI.text("not_available")
            evidence.append(Evidence(
                url, "measurement",
                message=UI.text("measured_viewport_ok" if c["viewport_ok"]
                                else "measured_viewport_missing", width=w,
                                scroll_width=c["scroll_width"],
                                legible=na if c["legible_share"] is None
                                else c["legible_share"],
                                tap=na if c["tap_share"] is None else c["tap_share"]),
                data={"width": int(w), **c}))
        if r.mobile.get("screenshot"):
            evidence.append(Evidence(url, "screenshot", message=UI.text("screenshot"),
                                     data={"path": r.mobile["screenshot"], "width": 360}))
    home = pages[0]
    inner_bad = [p for p in pages[1:] if not p["ok"]]
    tap_bad = [p for p in pages if not p["tap_ok"]]
    for pg, a in apps:
        evidence.append(Evidence(pg, "link", snippet=a, message=UI.text("app_link"),
                                 data={"app": a}))
    if home["ok"]:
        status = Status.WARN if (inner_bad or tap_bad) else Status.PASS
        if inner_bad and tap_bad:
            summary = UI("warn_inner_tap", n=len(inner_bad),
                         failed="; ".join(inner_bad[0]["failed"]), n_tap=len(tap_bad))
        elif inner_bad:
            summary = UI("warn_inner", n=len(inner_bad),
                         failed="; ".join(inner_bad[0]["failed"]))
        elif tap_bad:
            summary = UI("warn_tap", n_tap=len(tap_bad))
        else:
            summary = UI("pass")
    else:
        status = Status.WARN if apps else Status.FAIL
        summary = UI("warn_app" if apps else "fail", failed="; ".join(home["failed"]))
    details = {"pages": table(pages, headings=["url", "ok", "tap_ok", "failed", "screenshot"],
                              title=UI.text("title_pages")),
               "home_ok": home["ok"],
               "app_links": bullets([a for _, a in apps], title=UI.text("title_app_links")),
               "thresholds": {k: v for k, v in cfg().items() if k != "app_store_patterns"}}
    return Finding(ID, status, home["url"], summary, evidence, details)


PROBE = Probe(id=ID, version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.RENDERED, Artifact.MOBILE}),
              judge=judge)
