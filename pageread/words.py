"""Text folding and keyword matching in the four language forms of Uzbek government sites.

The rule (indicators.md, "Words to look for"): match case-insensitively, fold the Uzbek
apostrophe variants (``oʻ o‘ o' o` gʻ g‘ g'``) and treat Latin and Cyrillic Uzbek as two scripts
of one language. Keyword lists live in ``pageread/data/words*.toml`` as data; this module only
knows how to fold and match.

``fold(text)`` is applied to both the keywords and the page text, so a keyword written
"bog'lanish" matches "Bogʻlanish", "BOG‘LANISH" and "bog`lanish". Uzbek Cyrillic letters are
also folded onto their Russian look-alikes (ҳ->х, қ->к, ғ->г, ў->у), because real pages mix
them up ("хоким" for "ҳоким").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

DATA = Path(__file__).resolve().parent / "data"

LANGS = ("oz", "uz", "ru", "en")

# every apostrophe-like character seen in Uzbek Latin text -> ASCII apostrophe
_APOSTROPHES = "\u02bb\u02bc\u2018\u2019\u0060\u00b4\u02b9\u2032\u055a\uff07"
_FOLD_TABLE = str.maketrans({
    **{c: "'" for c in _APOSTROPHES},
    "ҳ": "х", "қ": "к", "ғ": "г", "ў": "у", "ё": "е",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
})


# the same table as pairs, for ``str.replace`` (``str.translate`` with a dict looks every
# character up: 10x slower than a replace per character present, on a page's text)
_FOLD_PAIRS = tuple((chr(k), v or "") for k, v in _FOLD_TABLE.items())


@lru_cache(maxsize=262144)
def fold(text: str | None) -> str:
    """Lower-case, NFC, apostrophes unified to ``'``, Uzbek Cyrillic ҳ қ ғ ў folded to х к г у,
    ё to е, dashes to ``-``, invisible characters dropped, runs of white space to one space."""
    if not text:
        return ""
    t = unicodedata.normalize("NFC", text).lower()
    if t.isascii():
        if "`" in t:
            t = t.replace("`", "'")
    else:
        for c, r in _FOLD_PAIRS:  # the replacements are never keys: order does not matter
            if c in t:
                t = t.replace(c, r)
    return " ".join(t.split())  # white space as ``\s`` reads it (str.isspace), stripped


@dataclass(frozen=True)
class Match:
    word: str  # the keyword as written in the data file
    lang: str  # oz | uz | ru | en | attr
    text: str  # the matched piece of the folded text


class Keywords:
    """One keyword list (a table of ``words.toml``): words per language form + attribute
    words. ``search(text)`` finds the first word present in ``text``; ``in_attr(value)``
    matches attribute values (class, id, name, action, href)."""

    def __init__(self, name: str, table: dict[str, list[str]]):
        self.name = name
        self.table = {k: list(v) for k, v in table.items() if isinstance(v, list)}
        # (word, language) in data-file order; each word's own regex is compiled when a
        # text first passes the prefilter (``_rx``): most tables never see one in a process
        self._words: list[tuple[str, str]] = [(w, lang) for lang in LANGS
                                              for w in self.table.get(lang, [])]
        self._compiled: list[tuple[re.Pattern, str, str]] | None = None
        self._attr = [(fold(w.rstrip("$")), w.endswith("$"), w)
                      for w in self.table.get("attr", [])]
        # every attribute match has its word inside the value: one substring scan first
        self._attr_any = re.compile(_trie(sorted({w for w, _, _ in self._attr if w}))) \
            if any(w for w, _, _ in self._attr) else None
        # one prefilter of every word: most texts match none, and one scan says so
        self._any = _prefilter([w for w, _ in self._words]) if self._words else None
        # the same link texts and attribute values repeat on every page of a site (header,
        # menu, footer): remember the answers (they are pure functions of the text)
        self.search = lru_cache(maxsize=65536)(self._search)  # type: ignore[method-assign]
        self.in_attr = lru_cache(maxsize=65536)(self._in_attr)  # type: ignore[method-assign]

    def _rx(self) -> list[tuple[re.Pattern, str, str]]:
        """(regex, word, language) of every word, compiled on first use."""
        if self._compiled is None:
            self._compiled = [(_word_re(w), w, lang) for w, lang in self._words]
        return self._compiled

    def words(self, lang: str | None = None) -> list[str]:
        if lang:
            return list(self.table.get(lang, []))
        return [w for lg in LANGS for w in self.table.get(lg, [])]

    def _search(self, text: str | None, folded: bool = False) -> Match | None:
        """The first keyword (in data-file order) found in ``text``, or None."""
        t = text if folded else fold(text)
        if not t or self._any is None or not self._any.search(t):
            return None
        for rx, w, lang in self._rx():
            m = rx.search(t)
            if m:
                return Match(w, lang, m.group(0))
        return None

    def find_all(self, text: str | None, folded: bool = False) -> list[Match]:
        t = text if folded else fold(text)
        out = []
        if not t or self._any is None or not self._any.search(t):
            return out
        for rx, w, lang in self._rx():
            m = rx.search(t or "")
            if m:
                out.append(Match(w, lang, m.group(0)))
        return out

    def _in_attr(self, value: str | None) -> Match | None:
        """Match an attribute value: a word equals the whole value or one of its tokens
        (split on anything not a letter or digit), or - for words of 5+ characters not
        marked ``$`` - appears inside it (``header-search-form`` has ``search``)."""
        v = fold(value)
        if not v or self._attr_any is None or not self._attr_any.search(v):
            return None
        tokens = set(re.split(r"[^\w]+|_", v))
        for w, exact, raw in self._attr:
            if w == v or w in tokens:
                return Match(raw, "attr", w)
            if not exact and len(w) >= 5 and w in v:
                return Match(raw, "attr", w)
        return None

    def anywhere(self, *texts: str | None, attrs: Iterable[str | None] = ()) -> Match | None:
        """First match in any of ``texts`` (as words) or ``attrs`` (as attribute values)."""
        for t in texts:
            m = self.search(t)
            if m:
                return m
        for a in attrs:
            m = self.in_attr(a)
            if m:
                return m
        return None


def _word_re(word: str) -> re.Pattern:
    r"""A word at a word start (not after a letter, digit or apostrophe); with a trailing
    ``$`` also at a word end. The word-start check follows the first letter
    (``b(?<![\w']b)ugun``) so that the regex starts with a literal, which ``re`` scans for
    quickly (a leading look-behind makes it try every position: 20x slower)."""
    exact = word.endswith("$")
    w = fold(word.rstrip("$"))
    tail = r"(?![\w'])" if exact else ""
    if w[:1].isalnum():
        first = re.escape(w[0])
        return re.compile(first + rf"(?<![\w']{first})" + _escaped(w[1:]) + tail)
    return re.compile(_escaped(w) + tail)


def _escaped(w: str) -> str:
    return re.escape(w).replace(r"\ ", r"\s*")


def _trie(words: list[str]) -> str:
    """One regex for a set of words as a prefix tree (``se(?:годня|йчас)``): ``re`` tries
    alternatives one by one, so a flat alternation of 50 words costs 50 tries per
    character; a tree costs one. A word that another word starts with ends its branch (a
    prefilter needs only the shorter)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        if "" in node:
            return ""
        alts = [(r"\s*" if ch == " " else re.escape(ch)) + emit(node[ch]) for ch in sorted(node)]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


def _prefilter(words: list[str]) -> re.Pattern:
    """A regex that matches wherever one of ``words`` (as ``_word_re`` reads them) could:
    the word-start rule kept, the ``$`` word-end rule dropped (a necessary condition only:
    each word's own regex confirms)."""
    ws = [fold(w.rstrip("$")) for w in words]
    lead = sorted({w for w in ws if w[:1].isalnum()})
    other = sorted({w for w in ws if w and not w[:1].isalnum()})
    parts = ([r"(?<![\w'])" + _trie(lead)] if lead else []) + ([_trie(other)] if other else [])
    return re.compile("|".join(parts) or r"(?!x)x")


@lru_cache(maxsize=None)
def _load(name: str) -> dict:
    with open(DATA / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=None)
def _load_words() -> dict:
    """Every keyword table: ``words.toml`` plus any ``words_<topic>.toml`` beside it (one file
    per group of indicators keeps the lists readable). A table name defined twice is a data
    bug and raises, so one rule lives in one place."""
    merged: dict = {}
    for path in sorted(DATA.glob("words*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for name, table in data.items():
            if name in merged:
                raise ValueError(f"keyword table [{name}] defined twice ({path.name})")
            merged[name] = table
    return merged


@lru_cache(maxsize=None)
def keywords(table: str, file: str = "words") -> Keywords:
    """The keyword list ``table`` of ``pageread/data/words*.toml`` (``file="words"``, the
    default, means all of them) or of ``pageread/data/<file>.toml``."""
    data = _load_words() if file == "words" else _load(file)
    if table not in data:
        raise KeyError(f"no [{table}] table in pageread/data/{file}*.toml")
    return Keywords(table, data[table])


def data_table(table: str, file: str = "words") -> dict:
    """A raw table of a data file (for lists that are not language keywords)."""
    return dict((_load_words() if file == "words" else _load(file)).get(table, {}))


def has(table: str, text: str | None) -> Match | None:
    """Shorthand: ``keywords(table).search(text)``."""
    return keywords(table).search(text)


_CYRL = re.compile("[\u0400-\u04ff]")
_LATN = re.compile("[A-Za-z]")  # ASCII letters: str.isascii() and str.isalpha()


def script_of(text: str) -> str:
    """``cyrl`` / ``latn`` / ``""``: the dominant script of ``text``'s letters."""
    cyr = len(_CYRL.findall(text))
    lat = len(_LATN.findall(text))
    if not cyr and not lat:
        return ""
    return "cyrl" if cyr > lat else "latn"


_RU_ONLY = set("ыэщъ")
_UZ_CYRL_ONLY = set("ўқғҳ")


def guess_lang(text: str, html_lang: str = "", url: str = "") -> str:
    """The page's language form: ``oz`` (Uzbek Latin), ``uz`` (Uzbek Cyrillic), ``ru``,
    ``en``. From the URL prefix (gov.uz style ``/oz/ /uz/ /ru/ /en/``), then ``<html lang>``,
    then the letters of the text (ў қ ғ ҳ say Uzbek Cyrillic; ы э щ ъ say Russian;
    o‘ g‘ sh ch say Uzbek Latin)."""
    m = re.search(r"/(oz|uz|ru|en|qr)(?:/|$)", url or "")
    if m:
        return {"qr": "oz"}.get(m.group(1), m.group(1))
    hl = (html_lang or "").lower()
    if hl.startswith("uz"):
        if "cyrl" in hl:
            return "uz"
        if "latn" in hl:
            return "oz"
    elif hl[:2] in ("ru", "en"):
        return hl[:2]
    sample = (text or "")[:20000].lower()
    if script_of(sample) == "cyrl":
        uz = sum(1 for c in sample if c in _UZ_CYRL_ONLY)
        ru = sum(1 for c in sample if c in _RU_ONLY)
        return "uz" if uz >= ru else "ru"
    if script_of(sample) == "latn":
        f = fold(sample)
        uzl = len(re.findall(r"[og]'|\b(va|uchun|bilan|haqida|bo'yicha)\b", f))
        en = len(re.findall(r"\b(the|and|of|for|with)\b", f))
        return "oz" if uzl > en else "en"
    return hl[:2] if hl[:2] in LANGS else ""


@lru_cache(maxsize=256)
def _tables_filter(tables: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern | None]:
    """(text prefilter, attribute prefilter) of every word of ``tables`` together."""
    kws = [keywords(t) for t in tables]
    text = _prefilter([w for k in kws for w, _ in k._words])
    attrs = sorted({w for k in kws for w, _, _ in k._attr if w})
    return text, (re.compile(_trie(attrs)) if attrs else None)


@lru_cache(maxsize=65536)
def may_name_section(tables: tuple[str, ...], text: str, href: str) -> bool:
    """False when ``menu_link`` is "" for every table of ``tables`` whatever its word cap:
    no word of any of them is in the link's text nor in its last path segment (one scan of
    each for all the tables, instead of one per table - the crawl asks this of every link
    for the 20 sections the probes follow)."""
    rx_text, rx_attr = _tables_filter(tables)
    t = fold(text)
    if t and rx_text.search(t):
        return True
    segs = [s for s in urlsplit(href).path.split("/") if s]
    return bool(segs and rx_attr is not None and rx_attr.search(fold(segs[-1])))


@lru_cache(maxsize=65536)  # menus repeat on every page: a pure function of strings
def menu_link(table: str, text: str, href: str, max_words: int) -> str:
    """The matched word when a link leads to the section a keyword list names: its text is
    a short menu item (at most ``max_words`` words) with a keyword, or the last segment of
    its path is one (``/oz/buxoro/contacts``). "" otherwise."""
    m = keywords(table).search(text)
    if m and len(fold(text).split()) <= max_words:
        return m.text
    segs = [s for s in urlsplit(href).path.split("/") if s]
    if segs:
        m = keywords(table).in_attr(segs[-1])
        if m:
            return m.text
    return ""
