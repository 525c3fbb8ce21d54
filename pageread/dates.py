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

from .selectors import css_selector
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
    ("d-mon-y", re.compile(r"(?<!\d)(?P<d>[0-3]?\d)(?:-?(?:chi|нчи|го|th|st|nd|rd))?[\s\-]*"
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
KIND_RANK = {"stamp": 0, "meta": 1, "jsonld": 2, "time": 3, "news-item": 4,
             "next-payload": 5, "sitemap-lastmod": 6, "text": 7}

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
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "svg", "option",
              "select", "textarea"}


def _classes(node) -> str:
    a = node.attributes or {}
    return f"{a.get('class') or ''} {a.get('id') or ''}".lower()


def _ancestors(node, n: int):
    p = node.parent
    while p is not None and n > 0 and p.tag not in ("body", "html"):
        yield p
        p = p.parent
        n -= 1


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


def visible_dates(tree, url: str = "", fetched_on: dt.date | None = None) -> list[DateHit]:
    """Dates in the visible text of a parsed page (lexbor tree), each classified."""
    body = tree.body
    if body is None:
        return []
    out: list[DateHit] = []
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        raw_text = node.text_content or ""
        if not re.search(r"\d{4}", raw_text):
            if fetched_on is not None and re.search(r"\d", raw_text):
                rel = _relative_hit(node, fold(raw_text), url, fetched_on)
                if rel is not None:
                    out.append(rel)
            continue
        parent = node.parent
        if parent is None or parent.tag in _SKIP_TAGS or any(
                a.tag in _SKIP_TAGS for a in _ancestors(parent, 6)):
            continue
        own = fold(raw_text)
        mentions = find_dates(own, folded=True)
        if not mentions:
            continue
        # the context: the enclosing element's text (its parent's when it is too short)
        ctx_node = parent
        ctx = fold(ctx_node.text(deep=True, separator=" "))
        if len(ctx) < len(own) + 12 and ctx_node.parent is not None and \
                ctx_node.parent.tag not in ("body", "html"):
            ctx_node = ctx_node.parent
            ctx = fold(ctx_node.text(deep=True, separator=" "))
        for mm in mentions:
            pos = ctx.find(mm.raw)
            before = ctx[:pos] if pos >= 0 else ctx
            hit = DateHit(mm.when, _kind_for_text(before, parent), mm.raw, url,
                          ctx[:300], node=parent)
            if _is_today_widget(mm, ctx, before, parent, fetched_on):
                hit.rejected = "today-widget"
            out.append(hit)
    return out


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
        if name in _META_NAMES:
            when = parse_date(a.get("content"))
            if when:
                out.append(DateHit(when, "meta", a.get("content") or "", url,
                                   f'<meta {name}="{a.get("content")}">', f'meta[{"property" if a.get("property") else "name"}="{name}"]'))
    for s in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(s.text(deep=True) or "null")
        except (ValueError, TypeError):
            continue
        pairs: list[tuple[str, str]] = []
        _walk_json(data, _LD_KEYS, pairs)
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
        if "__next_f" not in txt and (s.attributes.get("id") != "__NEXT_DATA__"):
            continue
        seen = 0
        for m in _PAYLOAD_RE.finditer(txt):
            when = parse_date(m.group("val"))
            if when:
                out.append(DateHit(when, "next-payload", m.group("val"), url,
                                   m.group(0).replace("\\", "")[:200],
                                   "script (self.__next_f.push)" if "__next_f" in txt
                                   else "script#__NEXT_DATA__"))
                seen += 1
                if seen >= 200:
                    break
    return out


_COPYRIGHT_RE = re.compile(r"(?:©|\(c\)|copyright|&copy;)[^0-9]{0,40}((?:19|20)\d\d)"
                           r"(?:\s*[-–]\s*((?:19|20)\d\d))?", re.I)


def copyright_years(text: str) -> list[str]:
    """Copyright notices' years ("© 2010 – 2018"): noted as not being update evidence."""
    return [m.group(0).strip() for m in _COPYRIGHT_RE.finditer(text or "")][:3]


def page_dates(tree, url: str = "", fetched_on: dt.date | None = None) -> list[DateHit]:
    """Every dated piece of evidence on one page (visible and machine-readable), rejected
    ones included (with ``rejected`` set) so a report can say what was ignored and why."""
    return machine_dates(tree, url) + visible_dates(tree, url, fetched_on)


def newest(hits: Iterable[DateHit]) -> DateHit | None:
    """The newest accepted hit; on equal days the most explicit kind."""
    ok = [h for h in hits if not h.rejected]
    if not ok:
        return None
    return min(ok, key=lambda h: (-h.date.toordinal(), KIND_RANK.get(h.kind, 9),
                                  -h.when.timestamp()))
