"""findability - found on the first results page of national search engines (OSI item 9.1,
LOSI item 47.3).

Rule: always ``manual`` - whether a search engine lists the site on its first results page
can only be seen on that engine's results page, which govscan does not query. The details
carry the on-page basics that decide whether an engine can index the home page at all:
``<title>``, meta description, ``<meta name=robots>`` and ``X-Robots-Tag`` (noindex),
robots.txt allowing ``/`` to any crawler, Googlebot and YandexBot (RFC 9309: 4xx = allow,
5xx/unreachable = disallow), XML sitemaps (robots.txt ``Sitemap:`` lines, fetched
sitemaps), ``<link rel=canonical>`` and ``hreflang`` alternates; ``details.basics_missing``
lists what is missing.
"""

from __future__ import annotations

from .base import Artifact, Evidence, Finding, Probe, Status, UIStrings, bullets, table
from .sitemap import robots_sitemaps

VERSION = "1.0"
ENGINES = ("*", "Googlebot", "YandexBot")

UI = UIStrings("findability", {
    "manual": "Needs a person: search for the body's name on the national search engines "
              "and check that this site is on the first results page. On-page basics: "
              "{basics}.",
    "basics_ok": "all present",
    "missing": "missing {items}",
    "check": "search for '{name}' and check the first results page",
    "title_alternates": "hreflang alternates",
    "title_robots": "robots.txt for search engines",
    "title_sitemaps": "XML sitemaps",
})


def robots_allow(robots, url: str) -> dict[str, bool | None]:
    """Per crawler token, whether robots.txt lets it fetch ``url`` (None: not gathered)."""
    if robots is None:
        return {t: None for t in ENGINES}
    if robots.error is not None or robots.status is None or robots.status >= 500:
        return {t: False for t in ENGINES}
    if 400 <= robots.status < 500:
        return {t: True for t in ENGINES}
    from protego import Protego

    try:
        rp = Protego.parse(robots.text)
    except Exception:  # noqa: BLE001 - an unparsable file restricts nothing
        return {t: True for t in ENGINES}
    return {t: bool(rp.can_fetch(url, t)) for t in ENGINES}


def basics(site) -> dict:
    """The on-page facts of the module docstring, read from the home page."""
    home = site.home
    tree = home.tree

    def head_text(sel: str, attr: str) -> str:
        n = tree.css_first(sel)
        return (n.attributes.get(attr) or "").strip() if n is not None else ""
    title = tree.css_first("title")
    meta_robots = head_text('meta[name="robots" i]', "content")
    x_robots = home.response.headers.get("x-robots-tag", "")
    alternates = [{"hreflang": n.attributes.get("hreflang") or "",
                   "href": n.attributes.get("href") or ""}
                  for n in tree.css("link[rel~=alternate][hreflang]")][:12]
    sitemaps = robots_sitemaps(site.robots) + [d.url for d in site.sitemaps if not d.error]
    out = {"title": title.text(strip=True)[:200] if title is not None else "",
           "meta_description": head_text('meta[name="description" i]', "content")[:300],
           "meta_robots": meta_robots, "x_robots_tag": x_robots,
           "noindex": "noindex" in (meta_robots + " " + x_robots).lower(),
           "robots_allow": robots_allow(site.robots, home.url),
           "sitemaps": list(dict.fromkeys(sitemaps))[:10],
           "canonical": head_text("link[rel~=canonical]", "href"),
           "hreflang": alternates}
    missing = [k for k in ("title", "meta_description", "canonical", "sitemaps", "hreflang")
               if not out[k]]
    if out["noindex"]:
        missing.append("indexing allowed (noindex)")
    if any(v is False for v in out["robots_allow"].values()):
        missing.append("robots.txt allows search engines")
    out["basics_missing"] = missing
    return out


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    b = basics(site)
    said = UI.text("basics_ok") if not b["basics_missing"] else \
        UI.text("missing", items=", ".join(b["basics_missing"]))
    name = site.target.name_uz or b["title"] or site.start_url
    details = {"found": not b["basics_missing"], **{k: v for k, v in b.items()
                                                   if k not in ("hreflang", "sitemaps",
                                                                "robots_allow")},
               "robots_allow": table([{"crawler": k, "allowed": v}
                                      for k, v in b["robots_allow"].items()],
                                     title=UI.text("title_robots")),
               "sitemaps": bullets(b["sitemaps"], title=UI.text("title_sitemaps")),
               "hreflang": table(b["hreflang"], headings=["hreflang", "href"],
                                 title=UI.text("title_alternates"))}
    ev = [Evidence(site.home.url, "message", message=UI.text("check", name=name))]
    return Finding("findability", Status.MANUAL, site.start_url, UI("manual", basics=said),
                   ev, details)


PROBE = Probe(id="findability", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.ROBOTS, Artifact.SITEMAPS}), judge=judge)
