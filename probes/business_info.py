"""business-info - information for business (LOSI item 47.15).

Rule: the home page or a page one click from it links to a section for entrepreneurs and
investors - "Tadbirkorlik", "Тадбиркорлик ва бизнес", "Предпринимательство", "Biznes",
"Инвестицион салоҳият", "Investment potential" (``words_services.toml [business]``) - as a
short menu item (at most 5 words: a news headline about a business forum is not a section)
or by its URL (``/tadbirkorlik``, ``/business``); or one of those pages is itself such a
section (its ``<h1>`` says so). pass - such a link or page; fail - none. The words in running
text do not count.
"""

from __future__ import annotations

from .base import Artifact, Context, Finding, Follow, Hints, Probe, UIStrings
from .help import judge_section

VERSION = "1.0"
MAX_WORDS = 5

UI = UIStrings("business-info", {
    "pass": "A section for entrepreneurs is linked: “{text}” ({href}).",
    "pass_page": "A section for entrepreneurs is published: “{text}” ({href}).",
    "fail": "No section for entrepreneurs or investors is linked from the {n} page(s) checked "
            "(the home page and the pages one click away).",
    "link": "a link to a section for business (“{word}”)",
    "page": "the page is a section for business (its heading says “{word}”)",
    "checked": "checked {n} page(s)",
    "title_links": "Business links",
})


def judge(site, ctx: Context) -> Finding:
    """A link to a section for entrepreneurs/investors (a menu text of at most 5 words with
    a [business] word, or a /tadbirkorlik-like URL) on the home page or a page one click
    away, or such a page itself: pass. Nothing: fail."""
    return judge_section("business-info", UI, site, "business", MAX_WORDS)


PROBE = Probe(id="business-info", version=VERSION, requires=frozenset({Artifact.PAGES}),
              judge=judge, hints=Hints(follow=(Follow("business", 4),)))
