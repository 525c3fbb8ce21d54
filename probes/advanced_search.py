"""advanced-search - refining a search (OSI #004, LOSI #207).

Rule: the search form or the search results page offers at least one refining control - a
date range (``input[type=date]``, fields named/labelled from/to/sana/дата/период), a section
or category, a type or a language choice (a ``select``, checkboxes or radio buttons next to
the query field) - or the site links to an "advanced search" (Kengaytirilgan qidiruv,
Кенгайтирилган қидирув, Расширенный поиск, Advanced search).

* pass - a refining control or an advanced-search link/button was found;
* fail - none on the search form, the results page or any captured page;
* error - nothing was found and the results page could not be fetched (network failure),
  so the controls it may carry were not seen.

Knowingly missed: filters built by JavaScript after the results load (the rendered DOM is
used when a page was rendered), and facets that are plain links without words.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pageread.facts import PageFacts, page_facts, rendered_facts, response_facts
from pageread.forms import FormInfo
from pageread.selectors import css_selector
from pageread.words import keywords

from .base import in_reach, Artifact, Context, Evidence, Finding, Hints, Probe, Status, UIStrings

VERSION = "1.1"

UI = UIStrings("advanced-search", {
    # summaries
    "pass_controls": "Advanced search is offered: refining controls on the search form or "
                     "results page.",
    "pass_link": "Advanced search is offered: an \"advanced search\" link.",
    "pass_controls_and_link": "Advanced search is offered: refining controls on the search "
                              "form or results page and an \"advanced search\" link.",
    "error_results_page": "No refining control on the search forms, and the search results "
                          "page could not be fetched: {error}",
    "fail_no_search_form": "No advanced search: no search form at all, and no \"advanced "
                           "search\" link.",
    "fail_query_field_only": "No advanced search: the search form and results page have only "
                             "a query field, and no \"advanced search\" link.",
    # evidence messages
    "form_controls": "search form offers {n} refining control(s): {controls}",
    "results_page_controls": "results page offers {n} refining control(s): {controls}",
    "advanced_link": "an advanced-search link ({words})",
    "checked": "checked {n} page(s)",
    "checked_with_results": "checked {n} page(s) and the results page",
    # why a control refines the query
    "date_input": "date input ({type})",
    "choice_list": "a choice list next to the query field",
    "choice_filter": "{type} filter",
    "refining_field": "refining field ({words})",
})

_NOT_REFINING = {"hidden", "submit", "button", "reset", "image", "password", "file"}


def refining_controls(form: FormInfo) -> list[tuple[str, str]]:
    """(field description, why) for each control of a search form that refines the query:
    a date/month input, a select, a checkbox/radio group, or a field whose name/label says
    date/section/category/type/language in the four language forms."""
    q = form.query_field()
    out = []
    for f in form.fields:
        if f is q or f.type in _NOT_REFINING or f.tag == "button":
            continue
        desc = f"{f.tag}[{f.type or 'text'}] name={f.name or '?'}" + (
            f" label='{f.label}'" if f.label else "")
        if f.type in ("date", "datetime-local", "month", "week"):
            out.append((desc, UI.text("date_input", type=f.type)))
        elif f.tag == "select":
            out.append((desc, UI.text("choice_list")))
        elif f.type in ("checkbox", "radio"):
            out.append((desc, UI.text("choice_filter", type=f.type)))
        else:
            m = keywords("refine_field").anywhere(f.label, f.placeholder,
                                                  attrs=[f.name, f.id])
            if m:
                out.append((desc, UI.text("refining_field", words=m.text)))
    return out


def advanced_links(tree, url: str) -> list[tuple[str, str, str]]:
    """(href or selector, html, matched words) of links/buttons saying "advanced search"."""
    out = []
    for n in tree.css("a, button, [role=button], summary, label"):
        a = n.attributes or {}
        text = " ".join(x for x in (n.text(deep=True, separator=" ", strip=True),
                                    a.get("title"), a.get("aria-label")) if x)
        m = keywords("advanced_search").search(text) or keywords("advanced_search").anywhere(
            attrs=[a.get("class"), a.get("id"), a.get("href")])
        if m:
            out.append((a.get("href") or css_selector(n), n.html or "", m.text))
    return out[:5]


def _search_forms(forms: list[FormInfo], results_page: bool,
                  query_names: set[str]) -> list[FormInfo]:
    """Search forms of a page; on a results page any GET form whose query field has the
    name of the exercised query field counts too (results pages often repeat the form
    bare)."""
    out = []
    for f in forms:
        if f.kind == "search":
            out.append(f)
        elif results_page and f.kind == "other" and f.method == "get":
            q = f.query_field()
            if q is not None and q.name in query_names:
                out.append(f)
    return out


def _judge(site, ctx: Context, pages: list) -> Finding:
    """Pass when a search form or the search results page offers a refining control (date
    range, section/category, type, language: date inputs, selects, checkbox/radio filters,
    fields so named in four language forms) or an "advanced search" link/button exists
    (Kengaytirilgan qidiruv, Расширенный поиск, Advanced search). Fail when none is seen on
    any captured page or the results page. Error when nothing was found and the results page
    could not be fetched."""
    url = site.start_url
    controls: list[Evidence] = []
    links: list[Evidence] = []
    query_names: set[str] = set()
    search_seen = False
    sources: list[tuple[str, PageFacts, bool]] = [(p.url, page_facts(p), False)
                                                  for p in pages]
    for p in pages:
        rf = rendered_facts(p)
        if rf is not None:
            sources.append((p.url, rf, False))
    results_error = None
    for key in ("search_query", "search_query_post"):
        resp = site.side.get(key)
        if resp is None:
            continue
        if resp.error is not None:
            results_error = resp.error
        elif resp.is_html and resp.status and resp.status < 400:
            sources.append((resp.url, response_facts(resp), True))
        q = resp.requested_url
        for part in urlsplit(q).query.split("&"):
            if "=" in part:
                query_names.add(part.split("=", 1)[0])
    for purl, fx, is_results in sources:
        forms = _search_forms(fx.forms, is_results, query_names)
        search_seen = search_seen or bool(forms)
        for f in forms:
            rc = refining_controls(f)
            if rc:
                controls.append(Evidence(
                    purl, "form", f.html, f.selector,
                    UI.text("results_page_controls" if is_results else "form_controls",
                            n=len(rc), controls="; ".join(w for _, w in rc[:4])),
                    {"controls": [d for d, _ in rc][:10], "results_page": is_results}))
        for href, html, words in fx.memo("advanced-search.links",
                                         lambda f: advanced_links(f.tree, f.url)):
            links.append(Evidence(purl, "link", html, "" if href.startswith(("http", "/"))
                                  else href, UI.text("advanced_link", words=words),
                                  {"href": href}))
    details = {"found": bool(controls or links), "pages_checked": len(pages),
               "search_form_seen": search_seen,
               "results_page_checked": any(r for _, _, r in sources),
               "refining_forms": len(controls), "advanced_links": len(links)}
    if controls or links:
        ev = (controls[:3] + links[:2])
        key = ("pass_controls_and_link" if controls and links else
               "pass_controls" if controls else "pass_link")
        return Finding("advanced-search", Status.PASS, url, UI(key), ev, details)
    if results_error is not None and not details["results_page_checked"]:
        details["cause"] = str(results_error.cause)
        return Finding("advanced-search", Status.ERROR, url,
                       UI("error_results_page", error=results_error.message),
                       [Evidence(url, "message", message=results_error.message)], details)
    return Finding("advanced-search", Status.FAIL, url,
                   UI("fail_query_field_only" if search_seen else "fail_no_search_form"),
                   [Evidence(url, "message", message=UI.text(
                       "checked_with_results" if details["results_page_checked"]
                       else "checked", n=len(pages)))], details)

# the sections this probe reads besides the home page (its Follow tables)
SECTIONS = ("search",)

judge = in_reach(SECTIONS, _judge, rendered=True, side=("search_query", "search_query_post"))


PROBE = Probe(id="advanced-search", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.SEARCH_QUERY}),
              optional=frozenset({Artifact.LINKED}), judge=judge,
              hints=Hints(boxes=("form",)))
