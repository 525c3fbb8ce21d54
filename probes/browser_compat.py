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

from .base import Artifact, Evidence, Finding, Probe, Status, UIStrings, error_finding, table

ID = "browser-compat"
VERSION = "1.0"
MIN_LINKS_WITHOUT_NAV = 3

UI = UIStrings(ID, {
    # summaries
    "fail": "{n_bad} of {n} page(s) have problems in {engines}: {problem}.",
    "fail_not_run": "{n_bad} of {n} page(s) have problems in {engines}: {problem}. Not "
                    "available here: {not_run}.",
    "pass": "{n} page(s) load without script errors and with visible navigation in "
            "{engines}.",
    "pass_not_run": "{n} page(s) load without script errors and with visible navigation in "
                    "{engines}. Not available here: {not_run}.",
    "error_no_engine": "No page could be checked in any browser engine.",
    # problems and evidence messages
    "did_not_load": "did not load: {error}",
    "script_errors": "{n} uncaught script error(s): {first}",
    "nav_not_visible": "navigation not visible",
    "engine_problem": "{engine}: {problem}",
    "engine_ok": "{engine}: loaded, {n} navigation link(s) visible",
    "not_available": "not available",
    # details titles
    "title_pages": "Pages per engine",
})


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
                engines_tried.setdefault(name, res.get("error") or UI.text("not_available"))
                continue
            engines_tried[name] = "available"
            ok_load, ok_nav = loads_cleanly(res), navigation_visible(res)
            problems = []
            if not res.get("loaded"):
                problems.append(UI.text("did_not_load", error=res.get("error", "")))
            if res.get("page_errors"):
                problems.append(UI.text("script_errors", n=len(res["page_errors"]),
                                        first=res["page_errors"][0][:200]))
            if res.get("loaded") and not ok_nav:
                problems.append(UI.text("nav_not_visible"))
            results.append({"url": page.url, "engine": name, "ok": ok_load and ok_nav,
                            "problems": problems, **{k: res.get(k) for k in (
                                "nav_links", "nav_visible", "links_visible")}})
            for p in problems:
                evidence.append(Evidence(page.url, "message",
                                         message=UI.text("engine_problem", engine=name,
                                                         problem=p),
                                         data={"engine": name,
                                               "page_errors": res.get("page_errors", [])}))
    usable = [e for e, s in engines_tried.items() if s == "available"]
    if not results or not usable:
        return error_finding(ID, site.start_url, "browser-unavailable",
                             UI.text("error_no_engine"), VERSION,
                             engines_tried=engines_tried)
    bad = [r for r in results if not r["ok"]]
    pages = sorted({r["url"] for r in results})
    status = Status.FAIL if bad else Status.PASS
    not_run = [e for e in engines_tried if e not in usable]
    more = {"not_run": ", ".join(not_run)} if not_run else {}
    if bad:
        summary = UI("fail_not_run" if not_run else "fail", n_bad=len({r["url"] for r in bad}),
                     n=len(pages), engines=", ".join(sorted({r["engine"] for r in bad})),
                     problem=bad[0]["problems"][0], **more)
    else:
        summary = UI("pass_not_run" if not_run else "pass", n=len(pages),
                     engines=", ".join(usable), **more)
    if not evidence:
        evidence = [Evidence(r["url"], "message",
                             message=UI.text("engine_ok", engine=r["engine"],
                                             n=r["nav_visible"]),
                             data={"engine": r["engine"]}) for r in results]
    return Finding(ID, status, site.start_url, summary, evidence,
                   {"engines_tried": engines_tried,
                    "pages": table(results, headings=["url", "engine", "ok", "problems",
                                                      "nav_links", "nav_visible",
                                                      "links_visible"],
                                   title=UI.text("title_pages"))})


PROBE = Probe(id=ID, version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.ENGINES}), judge=judge)
