"""Page facts: what the probes read on a page, computed once per page and shared by all.

Every static probe used to walk every page on its own: each re-ran the form classifier,
re-joined the body text, re-scanned the raw HTML, re-classified the dates. ``page_facts(page)``
gives one ``PageFacts`` per page (cached on the page object), whose facts are computed on
first use and then shared by every probe that asks:

* ``texts`` - the visible text nodes, each with its folded text and its parent element
  (script, style, template, noscript, head... left out), in document order;
* ``body_text`` - the body's text as one string (``body.text(separator=" ")``);
* ``html_lower`` - the raw HTML, lower-cased (for cheap "could this even be here" checks);
* ``links`` - ``Page.links`` (absolute, in scope or not);
* ``forms`` - every form classified by ``pageread.forms`` (and formless search boxes);
* ``search_boxes`` - the search boxes among them, header ones first;
* ``dates`` - every date candidate of ``pageread.dates.page_dates`` (rejected ones included);
* ``memo(key, fn)`` - a probe's own derived fact, computed once per page;
* ``site_memo(site, key, fn)`` - the same for a fact of the whole capture.

``rendered_facts(page)`` is the same for the rendered DOM (None when the page was not
rendered). Facts are a pure function of the stored body, the URL, the scope and the fetch
date: ``govscan rejudge`` rebuilds them from the stored capture and gets the same facts
(``tests/test_facts.py`` checks it), so they are recomputed rather than stored.

**Caps** (issue 12, big pages): a page is parsed from at most
``crawler.artifacts.MAX_PARSE_CHARS`` characters of its text and at most ``MAX_PARSE_TAGS``
elements (the DOM size cap), and at most ``MAX_LINKS`` of its links are read
(``crawler.artifacts.parse_cut``, ``Page.parse_capped``, ``Page.links_capped``); probes
scan at most ``MAX_TEXT_NODES`` text nodes, ``MAX_TEXT_CHARS`` characters of text
(``body_text`` and every element text a probe reads through ``text_of``) and ``MAX_FORMS``
forms. A page past a cap is still judged on what fits, and ``PageFacts.caps()`` says which
caps it hit: every probe puts it in its finding's ``details.capped_pages``
(``probes.base.note_caps``), so a cut is never silent.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any, Callable

from .words import fold

# elements whose text is not visible page text (the one list: pageread.dates reads it too)
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg",
                       "option", "select", "textarea"})

MAX_TEXT_NODES = 20_000  # visible text nodes scanned per page
MAX_TEXT_CHARS = 1_000_000  # characters of visible text scanned per page
MAX_FORMS = 60  # forms classified per page
MAX_NODE_TEXT = 20_000  # characters of one text node scanned (a single-line 10 MB page)


# what each cap is called in ``PageFacts.caps()`` (and so in a finding's details); the
# sentence for people is probes.base's UI "cap_<name>"
_PARSE_CAP = {"chars": "parse", "tags": "nodes"}
CAPS = ("body", "parse", "nodes", "links", "text", "forms")


class TextNode:
    """One text node of the body: the text as written, folded (computed on first use), and
    the element holding it."""

    __slots__ = ("text", "parent", "_folded")

    def __init__(self, text: str, parent: Any):
        self.text = text
        self.parent = parent
        self._folded: str | None = None

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    def hidden(self) -> bool:
        """Inside a non-visible element further up (``<svg>``, ``<noscript>``,
        ``<template>``, ``<select>`` a few levels up), not only as a direct child."""
        p, n = self.parent, 8
        while p is not None and n > 0 and p.tag not in ("body", "html"):
            if p.tag in SKIP_TAGS:
                return True
            p, n = p.parent, n - 1
        return False

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"TextNode({self.text[:40]!r} in <{self.parent.tag}>)"


class PageFacts:
    """The facts of one parsed page (see the module docstring). Build with ``page_facts``."""

    def __init__(self, tree, url: str, *, html: str = "", links=None,
                 fetched_on: dt.date | None = None, truncated: bool = False,
                 parse_capped: str = "", links_capped: bool = False):
        self.tree = tree
        self.url = url
        self.fetched_on = fetched_on
        self._html = html
        self._links = list(links or [])
        self._memo: dict[str, Any] = {}
        self._caps: set[str] = set()  # the caps found so far (``capped`` gives them all)
        if truncated:
            self._caps.add("body")
        if parse_capped:  # crawler.artifacts.parse_cut: "chars" or "tags"
            self._caps.add(_PARSE_CAP.get(parse_capped, "parse"))
        if links_capped:
            self._caps.add("links")

    # --- text -------------------------------------------------------------------------------

    @cached_property
    def texts(self) -> list[TextNode]:
        """The body's text nodes in document order, but those directly inside
        ``SKIP_TAGS`` (script, style, textarea...) and white-space-only ones; a reader that
        needs the deeper check (an ``<svg>`` further up) asks ``TextNode.hidden()``. Capped
        (``MAX_TEXT_NODES``, ``MAX_TEXT_CHARS``, ``MAX_NODE_TEXT`` per node)."""
        body = self.tree.body
        out: list[TextNode] = []
        if body is None:
            return out
        total = 0
        for node in body.traverse(include_text=True):
            if node.tag != "-text":
                continue
            raw = node.text_content
            if not raw or raw.isspace():
                continue
            parent = node.parent
            if parent is None or parent.tag in SKIP_TAGS:
                continue
            if len(raw) > MAX_NODE_TEXT:
                raw = raw[:MAX_NODE_TEXT]
                self._cap("text")
            out.append(TextNode(raw, parent))
            total += len(raw)
            if len(out) >= MAX_TEXT_NODES or total >= MAX_TEXT_CHARS:
                self._cap("text")
                break
        return out

    @cached_property
    def body_text(self) -> str:
        """The body's text, nodes joined by a space (script text included, as lexbor gives
        it), capped at ``MAX_TEXT_CHARS``."""
        body = self.tree.body
        text = body.text(deep=True, separator=" ") if body is not None else ""
        if len(text) > MAX_TEXT_CHARS:
            self._cap("text")
            text = text[:MAX_TEXT_CHARS]
        return text

    def text_of(self, node) -> str:
        """An element's text, nodes joined by a space (``node.text(separator=" ")``), capped
        at ``MAX_TEXT_CHARS`` like ``body_text`` (the cap recorded): for a probe that reads
        the text of a block it chose (a footer, ``<main>``)."""
        if node is None:
            return ""
        if self.tree.body is not None and node.mem_id == self.tree.body.mem_id:
            return self.body_text
        text = node.text(deep=True, separator=" ")
        if len(text) > MAX_TEXT_CHARS:
            self._cap("text")
            text = text[:MAX_TEXT_CHARS]
        return text

    @cached_property
    def html_lower(self) -> str:
        """The raw HTML lower-cased, as far as it was parsed."""
        return (self._html or self.tree.html or "").lower()

    # --- links, forms, dates ----------------------------------------------------------------

    @property
    def links(self) -> list:
        """The page's links (``crawler.artifacts.Link``), as the page extracted them."""
        return self._links

    @cached_property
    def forms(self) -> list:
        """Every form of the page classified (``pageread.forms.page_forms``), capped."""
        from .forms import page_forms

        return page_forms(self.tree, self.url, limit=MAX_FORMS, html=self._html)

    @cached_property
    def search_boxes(self) -> list:
        """The search boxes among ``forms``, header ones first (``forms.search_boxes``)."""
        from .forms import sort_boxes

        return sort_boxes([f for f in self.forms if f.kind == "search"])

    @cached_property
    def dates(self) -> list:
        """Every dated piece of evidence (``pageread.dates.page_dates``), rejected included."""
        from .dates import page_dates

        return page_dates(self.tree, self.url, self.fetched_on, facts=self)

    def memo(self, key: str, fn: Callable[["PageFacts"], Any]) -> Any:
        """``fn(self)`` computed once per page under ``key`` (a probe's own derived fact,
        e.g. chat vendor hits): name keys after the probe, ``"chatbot.static"``."""
        if key not in self._memo:
            self._memo[key] = fn(self)
        return self._memo[key]

    def caps(self, text: bool = True) -> list[str]:
        """Which caps this page hit (names of ``CAPS``, in that order), whatever the probes
        have read of it so far, so the same for every probe and every run: the parse caps,
        the forms cap and - with ``text``, for a probe that reads the page's text - the text
        caps (reading the text nodes and the body text to know)."""
        if text and self._text_may_cap:
            _ = self.texts, self.body_text
        if self._form_count > MAX_FORMS:
            self._caps.add("forms")
        return [c for c in CAPS if c in self._caps and (text or c != "text")]

    @cached_property
    def _text_may_cap(self) -> bool:
        """Whether reading the text could hit a text cap, from the source alone: a text node
        lies between two tags and is never longer than its source (entities only shrink),
        so a page with fewer tags than ``MAX_TEXT_NODES``, less source than
        ``MAX_TEXT_CHARS`` and no run of ``MAX_NODE_TEXT`` characters without a ``<``
        cannot hit one (the usual page: no need to read its text to know)."""
        html = self._html or self.tree.html or ""
        tags = html.count("<")
        if tags + 1 >= MAX_TEXT_NODES or len(html) + tags + 1 >= MAX_TEXT_CHARS:
            return True
        # a run of MAX_NODE_TEXT characters without "<" holds a whole aligned block of half
        # that length without one: a few str.find calls instead of a scan in Python
        half = MAX_NODE_TEXT // 2
        return any(html.find("<", i, i + half) < 0
                   for i in range(0, len(html) - half + 1, half))

    @cached_property
    def _form_count(self) -> int:
        return len(self.tree.css("form"))

    def _cap(self, what: str) -> None:
        self._caps.add(what)


def _fetched_on(page) -> dt.date | None:
    try:
        return dt.date.fromisoformat(page.response.fetched_at[:10])
    except (ValueError, TypeError, AttributeError):
        return None


def page_facts(page) -> PageFacts:
    """The facts of a ``crawler.artifacts.Page``'s static HTML, built once and kept on the
    page (``page.__dict__["facts"]``; the judging process's ``portable`` copy drops it with
    the other parse caches)."""
    f = page.__dict__.get("facts")
    if f is None:
        resp = page.response
        f = PageFacts(page.tree, page.url, html=page.parsed_text, links=page.links,
                      fetched_on=_fetched_on(page), truncated=bool(resp.truncated),
                      parse_capped=page.parse_capped, links_capped=page.links_capped)
        page.__dict__["facts"] = f
    return f


def site_memo(site, key: str, fn: Callable[[Any], Any]) -> Any:
    """``fn(site)`` computed once per capture under ``key``: a site-level fact that several
    probes read (the login-only family's proxy facts), kept on the ``SiteCapture`` object
    outside its fields (so never stored, pickled to a judge nor compared)."""
    memo = site.__dict__.setdefault("_facts_memo", {})
    if key not in memo:
        memo[key] = fn(site)
    return memo[key]


def response_facts(resp) -> PageFacts:
    """The facts of a side response's HTML (the search results page), kept on the
    response like ``page_facts``."""
    f = resp.__dict__.get("facts")
    if f is None:
        f = PageFacts(resp.tree, resp.url, html=resp.parsed_text, fetched_on=None,
                      truncated=bool(resp.truncated), parse_capped=resp.parse_capped)
        resp.__dict__["facts"] = f
    return f


def rendered_facts(page) -> PageFacts | None:
    """The facts of the page's rendered DOM, or None when it was not rendered (or the
    render failed). Links of the rendered DOM are not extracted (the probes read links from
    the static page)."""
    r = page.rendered
    if r is None or not r.dom:
        return None
    f = r.__dict__.get("facts")
    if f is None:
        f = PageFacts(r.tree, page.url, html=r.parsed_dom, links=[],
                      fetched_on=_fetched_on(page), parse_capped=r.parse_capped)
        r.__dict__["facts"] = f
    return f
