"""The probe contract: findings, evidence, and the registry.

A probe is a pure function from captured artifacts (``crawler.artifacts.SiteCapture``) to one
``Finding``. It never touches the network or the browser: the crawler gathers what the probe
declares in ``requires`` and the probe judges it. Probes can therefore be re-run on stored
captures, tested on saved pages and explained.

Shape (after Lighthouse audits and 18F domain-scan scanners): one module per indicator in
``probes/``, each defining ``PROBE = Probe(id=..., version=..., requires=..., judge=...)``.
``run_probe`` wraps ``judge`` so that an exception becomes an ``error`` finding with its cause:
one broken probe never sinks a site's scan and never turns into a silent ``fail``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import traceback
from copy import deepcopy
from dataclasses import asdict, dataclass, field, is_dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from crawler.artifacts import BROWSER_ARTIFACTS, Artifact, Follow, Hints  # noqa: F401 - vocabulary

from . import catalogue

if TYPE_CHECKING:  # pragma: no cover
    from crawler.artifacts import SiteCapture


class Status(StrEnum):
    """The closed set of finding statuses (indicators.md)."""

    PASS = "pass"  # the UN rule is met
    FAIL = "fail"  # the UN rule is not met
    WARN = "warn"  # met, but with a defect worth fixing, or only weak evidence
    ERROR = "error"  # could not be judged (network failure, crash): never a silent fail
    MANUAL = "manual"  # needs a person (login-only features, search-engine results)
    NOT_APPLICABLE = "not_applicable"


DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def data_file(name: str) -> dict:
    """The parsed ``probes/data/<name>.toml``, read once per process and shared: callers
    copy before they change anything in it."""
    with open(DATA_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


SNIPPET_MAX = 2000  # characters of HTML/text kept per evidence item


def _cap(text: str, limit: int = SNIPPET_MAX) -> str:
    if text and len(text) > limit:
        return text[:limit] + f"… [{len(text) - limit} more characters]"
    return text or ""


def _plain(v: Any) -> Any:
    """A copy of ``v`` as ``dataclasses.asdict`` makes it (containers copied, dataclasses
    turned into dicts), without its deep copy of every string and number: a finding's
    evidence is written for every target, and asdict was a tenth of the crawl's own CPU."""
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, dict):
        return type(v)((_plain(k), _plain(x)) for k, x in v.items())
    if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
        return type(v)(_plain(x) for x in v)
    if is_dataclass(v) and not isinstance(v, type):
        return asdict(v)
    return deepcopy(v)


@dataclass(frozen=True)
class Evidence:
    """One thing an auditor can look at to check (or dispute) a finding."""

    url: str  # where it was seen
    kind: str  # element | link | header | redirect | certificate | text | date | message |
    #            request | screenshot | form | file ...
    snippet: str = ""  # HTML or text as seen (capped)
    selector: str = ""  # CSS selector of the element, when there is one
    message: str = ""  # what this item shows, in words
    data: dict[str, Any] = field(default_factory=dict)  # structured facts (status, dates...)

    def __post_init__(self):
        object.__setattr__(self, "snippet", _cap(self.snippet))

    def to_dict(self) -> dict[str, Any]:
        d = {"url": self.url, "kind": self.kind, "snippet": self.snippet,
             "selector": self.selector, "message": self.message, "data": _plain(self.data)}
        return {k: v for k, v in d.items() if v not in ("", {}, None) or k in ("url", "kind")}


@dataclass(frozen=True)
class Message:
    """One thing a probe says to people: a message id, its parameters, the English text."""

    id: str
    params: dict[str, Any]
    text: str


class UIStrings:
    """The user-facing words of one probe module, in one block (Lighthouse's ``UIStrings``):
    message id -> English template with ``{named}`` parameters. ``UI("pass", vendor=v)``
    gives a ``Message``; a ``Finding`` built with it stores the English text as ``summary``
    and the id + parameters in ``message``, so a report can render it in Uzbek or Russian
    from its own catalogues. Ids are namespaced by the probe: ``"chatbot.pass"``.

        UI = UIStrings("chatbot", {"pass": "A chat widget is present: {vendors}."})
        Finding("chatbot", Status.PASS, url, UI("pass", vendors="JivoChat"))
    """

    def __init__(self, namespace: str, strings: dict[str, str]):
        self.namespace = namespace
        self.strings = dict(strings)

    def __call__(self, key: str, **params: Any) -> Message:
        template = self.strings[key]  # a KeyError here is a probe bug: run_probe reports it
        return Message(f"{self.namespace}.{key}", params, template.format(**params))

    def text(self, key: str, **params: Any) -> str:
        """The English text alone (for evidence messages and notes)."""
        return self(key, **params).text


# --- details shapes ---------------------------------------------------------------------
#
# ``Finding.details`` holds machine facts (numbers, flags, lists) for JSON consumers; a value
# that people should read as a table, a list or counts is wrapped in one of these typed
# blocks (after Lighthouse's audit ``details`` types), and the report renders each type
# the same way everywhere instead of guessing from the data's shape.

def table(items: list[dict[str, Any]], headings: Iterable[str] | None = None,
          title: str = "") -> dict[str, Any]:
    """Rows with named columns. ``headings`` are item keys, in order (default: every key
    with a plain value, in first-seen order)."""
    items = list(items)
    if headings is None:
        cols: list[str] = []
        for r in items:
            cols += [k for k, v in r.items() if k not in cols and
                     (v is None or isinstance(v, (str, int, float, bool)))]
        headings = cols
    return {"type": "table", "title": title, "headings": list(headings), "items": items}


def bullets(values: Iterable[Any], title: str = "") -> dict[str, Any]:
    """A plain list of values (URLs, names)."""
    return {"type": "list", "title": title, "items": list(values)}


def counts(mapping: dict[str, int], title: str = "") -> dict[str, Any]:
    """Labelled counts (most common first as given)."""
    return {"type": "counts", "title": title, "items": dict(mapping)}


DETAIL_TYPES = ("table", "list", "counts")


def is_block(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in DETAIL_TYPES and "items" in value


@dataclass
class Finding:
    """The judgement of one indicator on one target (or one URL)."""

    indicator: str
    status: Status
    url: str
    summary: "str | Message"  # a Message from the probe's UIStrings, kept as its English text
    evidence: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    decree: str = ""
    un_code: str = ""
    probe_version: str = ""
    found_at: str = ""
    # {"id": "search.pass", "params": {...}}: the summary as a message id and its parameters,
    # so the report can say it in the reader's language ({} for a plain-text summary)
    message: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.status = Status(self.status)
        if isinstance(self.summary, Message):
            self.message = {"id": self.summary.id, "params": self.summary.params}
            self.summary = self.summary.text
        ind = catalogue.get(self.indicator)
        self.decree = self.decree or ind.decree
        self.un_code = self.un_code or ind.un_code
        self.found_at = self.found_at or dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds")

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "status": str(self.status),
            "url": self.url,
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "details": self.details,
            "decree": self.decree,
            "un_code": self.un_code,
            "probe_version": self.probe_version,
            "found_at": self.found_at,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        ev = [Evidence(**e) for e in d.get("evidence", [])]
        return cls(d["indicator"], Status(d["status"]), d["url"], d["summary"], ev,
                   d.get("details") or {}, d.get("decree", ""), d.get("un_code", ""),
                   d.get("probe_version", ""), d.get("found_at", ""),
                   d.get("message") or {})


@dataclass
class Context:
    """What a probe may know besides the artifacts."""

    now: dt.date = field(default_factory=dt.date.today)  # "today" for freshness rules
    options: dict[str, Any] = field(default_factory=dict)  # e.g. exercise_post_search


Judge = Callable[["SiteCapture", Context], Finding]


@dataclass(frozen=True)
class Probe:
    id: str  # canonical indicator id
    version: str  # bump when the rule changes: stored with every finding
    requires: frozenset[Artifact]
    judge: Judge
    description: str = ""  # the rule, in one paragraph (defaults to judge's docstring)
    # gathered when possible (and not --no-render); their absence or failure never makes the
    # finding an error - the probe judges without them and says so in details
    optional: frozenset[Artifact] = frozenset()
    # what the capture should pay attention to for this probe (sections to fetch first,
    # elements whose boxes to record, page globals): see ``crawler.artifacts.Hints``
    hints: Hints = Hints()

    @property
    def needs_browser(self) -> bool:
        return bool((self.requires | self.optional) & BROWSER_ARTIFACTS)

    @property
    def rule(self) -> str:
        return self.description or (self.judge.__doc__ or "").strip()


# --- which pages a probe reads -------------------------------------------------------------

def pages_in_reach(site: "SiteCapture", tables: Iterable[str] = ()) -> tuple[list, list]:
    """(near, rest) - the pages a site-level probe reads first, and the others.

    ``near``: the home page, the pages one click away that the capture fetched for the
    probes (``site.linked``), and the crawled pages the home page links to under one of
    ``tables`` (the probe's own ``Follow`` sections: a link text or path of that keyword
    table). ``rest``: every other HTML page of the capture. A site-level indicator (a search
    box, a chat widget, the contacts, an appeal form, a fresh date in the news list) is
    decided on ``near`` alone: what a visitor finds from the home page and its menus. The
    ``rest`` (news items, deep pages the crawl reached for the page-level probes) is never
    read for a site-level indicator - before issue 14 a probe that found nothing near read
    every page too, so a failing site cost a full read of 30 pages by every probe, for a
    feature no visitor would find. Each final URL once, the home page first. (Read once
    per capture and set of tables: 22 probes ask.)"""
    from pageread.facts import site_memo

    tables = tuple(tables)
    near, rest = site_memo(site, "pages_in_reach:" + ",".join(tables),
                           lambda s: _pages_in_reach(s, tables))
    return list(near), list(rest)


def _pages_in_reach(site: "SiteCapture", tables: tuple[str, ...]) -> tuple[list, list]:
    from pageread.words import may_name_section, menu_link

    pages = site.html_pages(linked=True)
    if not pages:
        return [], []
    home = pages[0]
    wanted: set[str] = set()
    if tables:
        for lk in home.links:
            if lk.in_scope and may_name_section(tables, lk.text, lk.url) and \
                    any(menu_link(t, lk.text, lk.url, 6) for t in tables):
                wanted.add(lk.url.rstrip("/"))
    near, rest = [home], []
    for p in pages[1:]:
        if p.role == "linked" or p.url.rstrip("/") in wanted or \
                p.response.requested_url.rstrip("/") in wanted:
            near.append(p)
        else:
            rest.append(p)
    return near, rest


def judge_in_reach(site: "SiteCapture", tables: Iterable[str],
                   judge_pages: Callable[[list], "Finding"], rendered: bool = False,
                   side: Iterable[str] = ()) -> "Finding":
    """``judge_pages(near)`` (see ``pages_in_reach``): ``details.pages_read`` says so and
    ``details.pages_checked`` how many pages that is (unless the probe set it);
    ``details.capped_pages``
    the pages read that hit a size cap (``note_caps``; ``rendered``: the probe reads the
    rendered DOMs too; ``side``: and these ``site.side`` responses, e.g. the search results
    page)."""
    near, rest = pages_in_reach(site, tables)
    finding = judge_pages(near)
    finding.details["pages_read"] = "home and one click away"
    finding.details.setdefault("pages_checked", len(near))
    note_caps(finding, near, rendered,
              responses=[site.side[k] for k in side if k in site.side])
    return finding


def near_pages(site: "SiteCapture", tables: Iterable[str] = ()) -> list:
    """The pages a site-level indicator reads: ``pages_in_reach(site, tables)``'s near - the
    home page, the pages fetched one click away for the probes, and the crawled pages the
    home page links to under ``tables``."""
    return pages_in_reach(site, tables)[0]


def in_reach(tables: Iterable[str], judge_pages: Callable[..., "Finding"],
             rendered: bool = False, side: Iterable[str] = ()) -> Judge:
    """A probe's ``judge`` that reads the pages in reach: ``judge_pages(site, ctx, pages)``
    through ``judge_in_reach`` (``rendered``, ``side``: what else it reads, for the cap
    note); its rule (docstring) is ``judge_pages``' with the reading rule after it."""
    tables, side = tuple(tables), tuple(side)

    def judge(site: "SiteCapture", ctx: Context) -> "Finding":
        return judge_in_reach(site, tables, lambda pages: judge_pages(site, ctx, pages),
                              rendered, side)

    # the judge belongs to the probe's module (the report finds its UI block through it)
    judge.__module__, judge.__qualname__ = judge_pages.__module__, "judge"
    judge.__doc__ = (judge_pages.__doc__ or "").rstrip() + (
        "\n\nPages read: the home page and the pages one click away (its sections).")
    return judge


def note_caps(finding: "Finding", pages: Iterable, rendered: bool = False,
              text: bool = True, responses: Iterable = ()) -> None:
    """Make a size cut visible: the pages among ``pages`` (static HTML, and with
    ``rendered`` their rendered DOMs; then the side ``responses`` read, as parsed) that hit
    a cap of ``pageread.facts`` (a 10 MB page, a 100k-node DOM, 5,000+ links, a huge text;
    the text caps only with ``text``, for a probe that reads text) go into
    ``details.capped_pages``, each with the caps it hit and what they mean. The finding was
    judged on what fits."""
    from crawler.artifacts import MAX_LINKS, MAX_PARSE_CHARS, MAX_PARSE_TAGS
    from pageread.facts import MAX_FORMS, MAX_TEXT_CHARS, MAX_TEXT_NODES, page_facts, \
        rendered_facts, response_facts

    limits = {"body": "", "parse": f"{MAX_PARSE_CHARS:,}", "nodes": f"{MAX_PARSE_TAGS:,}",
              "links": f"{MAX_LINKS:,}", "forms": f"{MAX_FORMS:,}",
              "text": f"{MAX_TEXT_NODES:,} / {MAX_TEXT_CHARS:,}"}
    read = []
    for p in pages:
        read.append((p.url, "html", page_facts(p)))
        if rendered:
            read.append((p.url, "rendered", rendered_facts(p)))
    read += [(r.url, "response", response_facts(r)) for r in responses if r.is_html]
    rows = []
    for url, dom, fx in read:
        caps = fx.caps(text) if fx is not None else []
        if caps:
            rows.append({"url": url, "dom": dom, "capped": ", ".join(caps),
                         "note": "; ".join(CAPS_UI.text("cap_" + c, limit=limits[c])
                                           for c in caps)})
    if rows:
        finding.details["capped_pages"] = table(rows[:5], headings=["url", "dom", "capped",
                                                                   "note"],
                                                title=CAPS_UI.text("title_capped"))


# what run_probe itself says (the causes' own sentences are crawler.causes.EXPLANATIONS;
# their message id is "cause.<cause>" with the low-level detail as parameter)
UI = UIStrings("run", {
    "not-rendered": "The {probe} probe needs a rendered page ({missing}) and none was "
                    "rendered in this run (--no-render, or no browser).",
    "not-captured": "The {probe} probe needs {missing}, which this capture does not hold (it "
                    "was captured for other probes).",
    "crashed": "The {probe} probe crashed: {error}",
})

# what ``note_caps`` writes into a finding's details (big pages: judged on the part that
# fits, never silently); English text in details, not a message of its own
CAPS_UI = UIStrings("caps", {
    "title_capped": "Pages judged only in part (too big)",
    "cap_body": "the body was cut at the download size limit",
    "cap_parse": "only the first {limit} characters were parsed",
    "cap_nodes": "only the first {limit} elements were parsed",
    "cap_links": "only the first {limit} links were read",
    "cap_text": "only the first {limit} text nodes or characters of text were read",
    "cap_forms": "only the first {limit} forms were read",
})


def error_finding(indicator: str, url: str, cause: str, message: "str | Message",
                  version: str = "", **details: Any) -> Finding:
    """A finding that could not be judged. ``cause`` is a short machine word
    (a fetch failure cause, ``probe-crashed``...), ``message`` a sentence for people (or a
    ``Message``)."""
    text = message.text if isinstance(message, Message) else message
    return Finding(indicator, Status.ERROR, url, message,
                   [Evidence(url, "message", message=text)],
                   {"cause": cause, **details}, probe_version=version)


def run_probe(probe: Probe, site: "SiteCapture", ctx: Context | None = None) -> Finding:
    """Run one probe; never raises. The gate, in order: a site whose start page (or a
    required artifact) could not be fetched gives ``error`` with the fetch cause (nothing to
    judge is not a fail); a required artifact this capture does not hold gives ``error``
    ``not-captured``; a crash gives ``error`` ``probe-crashed`` with the traceback's last
    line. The finding is stamped with the probe's id and version, and its element evidence
    is tied to the box of that element on the rendered page's screenshot (``attach_boxes``),
    so the report can show it outlined without another browser visit."""
    ctx = ctx or Context()
    url = site.start_url
    fatal = site.fatal_error(probe.requires)
    if fatal is not None:
        msg = Message(f"cause.{fatal.cause}", {"detail": fatal.detail}, fatal.message)
        return error_finding(probe.id, url, fatal.cause, msg, probe.version)
    missing = sorted(str(a) for a in probe.requires if str(a) not in site.gathered)
    if missing:
        key = "not-rendered" if set(missing) <= {str(a) for a in BROWSER_ARTIFACTS} \
            else "not-captured"
        return error_finding(probe.id, url, "not-captured",
                             UI(key, probe=probe.id, missing=", ".join(missing)),
                             probe.version)
    try:
        finding = probe.judge(site, ctx)
        if finding.indicator != probe.id:
            raise ValueError(f"judge returned a finding for {finding.indicator!r}")
        attach_boxes(finding, site)
    except Exception as exc:  # noqa: BLE001 - the contract: a crash is an error finding
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return error_finding(probe.id, url, "probe-crashed",
                             UI("crashed", probe=probe.id, error=tb), probe.version,
                             traceback=traceback.format_exc(limit=6))
    finding.probe_version = probe.version
    return finding


def judge_site(probes: Iterable[Probe], site: "SiteCapture", ctx: Context) -> list:
    """Every probe on one capture (``run_probe`` never raises: a broken probe is an
    ``error`` finding, the others still judge). Here, not in ``govscan.pipeline``, so that
    a judging process imports no fetcher (httpx and its friends: a fifth of a second)."""
    return [run_probe(p, site, ctx) for p in probes]


PICTURES_PER_FINDING = 4


def attach_boxes(finding: Finding, site: "SiteCapture",
                 limit: int = PICTURES_PER_FINDING) -> int:
    """Evidence pictures, as data: an evidence item that names an element (``selector``) on
    a page that was rendered with a screenshot, and whose box the browser recorded
    (``Rendered.boxes``), gets ``data["screenshot"]`` (the screenshot's path under the
    captures root) and ``data["box"]`` ([x, y, width, height] in its CSS px). At most
    ``limit`` items per finding, each element once. Returns how many."""
    shots: dict[str, Any] = {}
    for p in site.pages:
        r = p.rendered
        if r is not None and r.error is None and r.screenshot and r.boxes:
            shots.setdefault(p.url, r)
            shots.setdefault(r.url, r)
    if not shots:
        return 0
    seen: set[tuple[str, str]] = set()
    n = 0
    for e in finding.evidence:
        sel = e.selector or str((e.data or {}).get("selector") or "")
        r = shots.get(e.url)
        if not sel or r is None or (e.url, sel) in seen or sel not in r.boxes:
            continue
        seen.add((e.url, sel))
        e.data["screenshot"] = r.screenshot
        e.data["box"] = list(r.boxes[sel])
        n += 1
        if n >= limit:
            break
    return n


# --- the registry -------------------------------------------------------------------------
#
# Every module of this package except the two below is a probe: it defines ``PROBE``, or -
# for a family of indicators judged by one shared rule (the login-only ones) - ``PROBES``, a
# tuple of ``Probe``s. The registry imports them all; a module that fails to import, defines
# neither (or both), or names an id the catalogue does not know stops the registry with an
# error (never a silently skipped indicator).

NOT_PROBES = frozenset({"base", "catalogue"})


class ProbeDefinitionError(RuntimeError):
    """A module in probes/ is not a valid probe (no PROBE, unknown or repeated id)."""


_REGISTRY: dict[str, Probe] | None = None


def discover(folder=None, package: str = "probes") -> dict[str, Probe]:
    """Import every probe module of ``folder`` (default: this package); see the comment
    above."""
    import importlib
    import pkgutil

    folder = Path(folder or Path(__file__).parent)
    found: dict[str, Probe] = {}
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if info.name in NOT_PROBES or info.ispkg:
            continue
        mod = importlib.import_module(f"{package}.{info.name}" if package else info.name)
        for probe in _module_probes(mod, info.name):
            try:
                catalogue.get(probe.id)
            except KeyError as exc:
                raise ProbeDefinitionError(f"probes/{info.name}.py: {exc.args[0]}") from None
            if probe.id in found:
                raise ProbeDefinitionError(f"probes/{info.name}.py: indicator {probe.id!r} "
                                           f"has two probes")
            found[probe.id] = probe
    return found


def _module_probes(mod, name: str) -> tuple[Probe, ...]:
    """A module's probes: ``(PROBE,)``, or its ``PROBES`` family (a non-empty tuple of
    ``Probe``); a module with neither, or with both, is refused."""
    probe, family = getattr(mod, "PROBE", None), getattr(mod, "PROBES", None)
    if family is not None:
        if probe is not None:
            raise ProbeDefinitionError(f"probes/{name}.py defines both PROBE and PROBES")
        if not (isinstance(family, tuple) and family
                and all(isinstance(p, Probe) for p in family)):
            raise ProbeDefinitionError(f"probes/{name}.py: PROBES must be a non-empty tuple "
                                       f"of Probe(...)")
        return family
    if not isinstance(probe, Probe):
        raise ProbeDefinitionError(f"probes/{name}.py defines no PROBE = Probe(...)")
    return (probe,)


def registry() -> dict[str, Probe]:
    """All probes, keyed by indicator id, in catalogue order."""
    global _REGISTRY
    if _REGISTRY is None:
        found = discover()
        _REGISTRY = {i.id: found[i.id] for i in catalogue.INDICATORS if i.id in found}
    return _REGISTRY


def select(ids: Iterable[str]) -> list[Probe]:
    """Probes for ``ids``; ``all`` means every registered probe."""
    reg = registry()
    ids = list(ids)
    if not ids or "all" in ids:
        return list(reg.values())
    out = []
    for i in ids:
        if i not in reg:
            catalogue.get(i)  # raises for an unknown id
            raise KeyError(f"indicator {i!r} has no automated probe yet")
        out.append(reg[i])
    return out


def required_artifacts(probes: Iterable[Probe], render: bool = True) -> frozenset[Artifact]:
    """What the crawler must gather for ``probes``: the union of their requirements and
    optional wishes; without ``render`` every browser artifact is left out."""
    out: set[Artifact] = {Artifact.PAGES}
    for p in probes:
        out |= p.requires | p.optional
    if not render:
        out -= BROWSER_ARTIFACTS
    return frozenset(out)


def hints_for(probes: Iterable[Probe]) -> Hints:
    """What the capture should pay attention to for ``probes``: their merged hints."""
    return Hints.merge(p.hints for p in probes)
