"""URL normalisation, de-duplication keys, trap detection and link priority for the crawler.

Each rule is a small function whose docstring is the rule.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from pageread.words import fold, may_name_section, menu_link

from .artifacts import Follow

MAX_URL_LENGTH = 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

# query parameters that never change what a page says: tracking and session ids
TRACKING_PARAMS = frozenset({
    "phpsessid", "sid", "sessionid", "session_id", "session", "jsessionid", "aspsessionid",
    "cfid", "cftoken", "fbclid", "gclid", "yclid", "dclid", "msclkid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_openstat", "igshid",
})
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_")
_PATH_PARAM_RE = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)
BINARY_EXTENSIONS = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "rtf", "zip", "rar",
    "7z", "gz", "tar", "jpg", "jpeg", "png", "gif", "webp", "svg", "bmp", "ico", "tif",
    "tiff", "mp3", "mp4", "avi", "mov", "wmv", "mkv", "webm", "ogg", "wav", "exe", "msi",
    "apk", "iso", "css", "js", "json", "xml", "txt", "csv", "woff", "woff2", "ttf", "eot"})


def is_tracking_param(name: str) -> bool:
    """A query parameter is tracking/session noise when it is one of the known names
    (utm_*, PHPSESSID, sid, jsessionid, fbclid, gclid...), case-insensitively."""
    n = name.lower()
    return n in TRACKING_PARAMS or n.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str | None:
    """The canonical form used for de-duplication: http(s) only; scheme and host
    lower-case; default port dropped; fragment dropped; ``;jsessionid=`` path parameters
    and tracking/session query parameters removed; the query sorted; an empty path is "/".
    None for URLs that are not crawlable web addresses."""
    try:
        p = urlsplit(url.strip())
        port = p.port
    except ValueError:
        return None
    scheme = p.scheme.lower()
    if scheme not in ("http", "https") or not p.hostname:
        return None
    host = p.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _PATH_PARAM_RE.sub("", p.path) or "/"
    path = quote(unquote(path), safe="/%:@!$&'()*+,;=-._~")
    query = ""
    if p.query:
        pairs = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
                 if not is_tracking_param(k)]
        query = urlencode(sorted(pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def dedup_key(url: str) -> str:
    """Two URLs are the same page when their normal forms match ignoring http/https,
    ``www.`` and a trailing slash."""
    n = normalize_url(url) or url
    p = urlsplit(n)
    host = p.netloc.removeprefix("www.")
    path = p.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{p.query}" if p.query else "")


def looks_binary(url: str) -> bool:
    """A link to a document, image, archive, media, script or feed file (by extension)
    is not a page to crawl."""
    path = urlsplit(url).path.lower()
    last = path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1] in BINARY_EXTENSIONS


# --- traps ----------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d\d"
_CALENDAR_PATH = re.compile(rf"/{_YEAR}[/-](?:0?[1-9]|1[0-2])(?:[/-](?:0?[1-9]|[12]\d|3[01]))?(?:/|$)")
_CALENDAR_WORDS = re.compile(r"calendar|kalendar|календар|taqvim|тақвим|events?/\d|/archive/\d",
                             re.I)
_DATE_QUERY = re.compile(rf"(?:^|&)(?:date|day|month|year|d|m|y|from|to|start|end)="
                         rf"(?:{_YEAR}|\d{{1,2}}(?:&|$)|{_YEAR}-\d)", re.I)


def is_calendar_like(url: str) -> bool:
    """A calendar or archive URL: a year/month(/day) path (``/2026/11``), a calendar word
    in the path (calendar, kalendar, календарь, taqvim), or date parameters in the query.
    Endless calendars link each month to the next one forever."""
    p = urlsplit(url)
    return bool(_CALENDAR_PATH.search(p.path) or _CALENDAR_WORDS.search(unquote(p.path))
                or (p.query and _DATE_QUERY.search(p.query)))


def has_repeating_segments(url: str, max_repeat: int = 3) -> bool:
    """A path where one segment occurs ``max_repeat`` times or more, or a run of segments
    repeats right after itself (``/a/b/a/b/``): relative links that keep growing the path."""
    segs = [s for s in urlsplit(url).path.split("/") if s]
    counts: dict[str, int] = {}
    for s in segs:
        counts[s] = counts.get(s, 0) + 1
        if counts[s] >= max_repeat:
            return True
    n = len(segs)
    for size in range(2, n // 2 + 1):
        for i in range(0, n - 2 * size + 1):
            if segs[i:i + size] == segs[i + size:i + 2 * size]:
                return True
    return False


def calendar_pattern(url: str) -> str:
    """The URL with its digits blanked out: URLs of one calendar share it."""
    p = urlsplit(url)
    return re.sub(r"\d+", "N", f"{p.netloc}{p.path}?{'&'.join(sorted(k for k, _ in parse_qsl(p.query)))}")


@dataclass
class TrapGuard:
    """Decides which discovered URLs are traps. Counts are per guard (one per target)."""

    max_query_variants: int = 5  # distinct query strings per path
    max_calendar: int = 3  # URLs per calendar-like pattern
    max_length: int = MAX_URL_LENGTH
    variants: dict[str, int] = field(default_factory=dict)
    calendars: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def check(self, url: str) -> str | None:
        """The trap this URL falls into ("" / None when it may be crawled); counts it."""
        why = self._why(url)
        if why:
            self.skipped[why] = self.skipped.get(why, 0) + 1
        return why

    def _why(self, url: str) -> str | None:
        if len(url) > self.max_length:
            return "very long URL"
        if has_repeating_segments(url):
            return "repeating path segments"
        p = urlsplit(url)
        if is_calendar_like(url):
            pat = calendar_pattern(url)
            n = self.calendars.get(pat, 0)
            if n >= self.max_calendar:
                return "calendar-like URLs"
            self.calendars[pat] = n + 1
        if p.query:
            key = f"{p.netloc}{p.path}"
            n = self.variants.get(key, 0)
            if n >= self.max_query_variants:
                return "query-string variants"
            self.variants[key] = n + 1
        return None

    def summary(self) -> str:
        return ", ".join(f"{why}: {n}" for why, n in sorted(self.skipped.items()))


# --- priority -------------------------------------------------------------------------
#
# Which links the crawler fetches first is asked for by the probes: each declares the
# sections it needs (``Hints.follow``: a keyword table of pageread/data/words.toml and a
# weight), and a link leads to such a section by the same rule the probes detect it with
# (``pageread.words.menu_link``: a short menu text with a word of the table, or a last path
# segment that is one). The crawler adds one list of its own: links that waste the budget
# (log-in, print versions, feeds, sorting switches: ``crawler/data/avoid.toml``).

AVOID_FILE = Path(__file__).resolve().parent / "data" / "avoid.toml"
FOLLOW_MAX_WORDS = 6  # a menu item, not a sentence that happens to contain the word


@dataclass(frozen=True)
class Avoid:
    weight: float
    text: tuple[str, ...]
    url: tuple[str, ...]


@lru_cache(maxsize=1)
def load_avoid(path: str | None = None) -> Avoid:
    data = tomllib.loads(Path(path or AVOID_FILE).read_text(encoding="utf-8"))["avoid"]
    return Avoid(float(data["weight"]), tuple(fold(x) for x in data.get("text", [])),
                 tuple(x.lower() for x in data.get("url", [])))


@lru_cache(maxsize=512)
def _word_re(key: str) -> re.Pattern:
    if key.endswith("="):  # a query parameter name: "sort=" matches "?sort=" and "&sort="
        return re.compile(r"[?&;]" + re.escape(key))
    return re.compile(r"(?<![^\W_])" + re.escape(key) + r"(?![^\W_])")


def _word_in(key: str, text: str) -> bool:
    """``key`` appears in ``text`` as a whole word/path piece: ``feed`` matches
    ``/rss/feed`` but not ``/feedback``, ``print`` not ``blueprint``."""
    return bool(_word_re(key).search(text))


def avoided(url: str, text: str = "") -> bool:
    """A link that wastes the page budget: an avoid-list word in its text or its URL
    path+query, as a whole word."""
    av = load_avoid()
    t = fold(text)
    p = urlsplit(url)
    u = unquote(p.path + ("?" + p.query if p.query else "")).lower()
    return any(_word_in(k, t) for k in av.text) or any(_word_in(k, u) for k in av.url)


def link_priority(url: str, text: str, follow: Iterable[Follow] = ()) -> tuple[str, float]:
    """The section a link leads to and its weight: ("avoid", negative) for an avoid-listed
    link, else the heaviest ``follow`` table the link matches, else ("", 0)."""
    if avoided(url, text):
        return "avoid", load_avoid().weight
    best, weight = "", 0.0
    follow = tuple(follow)
    if not follow or not may_name_section(tuple(f.table for f in follow), text, url):
        return best, weight
    for f in follow:
        if f.weight > weight and menu_link(f.table, text, url, FOLLOW_MAX_WORDS):
            best, weight = f.table, f.weight
    return best, weight
