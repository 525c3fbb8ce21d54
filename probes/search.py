"""search - a site search function (OSI #003, LOSI #206).

Rule: a search box on the home page or in the common header (a ``role=search`` region, an
``input[type=search]``, a form whose action/name/id/class or whose fields' name/placeholder/
aria-label say "search" in Uzbek Latin, Uzbek Cyrillic, Russian or English - classified by
``pageread.forms`` so that a newsletter or login box never counts), and a one-word query sent
through a GET search form returns a results page (2xx HTML with result links).

* pass - a box is present and the query returned a results page with result links;
* warn - a box is present but could not be exercised (a POST form without
  ``--exercise-post-search``, a JavaScript-only box, a search toggle whose box is not in the
  HTML) or the results page showed no recognisable result links;
* fail - no search box on any captured page, or the query failed (HTTP error, "nothing found"
  for a word every government site has);
* error - the query could not be sent (network failure): the box is found, but the function
  cannot be judged.

``details.found`` is true whenever a box (or a search toggle) was found, whatever the status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import parse_qsl, urlsplit

from pageread.facts import page_facts, rendered_facts, response_facts
from pageread.forms import FormInfo, search_toggles
from pageread.words import fold, keywords

from .base import (in_reach, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, table)

VERSION = "1.1"

UI = UIStrings("search", {
    # summaries
    "fail_no_box": "No search box was found on the home page or in the site header.",
    "warn_toggle_only": "A search toggle was found, but no search box is in the page's HTML "
                        "(it is probably built by JavaScript); the search was not exercised.",
    "warn_link_only": "Only a link to a search page was found ({target}); its page was not "
                      "captured, so no search box was seen: weaker evidence.",
    "warn_link_no_box": "Only a link to a search page was found ({target}); no search box "
                        "was found on that page as served (it may be built by JavaScript): "
                        "weaker evidence.",
    "warn_not_gathered": "A search box is present; the query was not run in this capture "
                         "(search_query not gathered).",
    "warn_post": "A search box is present; the search form sends POST (often with a CSRF "
                 "token): it is reported present but not exercised; use "
                 "--exercise-post-search to check it.",
    "warn_formless": "A search box is present; the search box is not in a form (JavaScript "
                     "search): not exercised.",
    "error_not_sent": "A search box is present but the query could not be sent: {error}",
    "warn_post_refused": "A POST search form is present, but our query was refused with HTTP "
                         "{status} (most likely its CSRF/session check, not a broken "
                         "search); the results could not be seen.",
    "fail_query": "A search box is present but the query failed (HTTP {status}).",
    "fail_query_error": "A search box is present but the query failed (HTTP {status}, "
                        "{error}).",
    "pass": "Search works: a {method} query returned a results page with {n} result link(s).",
    "fail_nothing_found": "A search box is present but the query for a common word found "
                          "nothing ('{phrase}').",
    "warn_no_result_links": "A search box is present and the query answered, but no result "
                            "links could be recognised on the results page.",
    # evidence messages and details notes
    "no_box_checked": "no element with role=search, input[type=search] or a search word in "
                      "a form was found on {n} page(s)",
    "box": "search box ({method}): {reasons}",
    "box_in_header": "search box ({method}, in the header): {reasons}",
    "why_not_gathered": "the query was not run in this capture (search_query not gathered)",
    "why_post": "the search form sends POST (often with a CSRF token): it is reported present "
                "but not exercised; use --exercise-post-search to check it",
    "why_formless": "the search box is not in a form (JavaScript search): not exercised",
    "why_post_refused": "the POST query was refused (CSRF/session check?)",
    "query": "{method} query '{word}' -> HTTP {status}, {n} result link(s)",
    "query_no_word": "{method} query -> HTTP {status}, {n} result link(s)",
    "not_html": "not HTML ({content_type})",
    "not_html_untyped": "not HTML (no content type)",
    # details titles
    "title_boxes": "Search boxes",
})


# --- the results page ---------------------------------------------------------------------


@dataclass
class ResultsPage:
    status: int | None
    url: str
    result_links: list[str] = field(default_factory=list)
    no_results: str = ""  # the "nothing found" phrase, when seen
    echoes_query: bool = False
    error: str = ""


_CHROME = ("header", "nav", "footer", "aside")


def _in_chrome(node) -> bool:
    p = node.parent
    for _ in range(15):
        if p is None or p.tag in ("body", "html"):
            return False
        if p.tag in _CHROME:
            return True
        a = p.attributes or {}
        cls = f"{a.get('class') or ''} {a.get('id') or ''} {a.get('role') or ''}".lower()
        if any(w in cls for w in ("header", "footer", "navbar", "menu", "breadcrumb",
                                  "banner", "contentinfo", "pagination", "lang")):
            return True
        p = p.parent
    return False


def template_links(site) -> set[str]:
    """Links of the site's template (menus): those in the header/nav/footer of the home page,
    and those present on two or more captured pages."""
    out: set[str] = set()
    counts: dict[str, int] = {}
    pages = site.html_pages(linked=True)
    if pages:
        home = pages[0]
        from urllib.parse import urljoin
        for a in home.tree.css("a[href]"):
            if _in_chrome(a):
                out.add(urljoin(home.url, a.attributes.get("href") or "").split("#")[0]
                        .rstrip("/"))
    for p in pages[:10]:
        for u in {lk.url.rstrip("/") for lk in p.links}:
            counts[u] = counts.get(u, 0) + 1
    out |= {u for u, n in counts.items() if n >= 2}
    return out


def read_results(resp, template: Iterable[str], word: str) -> ResultsPage:
    """Result links of a search results page: links on the same host, outside header/nav/
    footer/menus, not in the site's template (``template_links``) and not the search page
    itself (pagination). When the page has a container called "result(s)", only its links
    count."""
    from urllib.parse import urljoin

    rp = ResultsPage(resp.status, resp.url)
    if resp.error is not None:
        rp.error = f"{resp.error.cause}: {resp.error.detail}"
        return rp
    if not resp.is_html:
        rp.error = (UI.text("not_html", content_type=resp.content_type) if resp.content_type
                    else UI.text("not_html_untyped"))
        return rp
    fx = response_facts(resp)  # parsed once, within the caps; shared with advanced-search
    tree = fx.tree
    known = {u.rstrip("/") for u in template}
    host = urlsplit(resp.url).hostname
    search_path = urlsplit(resp.url).path.rstrip("/")
    seen = set()
    anchors = []
    for box in tree.css("[class*=result], [id*=result], [class*=natija], [class*=search-list]"):
        if box.tag not in ("a", "input", "form", "button") and not _in_chrome(box):
            anchors.extend(box.css("a[href]"))
    if anchors:
        known = set()
    for a in anchors or tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        u = urljoin(resp.url, href).split("#")[0]
        parts = urlsplit(u)
        if parts.hostname != host or parts.path.rstrip("/") == search_path:
            continue
        if u.rstrip("/") in known or u in seen or _in_chrome(a):
            continue
        seen.add(u)
        rp.result_links.append(u)
    text = fold(fx.body_text)
    m = keywords("no_results").search(text, folded=True)
    rp.no_results = m.text if m else ""
    rp.echoes_query = bool(word) and fold(word) in text
    return rp


# --- judge --------------------------------------------------------------------------------


def _box_evidence(box: FormInfo) -> Evidence:
    return Evidence(box.page_url, "element", box.html, box.selector,
                    UI.text("box_in_header" if box.in_header else "box",
                            method=box.method.upper() or "JavaScript",
                            reasons="; ".join(box.reasons)),
                    {"action": box.action, "method": box.method, "formless": box.formless,
                     "fields": [f.to_dict() for f in box.fields][:8]})


def _word_from(resp_url: str, box: FormInfo | None) -> str:
    q = box.query_field() if box else None
    for k, v in parse_qsl(urlsplit(resp_url).query):
        if q is None or k == q.name:
            if v:
                return v
    return ""


def _judge(site, ctx: Context, pages: list) -> Finding:
    """A search box on the home page or in the common header (role=search,
    input[type=search], search words in four language forms in the form's or fields'
    attributes, placeholder or label; not a newsletter/login box), and a one-word GET query
    that returns a results page with result links. Pass: box + results. Warn: box present but
    not exercised (POST form without --exercise-post-search, JavaScript-only box or toggle) or
    no recognisable result links. Fail: no box, or the query failed / found nothing. Error:
    the query could not be sent."""
    url = site.start_url
    boxes: list[FormInfo] = []
    toggles: list[tuple[str, str, str, str]] = []
    search_pages: list[tuple[str, str, str, str, str]] = []  # links to a search page
    if pages:
        home = page_facts(pages[0])
        for sel, html, why, target in home.memo("search.toggles", lambda f: search_toggles(
                f.tree, f.url)):
            if target:
                search_pages.append((home.url, sel, html, why, target.rstrip("/")))
            else:
                toggles.append((home.url, sel, html, why))
    targets = {t[4] for t in search_pages}
    for i, page in enumerate(pages):
        fx = page_facts(page)
        on_search_page = "search" in fold(urlsplit(page.url).path) or \
            page.url.rstrip("/") in targets or \
            page.response.requested_url.rstrip("/") in targets
        for b in fx.search_boxes:
            if i == 0 or b.in_header or on_search_page:
                boxes.append(b)
        rf = rendered_facts(page)
        if rf is not None and not boxes:
            boxes.extend(rf.search_boxes)
    details = {"found": bool(boxes or toggles or search_pages), "pages_checked": len(pages),
               "boxes": table([b.to_dict() for b in boxes[:5]],
                              headings=["page_url", "method", "action", "selector", "formless",
                                        "reasons"],
                              title=UI.text("title_boxes")),
               "exercised": False}
    if not boxes and not toggles and not search_pages:
        return Finding("search", Status.FAIL, url, UI("fail_no_box"),
                       [Evidence(url, "message", message=UI.text("no_box_checked",
                                                                 n=len(pages)))], details)
    if not boxes and toggles:
        ev = [Evidence(u, "element", h, s, why) for u, s, h, why in toggles[:3]]
        return Finding("search", Status.WARN, url, UI("warn_toggle_only"), ev, details)
    if not boxes:
        # only a link to a search page: weaker evidence, whether or not its page was seen
        captured = {p.url.rstrip("/") for p in pages} | {
            p.response.requested_url.rstrip("/") for p in pages}
        target = search_pages[0][4]
        seen = target in captured
        details["search_page"] = {"url": target, "captured": seen}
        ev = [Evidence(u, "link", h, s, why) for u, s, h, why, _ in search_pages[:3]]
        return Finding("search", Status.WARN, url,
                       UI("warn_link_no_box" if seen else "warn_link_only", target=target),
                       ev, details)

    get_box = next((b for b in boxes if not b.formless and b.method == "get"
                    and b.query_field() is not None), None)
    post_box = next((b for b in boxes if not b.formless and b.method == "post"
                     and b.query_field() is not None), None)
    best = get_box or post_box or boxes[0]
    evidence = [_box_evidence(best)]

    resp, mode = None, ""
    if get_box is not None and "search_query" in site.side:
        resp, mode = site.side["search_query"], "GET"
    elif post_box is not None and "search_query_post" in site.side:
        resp, mode, best = site.side["search_query_post"], "POST", post_box
    if resp is None:
        if get_box is not None:
            key = "not_gathered"
        elif post_box is not None:
            key = "post"
        else:
            key = "formless"
        why = UI.text("why_" + key)
        details["not_exercised_reason"] = why
        return Finding("search", Status.WARN, url, UI("warn_" + key),
                       evidence + [Evidence(best.page_url, "message", message=why)], details)

    word = _word_from(resp.requested_url, best) if mode == "GET" else ""
    rp = read_results(resp, template_links(site), word)
    details.update(exercised=True, method=mode, query_url=resp.requested_url,
                   results_url=rp.url, results_status=rp.status,
                   result_links=len(rp.result_links), no_results_phrase=rp.no_results,
                   echoes_query=rp.echoes_query, query_word=word)
    q_ev = Evidence(resp.requested_url, "request", "\n".join(rp.result_links[:10]),
                    message=UI.text("query", method=mode, word=word, status=rp.status,
                                    n=len(rp.result_links)) if word else
                    UI.text("query_no_word", method=mode, status=rp.status,
                            n=len(rp.result_links)),
                    data={"status": rp.status, "results": len(rp.result_links),
                          "final_url": rp.url})
    evidence.append(q_ev)
    if resp.error is not None:
        details["cause"] = str(resp.error.cause)
        return Finding("search", Status.ERROR, url,
                       UI("error_not_sent", error=resp.error.message), evidence, details)
    if mode == "POST" and rp.status in (400, 403, 419, 422):
        details["not_exercised_reason"] = UI.text("why_post_refused")
        return Finding("search", Status.WARN, url, UI("warn_post_refused", status=rp.status),
                       evidence, details)
    if rp.status is None or rp.status >= 400 or rp.error:
        return Finding("search", Status.FAIL, url,
                       UI("fail_query_error", status=rp.status, error=rp.error) if rp.error
                       else UI("fail_query", status=rp.status), evidence, details)
    if rp.result_links and not (rp.no_results and len(rp.result_links) < 2):
        return Finding("search", Status.PASS, url,
                       UI("pass", method=mode, n=len(rp.result_links)), evidence, details)
    if rp.no_results:
        return Finding("search", Status.FAIL, url,
                       UI("fail_nothing_found", phrase=rp.no_results), evidence, details)
    return Finding("search", Status.WARN, url, UI("warn_no_result_links"), evidence, details)


# the sections this probe reads besides the home page (its Follow tables)
SECTIONS = ("search",)

judge = in_reach(SECTIONS, _judge, rendered=True, side=("search_query", "search_query_post"))


# LINKED is optional: a search page one click from home (single-URL mode) is looked at too
PROBE = Probe(id="search", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.SEARCH_QUERY}),
              optional=frozenset({Artifact.LINKED}), judge=judge,
              hints=Hints(follow=(Follow("search", 8, linked=True),), boxes=("form", "input")))
