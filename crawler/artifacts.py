"""What the crawler captures: the artifacts probes judge.

Data flows one way: targets -> captures (this module) -> findings -> store -> report.
Everything here is plain data that round-trips through ``to_dict``/``from_dict`` (JSON), so a
capture stored in SQLite can be judged again later. Parsed views (the lexbor tree, the link
list) are computed lazily and cached, so ten probes looking at one page parse it once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple
from urllib.parse import urljoin, urlsplit

from .causes import Cause, FetchError, status_failure

if TYPE_CHECKING:  # pragma: no cover
    from selectolax.lexbor import LexborHTMLParser

    from .targets import Target


class Artifact(StrEnum):
    """What a probe can ask the crawler to gather. The crawler gathers the union of what the
    selected probes require, and renders a page only when some probe requires a rendered
    artifact (``RENDERED`` and everything marked browser below)."""

    PAGES = "pages"  # static HTML of the crawled pages (home first), with headers
    ENDPOINTS = "endpoints"  # http/https x bare/www of the start host, with redirects and TLS
    ROBOTS = "robots"  # robots.txt
    SITEMAPS = "sitemaps"  # XML sitemaps (robots Sitemap: lines, usual paths, indexes, .gz)
    LINKED = "linked"  # pages one click from the home page, fetched statically
    SEARCH_QUERY = "search_query"  # a one-word query sent through the site's GET search form
    RENDERED = "rendered"  # browser: rendered DOM, console, network log, screenshot
    AXE = "axe"  # browser: axe-core results
    MOBILE = "mobile"  # browser: measurements at 360/414 px wide viewports
    ENGINES = "engines"  # browser: home + inner pages in every available engine
    VNU = "vnu"  # Nu HTML Checker messages for each page as served
    CSS = "css"  # CSS validation of every style sheet a page uses
    LEGACY = "legacy"  # the target's pre-2025 domains, fetched with their redirects
    # i10-content: browser: the home page's version for the visually impaired switched on,
    # its look before/after (``Rendered.extra["a11y_mode"]``, crawler.browser.a11y_mode)
    A11Y_MODE = "a11y_mode"


BROWSER_ARTIFACTS = frozenset({Artifact.RENDERED, Artifact.AXE, Artifact.MOBILE,
                               Artifact.ENGINES, Artifact.A11Y_MODE})
# the artifacts read from the crawled pages: nothing of them can be judged when the start
# page could not be fetched (``SiteCapture.fatal_error``)
PAGE_BASED = frozenset({Artifact.PAGES, Artifact.LINKED, Artifact.SEARCH_QUERY,
                        Artifact.VNU, Artifact.CSS}) | BROWSER_ARTIFACTS



# the most characters of one page's text (static body or rendered DOM) given to the HTML
# parser: a 10 MB page is judged on its first 4 million characters (issue 12, "Memory";
# pageread/facts.py caps what probes scan inside it); Page.parse_capped says it was cut
MAX_PARSE_CHARS = 4_000_000
# the most start tags given to the parser (the DOM size cap): a 100k-node page is judged on
# its first 50,000 elements (an ordinary page has 1-5 thousand, a long archive 20 thousand)
MAX_PARSE_TAGS = 50_000
# the most links read from one page (crawler frontier and probes alike)
MAX_LINKS = 5_000
_START_TAG = re.compile(r"<[A-Za-z]")


def parse_cut(text: str) -> tuple[str, str]:
    """(the part of ``text`` given to the HTML parser, why it was cut): at most
    ``MAX_PARSE_CHARS`` characters ("chars") and, within them, the source before the
    ``MAX_PARSE_TAGS``+1-th start tag ("tags"); "" when the whole text is parsed. The cut is
    never silent: ``Page.parse_capped`` / ``Rendered.parse_capped`` carry it and the probes
    put it in their findings' details (``pageread.facts.PageFacts.capped``)."""
    why = ""
    if len(text) > MAX_PARSE_CHARS:
        text, why = text[:MAX_PARSE_CHARS], "chars"
    if text.count("<") > MAX_PARSE_TAGS:  # cheap: most pages stop here
        for n, m in enumerate(_START_TAG.finditer(text)):
            if n == MAX_PARSE_TAGS:
                return text[:m.start()], "tags"
    return text, why

@dataclass(frozen=True)
class Follow:
    """Follow links to the section a keyword table of ``pageread/data/words.toml`` names
    (a menu item whose text has a word of the table, or whose last path segment is one),
    before other links; ``linked`` also fetches them one click from the start page
    (``Artifact.LINKED``). ``weight`` orders the sections (higher first)."""

    table: str
    weight: float
    linked: bool = False


@dataclass(frozen=True)
class Hints:
    """What a probe asks the capture to pay attention to, besides its artifacts. Probes
    declare them (``Probe.hints``); the pipeline merges the hints of the selected probes and
    hands them to the gatherers (``CaptureOptions.hints``), so a gatherer never reads a
    probe.

    * ``follow`` - sections worth fetching first / one click away (``Follow``);
    * ``boxes`` - CSS queries of elements a finding may cite: on every rendered page the
      browser records the box of each matching element (``Rendered.boxes``), from which the
      report cuts the outlined evidence picture;
    * ``page_globals`` - ``window`` properties whose presence the browser records
      (``Rendered.globals``: chat vendors' loaders);
    * ``launcher_words`` - words of a visible launcher button the browser looks for
      (``Rendered.extra["launchers"]``).
    """

    follow: tuple[Follow, ...] = ()
    boxes: tuple[str, ...] = ()
    page_globals: tuple[str, ...] = ()
    launcher_words: tuple[str, ...] = ()

    @classmethod
    def merge(cls, many: Iterable["Hints"]) -> "Hints":
        """The union of several probes' hints (order kept, duplicates dropped; for a table
        followed twice the higher weight wins and ``linked`` if any asks)."""
        follow: dict[str, Follow] = {}
        boxes: dict[str, None] = {}
        globs: dict[str, None] = {}
        words: dict[str, None] = {}
        for h in many:
            for f in h.follow:
                old = follow.get(f.table)
                follow[f.table] = f if old is None else Follow(
                    f.table, max(f.weight, old.weight), f.linked or old.linked)
            boxes.update(dict.fromkeys(h.boxes))
            globs.update(dict.fromkeys(h.page_globals))
            words.update(dict.fromkeys(h.launcher_words))
        return cls(tuple(follow.values()), tuple(boxes), tuple(globs), tuple(words))


def utcnow() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Hop:
    """One response in a redirect chain (every hop before the final response)."""

    url: str
    status: int
    location: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def to_dict(self):
        return {"url": self.url, "status": self.status, "location": self.location,
                "headers": self.headers}


@dataclass
class TLSInfo:
    """Facts about the TLS connection and the server certificate of an https response.

    ``verified`` is the result of normal chain + hostname + date validation against the
    trust store in use; ``verify_error`` says why it failed. The certificate fields are read
    even when verification failed (a second, non-verifying handshake), so an auditor sees
    *which* certificate was served.

    When the fetcher's own (TLS >= 1.2, modern ciphers) handshake failed, ``version`` and
    ``cipher`` are what the server negotiates with a permissive client that only reads
    them (``crawler.fetch.tls``), ``failure`` names why the fetcher's handshake failed -
    ``protocol`` (the server offers no TLS >= 1.2), ``key-exchange`` (no cipher/key
    exchange a modern client accepts), ``certificate`` or ``handshake`` (anything else) -
    and ``cert_problem`` names what is wrong with the certificate, when something is:
    ``expired``, ``not-yet-valid``, ``wrong-host``, ``self-signed``, ``untrusted``,
    ``revoked``, ``weak`` or ``other``. ``verified`` stays the certificate's verdict: a
    server that speaks only TLS 1.0 with a valid certificate is ``verified`` with
    ``failure="protocol"``.
    """

    verified: bool
    verify_error: str = ""
    version: str = ""  # e.g. TLSv1.3
    cipher: str = ""
    subject: str = ""
    issuer: str = ""
    sans: list[str] = field(default_factory=list)
    not_before: str = ""  # ISO 8601
    not_after: str = ""  # ISO 8601
    self_signed: bool = False
    failure: str = ""  # i14-https: why the fetcher's own handshake failed (see above)
    cert_problem: str = ""  # i14-https: what is wrong with the certificate (see above)

    def days_left(self, today: dt.date) -> int | None:
        if not self.not_after:
            return None
        return (dt.date.fromisoformat(self.not_after[:10]) - today).days

    def to_dict(self):
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d):
        return cls(**d) if d else None


@dataclass
class Response:
    """One fetch: the URL asked for, every redirect hop, and the final answer (or the error).

    ``headers`` keys are lower-case; repeated headers are joined with ", " except
    ``set-cookie`` and ``strict-transport-security`` (joined with "\\n": only the first
    HSTS field counts, RFC 6797 section 8.1). ``text`` is the body decoded with ``encoding``
    (from the Content-Type header, a BOM, ``<meta charset>``, else detected).
    """

    requested_url: str
    url: str = ""  # final URL after redirects
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[Hop] = field(default_factory=list)
    body: bytes = b""
    encoding: str = ""
    elapsed_ms: float = 0.0
    fetched_at: str = field(default_factory=utcnow)
    error: FetchError | None = None
    truncated: bool = False
    tls: TLSInfo | None = None
    ip: str = ""

    def __post_init__(self):
        self.url = self.url or self.requested_url

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        ct = self.content_type
        return ct in ("text/html", "application/xhtml+xml") or (
            not ct and self.body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")))

    @cached_property
    def text(self) -> str:
        if not self.body:
            return ""
        return self.body.decode(self.encoding or "utf-8", errors="replace")

    @property
    def parsed_text(self) -> str:
        """The part of an HTML body given to the parser (the caps of ``parse_cut``)."""
        return parse_cut(self.text)[0] if self.is_html else ""

    @property
    def parse_capped(self) -> str:
        """Why only the start of the body was parsed ("chars", "tags"; "" = all of it)."""
        return parse_cut(self.text)[1] if self.is_html else ""

    @cached_property
    def tree(self) -> "LexborHTMLParser":
        """A side response's HTML (a search results page), parsed once within the caps."""
        from selectolax.lexbor import LexborHTMLParser

        return LexborHTMLParser(self.parsed_text or "<html></html>")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, without the body (stored separately, compressed)."""
        return {
            "requested_url": self.requested_url, "url": self.url, "status": self.status,
            "headers": self.headers, "redirects": [h.to_dict() for h in self.redirects],
            "encoding": self.encoding, "elapsed_ms": self.elapsed_ms,
            "fetched_at": self.fetched_at,
            "error": self.error.to_dict() if self.error else None,
            "truncated": self.truncated, "tls": self.tls.to_dict() if self.tls else None,
            "ip": self.ip,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], body: bytes = b"") -> "Response":
        return cls(
            requested_url=d["requested_url"], url=d.get("url", ""), status=d.get("status"),
            headers=d.get("headers") or {},
            redirects=[Hop(**h) for h in d.get("redirects") or []], body=body,
            encoding=d.get("encoding", ""), elapsed_ms=d.get("elapsed_ms", 0.0),
            fetched_at=d.get("fetched_at", ""), error=FetchError.from_dict(d.get("error")),
            truncated=d.get("truncated", False), tls=TLSInfo.from_dict(d.get("tls")),
            ip=d.get("ip", ""))


class Link(NamedTuple):
    """One link of a page. A named tuple: a capture's ~1,000 links go to the judging process
    with every target, and tuples pickle in C (a frozen dataclass with a ``__reduce__``
    took 3.4 of the 4.3 ms a 30-page capture's pickle cost, issue 14)."""

    url: str  # absolute, fragment removed
    text: str  # visible text (or aria-label/title/alt of an image inside)
    rel: str = ""
    in_scope: bool = True


@dataclass
class NetRequest:
    """One request the browser made while rendering a page (the network log)."""

    url: str
    resource_type: str = ""  # document, script, stylesheet, image, xhr, fetch, font...
    method: str = "GET"
    status: int | None = None
    failure: str = ""
    frame_url: str = ""
    # why govscan refused the request ("private-address", "bad-url"; "" when it did not) -
    # the browser's SSRF guard, crawler.browser.guard (issue 12)
    cause: str = ""


@dataclass
class Rendered:
    """A page after the browser ran it. Filled by the browser gatherers (crawler.browser)."""

    url: str  # final URL in the browser
    dom: str = ""  # document.documentElement.outerHTML after load + settle
    title: str = ""
    console_errors: list[str] = field(default_factory=list)  # console.error + page errors
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions
    network: list[NetRequest] = field(default_factory=list)
    screenshot: str = ""  # path of a full-page PNG, relative to the capture directory
    axe: dict[str, Any] | None = None  # axe-core results (violations/incomplete/passes...)
    mobile: dict[str, Any] | None = None  # responsive measurements per viewport width
    globals: list[str] = field(default_factory=list)  # known window globals present
    frames: list[str] = field(default_factory=list)  # URLs of (i)frames in the page
    shadow_hosts: list[str] = field(default_factory=list)  # selectors of open shadow roots
    engines: dict[str, Any] = field(default_factory=dict)  # browser-compat per engine
    extra: dict[str, Any] = field(default_factory=dict)  # probe-specific measurements
    # selector -> [x, y, width, height] in CSS px of the full-page screenshot, for the
    # elements the probes' ``Hints.boxes`` name (and axe's nodes): evidence pictures are cut
    # from the screenshot with these, never re-rendered
    boxes: dict[str, list[float]] = field(default_factory=dict)
    error: FetchError | None = None

    @property
    def parsed_dom(self) -> str:
        """The part of the DOM that is parsed (the caps of ``parse_cut``)."""
        return parse_cut(self.dom or "")[0]

    @property
    def parse_capped(self) -> str:
        """Why only the start of the DOM was parsed ("chars", "tags"; "" = all of it)."""
        return parse_cut(self.dom or "")[1]

    @cached_property
    def tree(self) -> "LexborHTMLParser":
        """The rendered DOM, parsed once, within the caps of ``parse_cut``."""
        from selectolax.lexbor import LexborHTMLParser

        return LexborHTMLParser(self.parsed_dom or "<html></html>")

    def to_dict(self):
        d = dict(self.__dict__)
        d.pop("tree", None)
        d.pop("facts", None)
        d["network"] = [n.__dict__ for n in self.network]
        d["error"] = self.error.to_dict() if self.error else None
        return d

    @classmethod
    def from_dict(cls, d):
        if not d:
            return None
        d = dict(d)
        d["network"] = [NetRequest(**n) for n in d.get("network") or []]
        d["error"] = FetchError.from_dict(d.get("error"))
        return cls(**d)


def is_vnu_error(m: dict) -> bool:
    """The one rule for "this vnu JSON message is an error": ``type`` "error" (a "fatal"
    subType included) or "non-document-error" (the checker could not read the document)."""
    return m.get("type") in ("error", "non-document-error")


def is_vnu_warning(m: dict) -> bool:
    """The one rule for "this vnu JSON message is a warning": ``type`` "info" with
    ``subType`` "warning"."""
    return m.get("type") == "info" and m.get("subType") == "warning"


@dataclass
class Validation:
    """Messages of a validator (vnu for markup, vnu --css for style sheets) on one document."""

    url: str  # the page or the style sheet (``inline:<page url>#style[n]`` for inline CSS)
    kind: str  # "html" | "css"
    messages: list[dict[str, Any]] = field(default_factory=list)  # vnu's JSON messages
    content_type: str = ""
    error: FetchError | None = None

    @property
    def errors(self) -> list[dict]:
        return [m for m in self.messages if is_vnu_error(m)]

    @property
    def warnings(self) -> list[dict]:
        return [m for m in self.messages if is_vnu_warning(m)]

    def to_dict(self):
        return {"url": self.url, "kind": self.kind, "messages": self.messages,
                "content_type": self.content_type,
                "error": self.error.to_dict() if self.error else None}

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        d["error"] = FetchError.from_dict(d.get("error"))
        return cls(**d)


@dataclass
class Page:
    """One crawled page of a target: the static response, and what was gathered on it."""

    response: Response
    depth: int = 0
    found_from: str = ""  # URL of the page that linked here ("" = seed)
    role: str = "page"  # page | linked (one click from home, outside the crawl budget)
    rendered: Rendered | None = None
    vnu: Validation | None = None
    css: list[Validation] = field(default_factory=list)
    scope: str = ""  # the target's scope prefix, for in_scope on links

    @property
    def url(self) -> str:
        return self.response.url

    @property
    def parsed_text(self) -> str:
        """The part of the body that is parsed: the decoded text of an HTML response within
        the caps of ``parse_cut`` ("" for anything else)."""
        return self.response.parsed_text

    @property
    def parse_capped(self) -> str:
        """Why only the start of the page was parsed: "chars" (longer than
        ``MAX_PARSE_CHARS``), "tags" (more than ``MAX_PARSE_TAGS`` elements); "" = all."""
        return self.response.parse_capped

    @cached_property
    def tree(self) -> "LexborHTMLParser":
        """The static HTML, parsed once (lexbor), within the caps of ``parse_cut``."""
        from selectolax.lexbor import LexborHTMLParser

        return LexborHTMLParser(self.parsed_text or "<html></html>")

    @cached_property
    def links(self) -> list[Link]:
        """The page's links in document order, at most ``MAX_LINKS`` of them
        (``links_capped`` says the page had more)."""
        rows = self.__dict__.pop("_link_rows", None)  # unpickled: see __getstate__
        if rows is not None:
            return [Link._make(r) for r in rows]
        return extract_links(self.tree, self.url, self.scope, limit=MAX_LINKS)

    def __getstate__(self):
        """Pickled with its links (extracted by the crawl, read by the judge) as plain
        tuples: tuples of strings pickle in C, named tuples through a Python call each."""
        st = self.__dict__.copy()
        links = st.pop("links", None)
        if links is not None:
            st["_link_rows"] = [tuple(lk) for lk in links]
        return st

    @property
    def links_capped(self) -> bool:
        """The page has more than ``MAX_LINKS`` links: only the first were read."""
        return len(self.links) >= MAX_LINKS


@lru_cache(maxsize=65536)
def _scope_parts(scope: str) -> tuple[str, int | None, str]:
    s = urlsplit(scope)
    return (s.hostname or "").removeprefix("www."), s.port, s.path.rstrip("/")


@lru_cache(maxsize=262144)
def _url_parts(url: str) -> tuple[str, str, int | None, str] | None:
    try:
        u = urlsplit(url)
        return u.scheme, (u.hostname or "").removeprefix("www."), u.port, u.path
    except ValueError:  # e.g. a bad port number
        return None


def in_scope(url: str, scope: str) -> bool:
    """A URL belongs to a target when it starts with the target's scope prefix
    (scheme-insensitive for http/https, ``www.`` ignored, the prefix ending at a path
    boundary: ``/oz/buxoro`` does not contain ``/oz/buxoro-tumani``). An empty scope
    accepts everything."""
    if not scope:
        return True
    parts = _url_parts(url)
    if parts is None or parts[0] not in ("http", "https"):
        return False
    _, uh, uport, upath = parts
    sh, sport, sp = _scope_parts(scope)
    if uh != sh or uport != sport:  # explicit ports must match; default ports are None
        return False
    return not sp or upath == sp or upath.startswith(sp + "/")


def _link_text(node) -> str:
    text = node.text(deep=True, separator=" ", strip=True)
    if not text:
        attrs = node.attributes
        text = attrs.get("aria-label") or attrs.get("title") or ""
        if not text:
            img = node.css_first("img[alt]")
            text = img.attributes.get("alt") or "" if img else ""
    return " ".join((text or "").split())[:300]


def extract_links(tree, base: str, scope: str = "", limit: int = 0) -> list[Link]:
    """Every ``<a href>`` / ``<area href>`` as an absolute URL without fragment, honouring
    ``<base href>``; javascript:, mailto: and tel: links are kept (probes need tel/mailto).
    At most ``limit`` links (0 = all), the first in document order."""
    base_el = tree.css_first("base[href]")
    if base_el is not None:
        base = urljoin(base, base_el.attributes.get("href") or "")
    out: list[Link] = []
    seen: set[tuple[str, str]] = set()
    b = urlsplit(base)
    origin = f"{b.scheme}://{b.netloc}"
    for node in tree.css("a[href], area[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            # fast paths for the common absolute and root-relative links; urljoin otherwise
            if href.startswith(("https://", "http://")) and "/." not in href:
                absolute = href
            elif href.startswith("/") and not href.startswith("//") and "/." not in href:
                absolute = origin + href
            else:
                absolute = urljoin(base, href)
            absolute = absolute.split("#", 1)[0]
        except ValueError:
            continue
        text = _link_text(node)
        key = (absolute, text)
        if key in seen:
            continue
        seen.add(key)
        out.append(Link(absolute, text, node.attributes.get("rel") or "",
                        in_scope(absolute, scope)))
        if len(out) == limit:
            break
    return out


@dataclass
class SitemapDoc:
    """One XML sitemap document (or index) that was fetched."""

    url: str
    source: str  # robots | well-known | index
    response: Response | None = None
    is_index: bool = False
    urls: list[str] = field(default_factory=list)  # <loc> of urlset (capped)
    url_count: int = 0
    children: list[str] = field(default_factory=list)  # <loc> of sitemapindex
    lastmods: list[str] = field(default_factory=list)  # raw <lastmod> values (capped)
    error: str = ""  # why it is not a valid sitemap ("" = valid)

    def to_dict(self):
        d = dict(self.__dict__)
        d["response"] = self.response.to_dict() if self.response else None
        return d

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        d["response"] = Response.from_dict(d["response"]) if d.get("response") else None
        return cls(**d)


@dataclass
class SiteCapture:
    """Everything captured for one target in one run: the input of every probe."""

    target: "Target"
    pages: list[Page] = field(default_factory=list)  # crawled pages, the start page first
    linked: list[Page] = field(default_factory=list)  # pages one click from home (LINKED)
    endpoints: dict[str, Response] = field(default_factory=dict)  # "https://www" -> Response
    robots: Response | None = None
    sitemaps: list[SitemapDoc] = field(default_factory=list)
    side: dict[str, Response] = field(default_factory=dict)  # e.g. "search_query" -> Response
    legacy: list[Response] = field(default_factory=list)
    gathered: set[str] = field(default_factory=set)  # Artifact values that were gathered
    # Artifact values this capture is to gather (``capture_site`` sets it; not stored): a
    # gatherer may prepare a later one's work (RENDERED readies axe in the tab if AXE follows)
    planned: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)  # visible caps: "page budget 30 reached"
    errors: dict[str, FetchError] = field(default_factory=dict)  # artifact -> why not gathered
    capture_dir: str = ""  # where screenshots of this capture live

    @property
    def start_url(self) -> str:
        return self.target.start_url

    @property
    def home(self) -> Page | None:
        return self.pages[0] if self.pages else None

    def html_pages(self, linked: bool = False) -> list[Page]:
        """Pages that were fetched successfully as HTML, the start page first; with
        ``linked``, then the pages one click away too (each final URL once). Remembered
        until a page is added (two dozen probes ask, each for every capture)."""
        key = (linked, len(self.pages), len(self.linked))
        memo = self.__dict__.get("_html_pages")
        if memo is not None and key in memo:
            return list(memo[key])
        out, seen = [], set()
        for p in (self.all_pages() if linked else self.pages):
            if p.url in seen or not p.response.ok or not p.response.is_html:
                continue
            seen.add(p.url)
            out.append(p)
        self.__dict__["_html_pages"] = {**(memo or {}), key: tuple(out)}
        return out

    def all_pages(self) -> Iterable[Page]:
        yield from self.pages
        yield from self.linked

    def fatal_error(self, requires: Iterable[str]) -> FetchError | None:
        """The reason nothing can be judged for a probe needing ``requires``: the start page
        failed (for page-based probes), or a required artifact was not gathered."""
        requires = set(map(str, requires))
        for a in sorted(requires):
            if a in self.errors and a != "pages":
                return self.errors[a]
        if requires & PAGE_BASED:
            if not self.pages:
                return self.errors.get("pages") or FetchError(Cause.NOT_CAPTURED,
                                                              "no page was captured")
            home = self.pages[0].response
            return home.error or status_failure(home.status, "start page answered HTTP")
        return None
