"""languages - the language versions exist and each is really in its language (OSI #015,
LOSI #212).

Rule. The versions a site offers: the target's declared variants (``targets.toml``
``languages``: the gov.uz ``/oz /uz /ru /en`` prefixes), the links of the home page's
language switcher - a link whose text names a language (``words_content.toml``
[language_oz|uz|ru|en|qr]: O‘zbekcha, O‘z, Ўзбекча, Ўз, Русский, Ру, English, En,
Qaraqalpaqsha...), whose ``hreflang`` says one, or whose URL is the home page's with only the
language segment (or ``lang=``) changed - and the home page itself. For each version, the
captured page it leads to (fetched one click away, or crawled under the variant's prefix) is
read: the language of its visible text (``<main>``, else ``<body>`` without navigation,
header and footer; scripts and styles dropped) by CLD2 (``pycld2``, offline), and for Uzbek
the script of its letters (``pageread.words.script_of``: Latin = ``oz``, Cyrillic = ``uz``;
a version named only "uz" by its URL may be either script).

pass: Uzbek Latin, Uzbek Cyrillic, Russian and English are offered and every version's page
is in its language; fail: a version's page is in another language (the page and the language
found are named), or only one language is offered; warn: otherwise (one of the four missing,
or a version whose page was not captured or has too little text to tell). Karakalpak cannot
be told from Uzbek or Kazakh by the identifier: a Karakalpak page passes unless it is in
Russian or English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from pageread.words import keywords, script_of

from .base import Artifact, Evidence, Finding, Follow, Hints, Probe, Status, UIStrings, table

VERSION = "1.0"
VARIANTS = ("oz", "uz", "ru", "en", "qr")
CORE = ("oz", "uz", "ru", "en")
MIN_LETTERS = 80  # fewer letters of visible text: too little to tell the language
TEXT_MAX = 8000  # characters of visible text identified per page
SWITCH_WORDS = 3  # a language switcher's item is a word or two ("O‘zbekcha", "Рус")
DROP = ("script", "style", "noscript", "template", "svg")
DROP_OUTSIDE_MAIN = ("nav", "header", "footer", "[role=navigation]", "[role=banner]",
                     "[role=contentinfo]")
# the language a variant's page must be in: CLD2 code (+ script for Uzbek)
EXPECTED = {"oz": ("uz", "latn"), "uz": ("uz", "cyrl"), "ru": ("ru", ""), "en": ("en", ""),
            "qr": ("", "")}
HREFLANG = {"uz-latn": "oz", "uz-cyrl": "uz", "uz": "uz?", "ru": "ru", "en": "en",
            "kaa": "qr", "qr": "qr"}
SEGMENT = {"oz": "oz", "uz": "uz?", "ru": "ru", "en": "en", "qr": "qr", "kaa": "qr",
           "uz-latn": "oz", "uz-cyrl": "uz", "ru-ru": "ru", "en-us": "en", "en-gb": "en"}

UI = UIStrings("languages", {
    "pass": "{n} language versions, each in its language: {list}.",
    "fail_wrong": "The {claimed} version ({url}) is in {found}, not in {claimed}.",
    "fail_single": "Only one language version was found ({list}).",
    "warn_missing": "Language versions found and in their languages ({list}), but no "
                    "{missing} version.",
    "warn_unchecked": "Language versions found ({list}), but the language of {unchecked} "
                      "could not be checked (page not captured or too little text).",
    "name_oz": "Uzbek (Latin)",
    "name_uz": "Uzbek (Cyrillic)",
    "name_uz?": "Uzbek",
    "name_ru": "Russian",
    "name_en": "English",
    "name_qr": "Karakalpak",
    "name_other": "another language ({code})",
    "name_unknown": "an unknown language",
    "version": "{claimed}: {url} is in {found} ({percent}% of the text)",
    "version_unchecked": "{claimed}: {url} - not checked ({why})",
    "why_not_captured": "the page was not captured",
    "why_little_text": "too little text",
    "switch_link": "language switcher link '{text}' -> {href}",
    "title_versions": "Language versions",
})


@dataclass
class Version:
    claimed: str  # oz | uz | uz? (Uzbek, either script) | ru | en | qr
    url: str  # where the version is
    how: str  # declared | switcher | hreflang | url | home
    link_text: str = ""
    link_page: str = ""
    page: object = None  # the captured Page, when there is one
    found: str = ""  # the variant found: oz | uz | ru | en | another CLD2 code | ""
    percent: int = 0
    snippet: str = ""
    why: str = ""  # why it was not checked

    @property
    def ok(self) -> bool | None:
        """True/False when checked, None when it could not be."""
        if not self.found:
            return None
        if self.claimed == "qr":
            return self.found not in ("ru", "en")
        if self.claimed == "uz?":
            return self.found in ("oz", "uz")
        return self.found == self.claimed

    @property
    def variant(self) -> str:
        """The variant this version stands for (an Uzbek one by the script found)."""
        if self.claimed == "uz?":
            return self.found if self.found in ("oz", "uz") else "uz"
        return self.claimed


def name(v: str) -> str:
    if v in VARIANTS or v == "uz?":
        return UI.text(f"name_{v}")
    return UI.text("name_other", code=v) if v else UI.text("name_unknown")


def visible_text(page) -> str:
    """The page's visible text: ``<main>`` (else ``<body>`` without navigation, header and
    footer), without scripts and styles, white space collapsed, capped. Read from a copy of
    the element (the page's cached tree is shared with the other probes)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = page.tree
    root = tree.css_first("main") or tree.css_first("[role=main]") or tree.body
    if root is None:
        return ""
    copy = LexborHTMLParser(root.html or "")
    drop = DROP if root.tag == "main" or root is not tree.body else DROP + DROP_OUTSIDE_MAIN
    for sel in drop:
        for n in copy.css(sel):
            n.decompose()
    body = copy.body or copy.root
    text = body.text(deep=True, separator=" ") if body is not None else ""
    return " ".join(text.split())[:TEXT_MAX]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


_LETTER = re.compile(r"[^\W\d_]")  # what str.isalpha() says of a character, near enough


def _letters_at_least(text: str, n: int) -> bool:
    """Whether ``text`` has ``n`` letters (counting stops there)."""
    for i, _ in enumerate(_LETTER.finditer(text), 1):
        if i >= n:
            return True
    return n <= 0


def identify(text: str) -> tuple[str, int]:
    """(variant, percent of the text) of ``text`` by CLD2, Uzbek split by script:
    ``oz``/``uz``/``ru``/``en`` or another CLD2 language code; ("", 0) when there are fewer
    than ``MIN_LETTERS`` letters or CLD2 cannot tell."""
    if not _letters_at_least(text, MIN_LETTERS):
        return "", 0
    import pycld2

    try:
        _, _, details = pycld2.detect(_CONTROL.sub(" ", text), bestEffort=True)
    except pycld2.error:
        return "", 0
    _, code, percent, _ = details[0]
    if code in ("un", "xx") or not percent:
        return "", 0
    if code == "uz":
        code = "uz" if script_of(text) == "cyrl" else "oz"
    return code, int(percent)


def _segments(url: str) -> tuple[list[str], dict[str, str]]:
    p = urlsplit(url)
    return [s for s in p.path.split("/") if s], dict(parse_qsl(p.query))


def url_variant(url: str) -> tuple[str, str]:
    """(variant the URL names, the URL with that language mark removed): a path segment
    that is a language code (``/oz/``, ``/ru/``, ``/uz-cyrl/``) or a ``lang``/``language``
    query parameter."""
    segs, query = _segments(url)
    for key in ("lang", "language", "lng", "locale"):
        if key in query and query[key].lower() in SEGMENT:
            rest = {k: v for k, v in query.items() if k != key}
            return SEGMENT[query[key].lower()], "/".join(segs) + "?" + str(sorted(rest.items()))
    for i, s in enumerate(segs):
        if s.lower() in SEGMENT:
            return SEGMENT[s.lower()], "/".join(segs[:i] + segs[i + 1:]) + "?" + \
                str(sorted(query.items()))
    return "", ""


def text_variant(text: str) -> str:
    """The variant a switcher item's text names ("" when it names none)."""
    if not text or len(text.split()) > SWITCH_WORDS:
        return ""
    for v in VARIANTS:
        if keywords(f"language_{v}").search(text):
            return v
    return ""


def switcher(home) -> list[Version]:
    """The versions the home page's language switcher offers (see the module docstring)."""
    out: list[Version] = []
    home_v, home_rest = url_variant(home.url)
    hreflang = {}
    for n in home.tree.css("a[hreflang]"):
        hreflang[(n.attributes.get("href") or "").strip()] = \
            HREFLANG.get((n.attributes.get("hreflang") or "").lower(), "")
    for lk in home.links:
        if lk.url.split("#")[0].rstrip("/") == home.url.rstrip("/"):
            continue
        v, how = text_variant(lk.text), "switcher"
        if not v:
            v = next((hv for href, hv in hreflang.items() if href and hv and
                      lk.url.endswith(href.split("#")[0])), "")
            how = "hreflang"
        if not v:
            uv, rest = url_variant(lk.url)
            if uv and home_rest and rest == home_rest and uv != home_v and \
                    urlsplit(lk.url).netloc == urlsplit(home.url).netloc:
                v, how = uv, "url"
        if v and not any(x.claimed == v for x in out):
            out.append(Version(v, lk.url, how, lk.text, home.url))
    return out


def page_for(site, version: Version, by_url: dict):
    """The captured page of a version: the page its URL leads to, else a page crawled under
    the target's declared prefix for that variant."""
    p = by_url.get(version.url.rstrip("/"))
    if p is not None:
        return p
    prefix = site.target.languages.get(version.claimed.rstrip("?"))
    if prefix:
        for q in site.html_pages(linked=True):
            if site.target.language_of(q.url) == version.claimed.rstrip("?"):
                return q
    return None


def versions(site) -> list[Version]:
    """Every version offered (declared, switcher, home), each variant once, with its page
    and the language found on it."""
    pages = site.html_pages(linked=True)
    by_url: dict = {}
    for p in pages:
        by_url.setdefault(p.url.rstrip("/"), p)
        by_url.setdefault(p.response.requested_url.rstrip("/"), p)
    home = pages[0]
    out: list[Version] = []
    for v, prefix in site.target.languages.items():
        out.append(Version(v, prefix, "declared"))
    for sw in switcher(home):
        old = next((x for x in out if x.claimed == sw.claimed or
                    (sw.claimed == "uz?" and x.claimed in ("oz", "uz") and
                     x.url.rstrip("/") == sw.url.rstrip("/"))), None)
        if old is None:
            out.append(sw)
        elif not old.link_text:
            old.link_text, old.link_page = sw.link_text, sw.link_page
            old.url = sw.url if sw.url.rstrip("/") in by_url else old.url
    home_claim = site.target.language_of(home.url) or url_variant(home.url)[0]
    for ver in out:
        ver.page = page_for(site, ver, by_url)
    if not any(x.page is home for x in out):
        out.insert(0, Version(home_claim or "", home.url, "home", page=home))
    for ver in out:
        if ver.page is None:
            ver.why = UI.text("why_not_captured")
            continue
        text = visible_text(ver.page)
        ver.found, ver.percent = identify(text)
        ver.snippet = text[:200]
        if not ver.found:
            ver.why = UI.text("why_little_text")
        if ver.claimed == "":  # the home page, with no language mark: what it is in
            ver.claimed = ver.found if ver.found in CORE else ""
    return [v for v in out if v.claimed]


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    vs = versions(site)
    offered = list(dict.fromkeys(v.variant for v in vs))
    listed = ", ".join(name(v) for v in offered)
    rows, evidence = [], []
    for v in vs:
        url = v.page.url if v.page is not None else v.url
        rows.append({"version": name(v.claimed), "url": url, "how": v.how,
                     "link": v.link_text, "found": name(v.found) if v.found else "",
                     "percent": v.percent, "ok": v.ok})
        if v.link_text:
            evidence.append(Evidence(v.link_page, "link", f'<a href="{v.url}">{v.link_text}</a>',
                                     message=UI.text("switch_link", text=v.link_text,
                                                     href=v.url)))
        evidence.append(Evidence(url, "text", v.snippet, "main" if v.page is not None else "",
                                 UI.text("version", claimed=name(v.claimed), url=url,
                                         found=name(v.found), percent=v.percent)
                                 if v.found else UI.text("version_unchecked",
                                                         claimed=name(v.claimed), url=url,
                                                         why=v.why),
                                 {"claimed": v.claimed, "found": v.found,
                                  "percent": v.percent}))
    details = {"found": len(offered) > 1, "offered": offered,
               "versions": table(rows, headings=["version", "url", "how", "link", "found",
                                                 "percent", "ok"],
                                 title=UI.text("title_versions"))}
    wrong = [v for v in vs if v.ok is False]
    if wrong:
        v = wrong[0]
        url = v.page.url
        ev = [e for e in evidence if e.url == url and e.kind == "text"] + \
            [e for e in evidence if not (e.url == url and e.kind == "text")]
        return Finding("languages", Status.FAIL, site.start_url,
                       UI("fail_wrong", claimed=name(v.claimed), url=url, found=name(v.found)),
                       ev, details)
    if len(offered) < 2:
        return Finding("languages", Status.FAIL, site.start_url,
                       UI("fail_single", list=listed or name("")), evidence, details)
    unchecked = [v for v in vs if v.ok is None]
    if unchecked:
        return Finding("languages", Status.WARN, site.start_url,
                       UI("warn_unchecked", list=listed,
                          unchecked=", ".join(name(v.claimed) for v in unchecked)),
                       evidence, details)
    missing = [c for c in CORE if c not in offered]
    if missing:
        return Finding("languages", Status.WARN, site.start_url,
                       UI("warn_missing", list=listed,
                          missing=", ".join(name(c) for c in missing)), evidence, details)
    return Finding("languages", Status.PASS, site.start_url,
                   UI("pass", n=len(offered), list=listed), evidence, details)


# weight 1, the lowest: the switched pages are fetched one click away (LINKED); a higher
# weight would send the crawl into every variant's copy of each section (contacts,
# appeals... in four languages) before the start language's own pages
FOLLOW_WEIGHT = 1
PROBE = Probe(id="languages", version=VERSION,
              requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge,
              hints=Hints(follow=tuple(Follow(f"language_{v}", FOLLOW_WEIGHT, linked=True)
                                       for v in VARIANTS)))
