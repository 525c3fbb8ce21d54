"""Dates on Uzbek government pages, in all the forms seen, and what kind of evidence each is.

Forms understood (research/peers-and-sites.md): ``03/01/2025 17:16``, ``31-01-2023``,
``03.08.2021``, ISO ``2025-01-03`` / ``2025-01-03T17:16:00+05:00``, ``Mart 29, 2022``,
``29 марта 2022``, ``29 март 2022`` (Uzbek Cyrillic), ``29-mart, 2022``, ``2022 yil 29 mart``,
``March 29, 2022``, ``29 March 2022``; ``<time datetime>``; ``<meta property=
"article:modified_time">`` and friends; JSON-LD ``dateModified``/``datePublished``; Next.js
``self.__next_f.push`` / ``__NEXT_DATA__`` payloads (``"date":"2026-05-05 14:25:00"``).

Numeric dates are read day-first (``03/01/2025`` is 3 January), as in Uzbekistan and Russia,
unless the first number cannot be a month's day order (``12/31/2024`` is read month-first).

What a date on a page *is* matters more than the date (indicators.md, last-updated):
* ``stamp`` - next to words saying updated/edited/published ("Date edited:", "Tahrirlangan");
* ``news-item`` - inside a news/article list item or an article's meta line;
* ``meta``, ``jsonld``, ``time``, ``next-payload`` - machine-readable dates;
* ``text`` - any other full date in the visible text;
* rejected: ``today-widget`` - "bugun : 03.08.2021", a clock in the header (words like
  bugun/сегодня/today before it, or a class/id like "today"/"current-date"), never an update;
  copyright years are years, not dates, and are never read as dates at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .facts import SKIP_TAGS
from .selectors import ancestors as _ancestors, css_selector
from .words import fold, keywords

# --- month names ------------------------------------------------------------------------

# (folded prefix, month); matched at a word start and followed by any letters
# (Russian genitive "марта", Uzbek "martda", English abbreviations "Mar.")
_MONTHS: list[tuple[str, int]] = [
    # Uzbek Latin
    ("yanvar", 1), ("fevral", 2), ("mart", 3), ("aprel", 4), ("may", 5), ("iyun", 6),
    ("iyul", 7), ("avgust", 8), ("sentabr", 9), ("sentyabr", 9), ("oktabr", 10),
    ("oktyabr", 10), ("noyabr", 11), ("dekabr", 12),
    # Russian and Uzbek Cyrillic (folded: ў->у etc.)
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("май", 5), ("мая", 5),
    ("июн", 6), ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11),
    ("декабр", 12),
    # English
    ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("june", 6), ("july", 7),
    ("august", 8), ("september", 9), ("october", 10), ("november", 11), ("december", 12),
    ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7), ("aug", 8),
    ("sept", 9), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
]
_MONTHS.sort(key=lambda m: -len(m[0]))
_MON_BY_NAME = dict(_MONTHS)
_MON = r"(?<![\w'])(?P<mon>" + "|".join(re.escape(m) for m, _ in _MONTHS) + r")[a-zа-я']*\.?"
_TIME = r"(?:[,\s]*(?:\||/|в|soat|at|-)?\s*(?P<hh>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d))?(?!\d))?"
_YEAR_WORD = r"(?:\s*-?\s*(?:yil|йил|год|г\.)(?:ning|нинг|и|da|да)?)?"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
                       r"(?:[Tt ](?P<hh>[01]\d|2[0-3]):(?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d))?"
                       r"(?:\.\d+)?(?:[Zz]|[+-]\d\d:?\d\d)?)?(?!\d)")),
    ("ymd", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[./](?P<m>[01]?\d)[./](?P<d>[0-3]?\d)(?![\d.])"
                       + _TIME)),
    ("dmy", re.compile(r"(?<![\d.])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[0-3]?\d)(?P=sep)"
                       r"(?P<y>(?:19|20)\d\d)(?!\d)" + _YEAR_WORD + _TIME)),
    ("d-mon-y", re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)(?:-?(?:chi|нчи|го|th|st|nd|rd)|\.)?[\s\-]*"
                           + _MON + r",?\s*(?P<y>(?:19|20)\d\d)(?!\d)" + _YEAR_WORD + _TIME)),
    ("mon-d-y", re.compile(_MON + r"\s*(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?!\d),?\s+"
                           r"(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME)),
    ("y-d-mon", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)" + _YEAR_WORD + r"[\s,]*(?P<d>[0-3]?\d)"
                           r"(?:-?(?:chi|нчи))?[\s\-]+" + _MON + _TIME)),
]


@dataclass(frozen=True)
class DateMention:
    """A date found in a piece of text."""

    when: dt.datetime
    raw: str
    start: int
    end: int
    has_time: bool
    form: str  # iso | ymd | dmy | d-mon-y | mon-d-y | y-d-mon


def _mk(y, m, d, hh=None, mi=None, ss=None) -> dt.datetime | None:
    try:
        y, m, d = int(y), int(m), int(d)
        if not 1990 <= y <= 2100:
            return None
        return dt.datetime(y, m, d, int(hh or 0), int(mi or 0), int(ss or 0))
    except (TypeError, ValueError):
        return None


def find_dates(text: str, folded: bool = False) -> list[DateMention]:
    """Every full date (day, month, year) in ``text``, in order; overlapping readings are
    resolved in favour of the first pattern that matched. Years alone are never dates."""
    t = text if folded else fold(text)
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for form, rx in _PATTERNS:
        for m in rx.finditer(t):
            s, e = m.span()
            if any(s < b and a < e for a, b in taken):
                continue
            g = m.groupdict()
            if form == "dmy":
                a, b = int(g["a"]), int(g["b"])
                day, mon = (a, b) if b <= 12 else (b, a)  # 12/31/2024 -> month first
                when = _mk(g["y"], mon, day, g.get("hh"), g.get("mi"), g.get("ss"))
            elif form in ("iso", "ymd"):
                when = _mk(g["y"], g["m"], g["d"], g.get("hh"), g.get("mi"), g.get("ss"))
            else:
                mon = _MON_BY_NAME.get(g["mon"])
                when = _mk(g["y"], mon, g["d"], g.get("hh"), g.get("mi"), g.get("ss"))
            if when is None:
                continue
            taken.append((s, e))
            out.append(DateMention(when, m.group(0).strip(" ,|/"), s, e,
                                   bool(g.get("hh")), form))
    out.sort(key=lambda d: d.start)
    return out


def parse_date(value: str | None) -> dt.datetime | None:
    """One date value (a meta content, a JSON-LD or payload field, a ``<time datetime>``,
    a sitemap ``<lastmod>``) -> naive datetime in the site's own clock, or None."""
    if not value:
        return None
    v = value.strip()
    try:  # fast path: ISO 8601 (the timezone is dropped: we compare days, not minutes)
        d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return d.replace(tzinfo=None)
    except ValueError:
        pass
    found = find_dates(v)
    return found[0].when if found else None


# --- what a date on a page is -----------------------------------------------------------


@dataclass
class DateHit:
    """One dated piece of evidence on a page."""

    when: dt.datetime
    kind: str  # stamp | news-item | meta | jsonld | time | next-payload | text | sitemap-lastmod
    raw: str
    url: str = ""
    context: str = ""  # the text around the date, as seen
    selector: str = ""
    rejected: str = ""  # "" = evidence; else why not (today-widget, http-header-only...)
    node: Any = field(default=None, repr=False, compare=False)  # element, for a lazy selector

    @property
    def date(self) -> dt.date:
        return self.when.date()

    def css(self) -> str:
        """The element's CSS selector (computed on demand: only evidence items need it)."""
        if not self.selector and self.node is not None:
            self.selector = css_selector(self.node)
        return self.selector

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.when.isoformat(), "kind": self.kind, "raw": self.raw,
                "url": self.url, "context": self.context, "selector": self.selector,
                "rejected": self.rejected}


# ranking when two hits have the same date: the more explicit kind wins
KIND_RANK = {"stamp": 0, "meta": 1, "jsonld": 2, "time": 3, "epoch": 4, "news-item": 5,
             "next-payload": 6, "app-state": 7, "sitemap-lastmod": 8, "text": 9}

_META_NAMES = ("article:modified_time", "og:updated_time", "og:article:modified_time",
               "article:published_time", "og:article:published_time", "dcterms.modified",
               "dc.date.modified", "dc.date", "dcterms.date", "date", "last-modified",
               "datemodified", "datepublished", "revised", "pubdate", "publish-date",
               "article:modified", "sailthru.date", "parsely-pub-date")
_LD_KEYS = ("dateModified", "datePublished", "uploadDate", "dateCreated")
_PAYLOAD_KEYS = ("date", "updated_at", "updatedAt", "created_at", "createdAt", "published_at",
                 "publishedAt", "publish_date", "publishDate", "modified", "modified_at",
                 "dateModified", "datePublished", "pubDate", "lastModified", "last_modified",
                 "date_publish", "news_date", "created_date", "updated_date")
_PAYLOAD_RE = re.compile(
    r'\\*"(?P<key>' + "|".join(_PAYLOAD_KEYS) + r')\\*"\s*:\s*\\*"(?P<val>[^"\\]{8,40})\\*"')
_NEWS_ATTR = re.compile(r"news|post|item|article|entry|date|meta|yangilik|novost|yangiliklar"
                        r"|card|event|publish|time")
_SKIP_TAGS = SKIP_TAGS


def _classes(node) -> str:
    a = node.attributes or {}
    return f"{a.get('class') or ''} {a.get('id') or ''}".lower()


def _is_today_widget(mention: DateMention, context: str, before: str, node,
                     fetched_on: dt.date | None) -> bool:
    """A date that is just "today" on a clock widget: a today-word right before it
    (bugun/бугун/сегодня/today), or an element class/id like today/current-date/clock."""
    if keywords("today_widget").search(before[-40:], folded=True):
        return True
    for anc in [node, *_ancestors(node, 3)]:
        if keywords("today_widget").in_attr(_classes(anc)):
            return True
    return False


def _kind_for_text(before: str, node) -> str:
    if keywords("updated_stamp").search(before[-60:], folded=True):
        return "stamp"
    for anc in [node, *_ancestors(node, 4)]:
        if anc.tag in ("article", "time"):
            return "news-item"
        if _NEWS_ATTR.search(_classes(anc)):
            return "news-item"
    return "text"


# relative stamps of news lists: "Bugun, 14:25", "Вчера в 09:10", "3 kun oldin", "2 часа назад"
_REL_DAY = re.compile(r"(?<![\w'])(bugun|бугун|сегодня|today|kecha|кеча|вчера|yesterday)"
                      r"[,\s]*(?:soat|в|at)?\s*([01]?\d|2[0-3]):([0-5]\d)(?!\d)")
_REL_AGO = re.compile(r"(?<![\d.])(\d{1,3})\s*(kun|soat|daqiqa|minut|кун|соат|дакика|"
                      r"дней|дня|день|часов|часа|час|минуты|минуту|минут|days?|hours?|minutes?)"
                      r"\s*(oldin|олдин|назад|ago)(?![\w])")
_YESTERDAY = ("kecha", "кеча", "вчера", "yesterday")


def _relative_hit(node, text: str, url: str, fetched_on: dt.date) -> "DateHit | None":
    """A relative stamp ("Bugun, 14:25", "3 kun oldin") counts only inside a news item (an
    article or a list item called news/post/date...), dated from the day the page was
    fetched. A bare "bugun" with today's date is a widget, handled elsewhere: here a time
    or an "ago" count is required."""
    parent = node.parent
    if parent is None or parent.tag in _SKIP_TAGS:
        return None
    when = None
    m = _REL_DAY.search(text)
    if m:
        day = fetched_on - dt.timedelta(days=1 if m.group(1) in _YESTERDAY else 0)
        when = dt.datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)))
    else:
        m = _REL_AGO.search(text)
        if m:
            n, unit = int(m.group(1)), m.group(2)
            if unit.startswith(("кун", "kun", "day")) or unit in ("дней", "дня", "день"):
                days = n
            elif unit.startswith(("soat", "соат", "час", "hour")):
                days = n // 24
            else:  # minutes
                days = 0
            day = fetched_on - dt.timedelta(days=days)
            when = dt.datetime(day.year, day.month, day.day)
    if when is None or _kind_for_text("", parent) != "news-item":
        return None
    if any(keywords("today_widget").in_attr(_classes(a)) for a in [parent,
                                                                   *_ancestors(parent, 3)]):
        return None  # a clock in the header ("header-date": bugun 12:00), not a news stamp
    return DateHit(when, "news-item", m.group(0), url,
                   fold(parent.text(deep=True, separator=" "))[:300], node=parent)


_DAY_ONLY = re.compile(r"^\s*([0-3]?\d)\s*$")
_MONTH_YEAR = re.compile(r"^\s*(?:(?P<m>[01]?\d)[./-](?P<y>(?:19|20)\d\d)|" + _MON +
                         r"[\s,.]*(?P<y2>(?:19|20)\d\d))\s*(?:yil|йил|г\.?|год)?\s*$")


def _split_date(day: "TextNode", rest: "TextNode") -> DateMention | None:
    """A date split across sibling elements, as the news lists of older hokimiyat
    templates write it: the day in one element, "month.year" (or "mart 2025") in the next
    (``<span class="day">12</span><span class="month">03.2025</span>``). The two must sit
    in one container (the same parent, or parents that are siblings)."""
    m1 = _DAY_ONLY.match(day.folded)
    if not m1:
        return None
    m2 = _MONTH_YEAR.match(rest.folded)
    if not m2:
        return None
    pa, pb = day.parent, rest.parent

    def mid(n):
        return n.mem_id if n is not None else None

    ga, gb = mid(pa.parent), mid(pb.parent)
    if not (mid(pa) == mid(pb) or (ga is not None and ga == gb) or ga == mid(pb) or
            gb == mid(pa)):
        return None
    g = m2.groupdict()
    mon = int(g["m"]) if g.get("m") else _MON_BY_NAME.get(g.get("mon") or "")
    when = _mk(g.get("y") or g.get("y2"), mon, m1.group(1))
    if when is None:
        return None
    return DateMention(when, f"{m1.group(1)} {rest.folded}", 0, 0, False, "split")


def _context(parent, own: str) -> tuple[Any, str]:
    """The enclosing element's text (its parent's when it is too short)."""
    ctx_node = parent
    ctx = fold(ctx_node.text(deep=True, separator=" "))
    if len(ctx) < len(own) + 12 and ctx_node.parent is not None and \
            ctx_node.parent.tag not in ("body", "html"):
        ctx_node = ctx_node.parent
        ctx = fold(ctx_node.text(deep=True, separator=" "))
    return ctx_node, ctx


def visible_dates(tree, url: str = "", fetched_on: dt.date | None = None,
                  facts=None) -> list[DateHit]:
    """Dates in the visible text of a parsed page (lexbor tree), each classified. ``facts``
    (a ``pageread.facts.PageFacts``) gives the page's text nodes once for every reader."""
    if facts is None:
        from .facts import PageFacts

        facts = PageFacts(tree, url, fetched_on=fetched_on)
    texts = facts.texts
    out: list[DateHit] = []
    for i, tn in enumerate(texts):
        raw = tn.text
        if not _HAS_DIGIT.search(raw):
            continue
        parent = tn.parent
        if not _HAS_YEAR.search(raw):
            if i + 1 < len(texts) and _DAY_ONLY.match(raw):
                mm = _split_date(tn, texts[i + 1])
                if mm is not None:
                    holder = parent if parent.mem_id == texts[i + 1].parent.mem_id else (
                        parent.parent or parent)
                    ctx = fold(holder.text(deep=True, separator=" "))
                    hit = DateHit(mm.when, _kind_for_text(ctx, holder), mm.raw, url,
                                  ctx[:300], node=holder)
                    if _is_today_widget(mm, ctx, "", holder, fetched_on):
                        hit.rejected = "today-widget"
                    out.append(hit)
                    continue
            rel = _relative_hit(_NodeView(parent), tn.folded, url, fetched_on) \
                if fetched_on is not None else None
            if rel is None:
                rel = _short_year_hit(tn, url, fetched_on)
            if rel is not None:
                out.append(rel)
            continue
        own = tn.folded
        mentions = find_dates(own, folded=True)
        if not mentions or tn.hidden():
            continue
        _, ctx = _context(parent, own)
        for mm in mentions:
            pos = ctx.find(mm.raw)
            before = ctx[:pos] if pos >= 0 else ctx
            hit = DateHit(mm.when, _kind_for_text(before, parent), mm.raw, url,
                          ctx[:300], node=parent)
            if _is_today_widget(mm, ctx, before, parent, fetched_on):
                hit.rejected = "today-widget"
            out.append(hit)
    return out


_HAS_YEAR = re.compile(r"\d{4}")
_HAS_DIGIT = re.compile(r"\d")
_SHORT_DMY = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>\d\d)(?![\d.])" + _TIME)


class _NodeView:
    """The text node's parent seen as the node ``_relative_hit`` expects (it reads
    ``node.parent``)."""

    __slots__ = ("parent",)

    def __init__(self, parent):
        self.parent = parent


def _short_year_hit(tn, url: str, fetched_on: dt.date | None) -> "DateHit | None":
    """``dd.mm.yy`` ("12.03.25") is read only inside a news item or a meta line (an
    article, a ``<time>``, a container called news/post/date/meta...): elsewhere two-digit
    years are too often something else (versions, scores, phone fragments). The century is
    the one that puts the date nearest before the fetch day."""
    m = _SHORT_DMY.search(tn.folded)
    if not m or _kind_for_text("", tn.parent) != "news-item":
        return None
    y = 2000 + int(m.group("y"))
    when = _mk(y, m.group("m"), m.group("d"), m.group("hh"), m.group("mi"), m.group("ss"))
    if when is None:
        return None
    if fetched_on is not None and when.date() > fetched_on + dt.timedelta(days=1):
        when = _mk(y - 100, m.group("m"), m.group("d")) or when
    ctx = fold(tn.parent.text(deep=True, separator=" "))
    hit = DateHit(when, "news-item", m.group(0), url, ctx[:300], node=tn.parent)
    if _is_today_widget(None, ctx, ctx[:max(0, ctx.find(m.group(0)))], tn.parent, fetched_on):
        hit.rejected = "today-widget"
    return hit


def _walk_json(obj, keys: tuple[str, ...], out: list[tuple[str, str]], depth=0):
    if depth > 12:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in keys and isinstance(v, str):
                out.append((k, v))
            else:
                _walk_json(v, keys, out, depth + 1)
    elif isinstance(obj, list):
        for v in obj[:500]:
            _walk_json(v, keys, out, depth + 1)


def machine_dates(tree, url: str = "") -> list[DateHit]:
    """Machine-readable dates: ``<meta>`` (article:modified_time...), JSON-LD
    (dateModified...), ``<time datetime>``, Next.js payloads."""
    out: list[DateHit] = []
    for m in tree.css("meta[content]"):
        a = m.attributes
        name = (a.get("property") or a.get("name") or a.get("itemprop") or
                a.get("http-equiv") or "").strip().lower()
        if name in _META_NAMES or is_dublin_core_date(name):
            when = parse_date(a.get("content"))
            if when:
                out.append(DateHit(when, "meta", a.get("content") or "", url,
                                   f'<meta {name}="{a.get("content")}">', f'meta[{"property" if a.get("property") else "name"}="{name}"]'))
    for s in tree.css('script[type="application/ld+json"]'):
        raw = s.text(deep=True) or ""
        pairs: list[tuple[str, str]] = []
        try:
            _walk_json(json.loads(raw or "null"), _LD_KEYS, pairs)
        except (ValueError, TypeError, RecursionError):
            # one syntax error (a trailing comma, an unescaped quote, two objects glued
            # together) must not drop the block: read its date fields one by one
            pairs = [(m.group("key"), m.group("val")) for m in _LD_RE.finditer(raw[:200_000])]
        for k, v in pairs:
            when = parse_date(v)
            if when:
                out.append(DateHit(when, "jsonld", v, url, f'"{k}": "{v}"',
                                   'script[type="application/ld+json"]'))
    for t in tree.css("time[datetime]"):
        v = t.attributes.get("datetime") or ""
        when = parse_date(v)
        if not when:
            continue
        hit = DateHit(when, "time", v, url, fold(t.text(deep=True))[:200], node=t)
        ctx = fold((t.parent.text(deep=True, separator=" ") if t.parent else ""))
        before = ctx[:ctx.find(fold(t.text(deep=True)))] if t.text(deep=True) else ctx
        if keywords("today_widget").search(before[-40:], folded=True) or any(
                keywords("today_widget").in_attr(_classes(n)) for n in [t, *_ancestors(t, 3)]):
            hit.rejected = "today-widget"
        out.append(hit)
    for s in tree.css("script"):
        txt = s.text(deep=True) or ""
        if not txt:
            continue
        sa = s.attributes
        if "__next_f" in txt or sa.get("id") == "__NEXT_DATA__":
            kind = "next-payload"
            where = ("script (self.__next_f.push)" if "__next_f" in txt
                     else "script#__NEXT_DATA__")
        else:
            state = app_state(txt, sa)
            if not state:
                continue
            kind, where = "app-state", state
        seen = 0
        for m in _PAYLOAD_RE.finditer(txt[:2_000_000]):
            when = parse_date(m.group("val"))
            if when:
                out.append(DateHit(when, kind, m.group("val"), url,
                                   m.group(0).replace("\\", "")[:200], where))
                seen += 1
                if seen >= 200:
                    break
    out.extend(epoch_dates(tree, url))
    return out


_LD_RE = re.compile(r'"(?P<key>' + "|".join(_LD_KEYS) + r')"\s*:\s*"(?P<val>[^"]{8,40})"')
_DC_DATE_TERMS = ("date", "modified", "created", "issued", "available", "datesubmitted",
                  "dateaccepted", "datecopyrighted", "valid")


def is_dublin_core_date(name: str) -> bool:
    """A Dublin Core date element: ``dc.date``, ``dc.date.modified`` (any ``dc.date.*``
    refinement), ``dcterms.modified`` / ``dcterms.created`` / ``dcterms.issued``... (also
    written with a colon: ``dcterms:modified``)."""
    n = name.replace(":", ".")
    if n == "dc.date" or n.startswith("dc.date."):
        return True
    return n.startswith("dcterms.") and n[8:] in _DC_DATE_TERMS


# application state that a page ships as JSON for its script (the Next.js forms are handled
# above): Nuxt, Redux/Vuex initial states, Apollo caches, plain JSON data islands
_STATE_MARKERS = ("__NUXT__", "__NUXT_DATA__", "__INITIAL_STATE__", "__PRELOADED_STATE__",
                  "__APOLLO_STATE__", "__REDUX_STATE__", "__INITIAL_DATA__", "__APP_STATE__",
                  "__STATE__", "__DATA__")


def app_state(txt: str, attrs: dict) -> str:
    """Where a script holds application state (``window.__NUXT__=...``, ``<script
    type="application/json">``): its description, or "" for an ordinary script."""
    typ = (attrs.get("type") or "").lower()
    if typ == "application/json" or attrs.get("id") == "__NUXT_DATA__":
        return f'script[type="{typ or "application/json"}"]' + (
            f'#{attrs.get("id")}' if attrs.get("id") else "")
    head = txt[:400]
    for marker in _STATE_MARKERS:
        if marker in head:
            return f"script ({marker})"
    return ""


_EPOCH_ATTRS = ("data-time", "data-timestamp", "data-date", "data-created", "data-updated",
                "data-published", "data-modified", "data-datetime", "data-ts", "data-unix",
                "data-pubdate")
_EPOCH = re.compile(r"^\s*(\d{10}|\d{13})\s*$")


def epoch_dates(tree, url: str = "") -> list[DateHit]:
    """Unix timestamps in date attributes (``data-time="1733011200"``, milliseconds too),
    between 2000 and 2100; kind ``epoch``. A today's-date widget is rejected as for text."""
    out: list[DateHit] = []
    sel = ", ".join(f"[{a}]" for a in _EPOCH_ATTRS)
    for n in tree.css(sel)[:500]:
        a = n.attributes
        for name in _EPOCH_ATTRS:
            v = a.get(name)
            m = _EPOCH.match(v or "")
            if not m:
                continue
            secs = int(m.group(1)) / (1000 if len(m.group(1)) == 13 else 1)
            if not 946684800 <= secs < 4102444800:  # 2000-01-01 .. 2100-01-01
                continue
            when = dt.datetime.fromtimestamp(secs, dt.timezone.utc).replace(tzinfo=None)
            hit = DateHit(when, "epoch", v or "", url, f'{name}="{v}"', node=n)
            if any(keywords("today_widget").in_attr(_classes(x)) for x in
                   [n, *_ancestors(n, 3)]):
                hit.rejected = "today-widget"
            out.append(hit)
            break
    return out


_COPYRIGHT_RE = re.compile(r"(?:©|\(c\)|copyright|&copy;)[^0-9]{0,40}((?:19|20)\d\d)"
                           r"(?:\s*[-–]\s*((?:19|20)\d\d))?", re.I)


def copyright_years(text: str) -> list[str]:
    """Copyright notices' years ("© 2010 – 2018"): noted as not being update evidence."""
    return [m.group(0).strip() for m in _COPYRIGHT_RE.finditer(text or "")][:3]


def page_dates(tree, url: str = "", fetched_on: dt.date | None = None,
               facts=None) -> list[DateHit]:
    """Every dated piece of evidence on one page (visible and machine-readable), rejected
    ones included (with ``rejected`` set) so a report can say what was ignored and why."""
    return machine_dates(tree, url) + visible_dates(tree, url, fetched_on, facts)


def newest(hits: Iterable[DateHit]) -> DateHit | None:
    """The newest accepted hit; on equal days the most explicit kind."""
    ok = [h for h in hits if not h.rejected]
    if not ok:
        return None
    return min(ok, key=lambda h: (-h.date.toordinal(), KIND_RANK.get(h.kind, 9),
                                  -h.when.timestamp()))
