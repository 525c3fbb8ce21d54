"""last-updated - information on the last update (OSI #072, LOSI evidence of updates).

Rule: the newest evidence of an update, and its age against ``ctx.now``:

* evidence: visible stamps ("Date edited: 03/01/2025 17:16", "Tahrirlangan sana",
  "Обновлено", "Yangilangan"), dated news items ("Mart 29, 2022", "29 марта 2022",
  "31-01-2023"...), ``<meta property="article:modified_time">`` and friends, JSON-LD
  ``dateModified``/``datePublished``, ``<time datetime>``, Next.js payload dates
  (``"date":"2026-05-05 14:25:00"``), relative stamps inside news items ("Bugun, 14:25",
  "Вчера в 09:10", "3 kun oldin", dated from the day the page was fetched), other full dates
  in the visible text, and sitemap
  ``lastmod`` (only from sitemaps that list nothing but this target's URLs);
* never evidence: the HTTP ``Last-Modified`` header alone (often the render time; it is
  recorded in ``details`` only), "today's date" widgets ("bugun : 03.08.2021"), copyright
  years ("© 2010 – 2018"; years are never read as dates), dates in the future (beyond
  ``ctx.now`` + 1 day: ignored and noted).

pass - the newest evidence is at most 31 days old; warn - older; fail - no dated evidence.
``details``: ``date`` (ISO), ``source`` (the kind), ``age_days``, ``url``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pageread.dates import DateHit, copyright_years, newest, parse_date
from pageread.facts import page_facts, rendered_facts

from .base import (in_reach, Artifact, Context, Evidence, Finding, Follow, Hints, Probe, Status,
                   UIStrings, counts, table)

VERSION = "1.1"
MAX_AGE_DAYS = 31

UI = UIStrings("last-updated", {
    # summaries
    "pass": "Updated recently: newest evidence {date} ({kind}), {age} day(s) old.",
    "warn": "Update evidence is old: newest {date} ({kind}), {age} days old (more than "
            "{max_age}).",
    "fail": "No dated evidence of an update was found on {n} page(s).",
    # evidence messages
    "nothing_dated": "no update stamp, dated news, meta/JSON-LD date or sitemap lastmod",
    "newest": "newest evidence: {date} ({kind}), {age} day(s) before {today}",
    "also": "also: {date} ({kind})",
    "http_last_modified": "the HTTP Last-Modified header is not evidence of an update on its "
                          "own (often the render time)",
    "ignored_today_widget": "a today's-date widget is not an update stamp: {raw}",
    "ignored_future": "a date in the future was ignored: {raw}",
    "ignored_shared_sitemap": "lastmod of a sitemap shared with other targets was not used: "
                              "{raw}",
    "copyright": "a copyright year is not an update stamp",
    # details titles
    "title_evidence_counts": "Dated evidence, by kind",
    "title_ignored": "Dates not used",
    "title_ignored_counts": "Dates not used, by reason",
    "title_copyright_notices": "Copyright notices",
    "title_http_last_modified": "HTTP Last-Modified headers",
})


def sitemap_hits(site) -> list[DateHit]:
    """``lastmod`` of XML sitemaps as date evidence. A sitemap that also lists URLs of
    other targets (a host-wide gov.uz sitemap) cannot date this target: its lastmods are
    kept as rejected (``shared-sitemap``)."""
    out = []
    for d in site.sitemaps:
        if d.error or d.is_index or not d.urls:
            continue
        mine = [u for u in d.urls if site.target.contains(u)]
        if not mine:
            continue
        shared = len(mine) < len(d.urls)
        for raw in d.lastmods[:2000]:
            when = parse_date(raw)
            if when is None:
                continue
            out.append(DateHit(when, "sitemap-lastmod", raw, d.url, f"<lastmod>{raw}</lastmod>",
                               rejected="shared-sitemap" if shared else ""))
    return out


def _judge(site, ctx: Context, pages: list) -> Finding:
    """The newest dated evidence of an update (visible update stamps, dated news items,
    article:modified_time and similar meta, JSON-LD dateModified/datePublished,
    <time datetime>, Next.js payload dates, other full visible dates, sitemap lastmod of a
    target-only sitemap) is at most 31 days old: pass; older: warn; none: fail. Not evidence:
    the HTTP Last-Modified header alone, today's-date widgets, copyright years, dates beyond
    now + 1 day (ignored and noted)."""
    url = site.start_url
    now = ctx.now if isinstance(ctx.now, dt.date) else dt.date.today()
    if isinstance(now, dt.datetime):
        now = now.date()
    limit = now + dt.timedelta(days=1)
    hits: list[DateHit] = []
    http_lm: list[dict] = []
    copyrights: list[dict] = []
    facts = [page_facts(p) for p in pages]
    for p, fx in zip(pages, facts):
        hits.extend(fx.dates)
        rf = rendered_facts(p)
        if rf is not None:
            hits.extend(h for h in rf.dates
                        if h.kind in ("next-payload", "app-state") or not h.rejected)
        lm = p.response.headers.get("last-modified")
        if lm:
            http_lm.append({"url": p.url, "last-modified": lm})
        for c in copyright_years(fx.body_text):
            copyrights.append({"url": p.url, "text": c})
    hits.extend(sitemap_hits(site))
    for h in hits:
        if not h.rejected and h.date > limit:
            h.rejected = "future"
    best = newest(hits)
    rejected = [h for h in hits if h.rejected]
    kinds = Counter(h.kind for h in hits if not h.rejected)
    details = {
        "found": best is not None, "pages_checked": len(pages),
        "date": best.when.isoformat() if best else None,
        "source": best.kind if best else None,
        "age_days": max(0, (now - best.date).days) if best else None,
        "url": best.url if best else None,
        "evidence_counts": counts(dict(kinds), title=UI.text("title_evidence_counts")),
        "ignored": table([{"reason": h.rejected, "raw": h.raw, "kind": h.kind, "url": h.url,
                           "context": h.context[:120]} for h in rejected[:10]],
                         headings=["reason", "raw", "kind", "url", "context"],
                         title=UI.text("title_ignored")),
        "ignored_counts": counts(dict(Counter(h.rejected for h in rejected)),
                                 title=UI.text("title_ignored_counts")),
        "copyright_notices": table(copyrights[:3], headings=["url", "text"],
                                   title=UI.text("title_copyright_notices")),
        "http_last_modified": table(http_lm[:3], headings=["url", "last-modified"],
                                    title=UI.text("title_http_last_modified")),
        "max_age_days": MAX_AGE_DAYS,
    }
    if "sitemaps" in site.errors:
        details["sitemaps_error"] = site.errors["sitemaps"].to_dict()
    notes = []
    if http_lm:
        notes.append(Evidence(http_lm[0]["url"], "header",
                              f"Last-Modified: {http_lm[0]['last-modified']}",
                              message=UI.text("http_last_modified")))
    for reason in ("today-widget", "future", "shared-sitemap"):
        h = next((x for x in rejected if x.rejected == reason), None)
        if h:
            notes.append(Evidence(h.url, "date", h.context or h.raw, h.css(),
                                  UI.text("ignored_" + reason.replace("-", "_"), raw=h.raw),
                                  {"reason": reason}))
    if copyrights:
        notes.append(Evidence(copyrights[0]["url"], "text", copyrights[0]["text"],
                              message=UI.text("copyright")))
    if best is None:
        return Finding("last-updated", Status.FAIL, url, UI("fail", n=len(pages)),
                       notes or [Evidence(url, "message", message=UI.text("nothing_dated"))],
                       details)
    age = details["age_days"]
    ev = [Evidence(best.url, "date", best.context or best.raw, best.css(),
                   UI.text("newest", date=best.when.date().isoformat(), kind=best.kind,
                           age=age, today=now.isoformat()),
                   {"date": best.when.isoformat(), "kind": best.kind, "raw": best.raw})]
    for kind in sorted(kinds, key=lambda k: k != best.kind):
        if kind == best.kind:
            continue
        other = newest(h for h in hits if h.kind == kind)
        if other is not None:
            ev.append(Evidence(other.url, "date", other.context or other.raw, other.css(),
                               UI.text("also", date=other.when.date().isoformat(),
                                       kind=other.kind),
                               {"date": other.when.isoformat(), "kind": other.kind}))
        if len(ev) >= 3:
            break
    ev += notes
    if age <= MAX_AGE_DAYS:
        return Finding("last-updated", Status.PASS, url,
                       UI("pass", date=best.date.isoformat(), kind=best.kind, age=age),
                       ev, details)
    return Finding("last-updated", Status.WARN, url,
                   UI("warn", date=best.date.isoformat(), kind=best.kind, age=age,
                      max_age=MAX_AGE_DAYS), ev, details)


# the sections this probe reads besides the home page (its Follow tables)
SECTIONS = ("news",)

judge = in_reach(SECTIONS, _judge, rendered=True)


# SITEMAPS is optional: lastmod is one source among many; its failure is noted in details.
PROBE = Probe(id="last-updated", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.SITEMAPS}), judge=judge,
              # a few dated news pages are enough: news comes after the evidence pages
              hints=Hints(follow=(Follow("news", 3),)))
