"""browser-compat - usable in browsers.

Rule (PP-308 item 47.2, a proxy): the home page and two inner pages load in every available
browser engine without an uncaught script error and with the main navigation visible
(visible links inside ``<nav>`` / ``[role=navigation]``, or inside ``<header>`` when the page
has no nav at all; on a page with neither, at least 3 visible links stand in for it). Chromium is always tried; Firefox and
WebKit are tried where Playwright's builds are installed, and which engines were tried and
why one was not is in ``details.engines_tried``. Any page failing in any engine is a
``fail``; the engines that could not run are not held against the site.
"""

from __future__ import annotations

from typing import Any

from .base import Artifact, Evidence, Finding, Probe, Status, error_finding

ID = "browser-compat"
VERSION = "1.0"
MIN_LINKS_WITHOUT_NAV = 3


def navigation_visible(res: dict) -> bool:
    """Visible navigation: a visible link in nav/[role=navigation] (in <header> when there is
    no nav), or - when the page has neither - at least 3 visible links."""
    if res.get("nav_visible", 0) > 0:
        return True
    return res.get("nav_links", 0) == 0 and res.get("links_visible", 0) >= MIN_LINKS_WITHOUT_NAV


def loads_cleanly(res: dict) -> bool:
    """The page loaded and threw no uncaught script error."""
    return bool(res.get("loaded")) and not res.get("page_errors")


def judge(site, ctx) -> Finding:
    """Home + two inner pages: loaded, no uncaught script error, navigation visible, in each
    available engine (Chromium always; Firefox/WebKit where installed)."""
    engines_tried: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    evidence: list[Evidence] = []
    for page in site.html_pages()[:3]:
        r = page.rendered
        if r is None or not r.engines:
            continue
        for name, res in r.engines.items():
            if not res.get("available", False):
                engines_tried.setdefault(name, res.get("error") or "not available")
                continue
            engines_tried[name] = "available"
            ok_load, ok_nav = loads_cleanly(res), navigation_visible(res)
            problems = []
            if not res.get("loaded"):
                problems.append(f"did not load: {res.get('error', '')}")
            if res.get("page_errors"):
                problems.append(f"{len(res['page_errors'])} uncaught script error(s): "
                                + res["page_errors"][0][:200])
            if res.get("loaded") and not ok_nav:
                problems.append("navigation not visible")
            results.append({"url": page.url, "engine": name, "ok": ok_load and ok_nav,
                            "problems": problems, **{k: res.get(k) for k in (
                                "nav_links", "nav_visible", "links_visible")}})
            for p in problems:
                evidence.append(Evidence(page.url, "message", message=f"{name}: {p}",
                                         data={"engine": name,
                                               "page_errors": res.get("page_errors", [])}))
    usable = [e for e, s in engines_tried.items() if s == "available"]
    if not results or not usable:
        return error_finding(ID, site.start_url, "browser-unavailable",
                             "No page could be checked in any browser engine.", VERSION,
                             engines_tried=engines_tried)
    bad = [r for r in results if not r["ok"]]
    pages = sorted({r["url"] for r in results})
    status = Status.FAIL if bad else Status.PASS
    if bad:
        summary = (f"{len({r['url'] for r in bad})} of {len(pages)} page(s) have problems in "
                   f"{', '.join(sorted({r['engine'] for r in bad}))}: {bad[0]['problems'][0]}.")
    else:
        summary = (f"{len(pages)} page(s) load without script errors and with visible "
                   f"navigation in {', '.join(usable)}.")
    not_run = [e for e in engines_tried if e not in usable]
    if not_run:
        summary += f" Not available here: {', '.join(not_run)}."
    if not evidence:
        evidence = [Evidence(r["url"], "message", message=f"{r['engine']}: loaded, "
                             f"{r['nav_visible']} navigation link(s) visible",
                             data={"engine": r["engine"]}) for r in results]
    return Finding(ID, status, site.start_url, summary, evidence,
                   {"engines_tried": engines_tried, "pages": results})


PROBE = Probe(id=ID, version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.ENGINES}), judge=judge)
