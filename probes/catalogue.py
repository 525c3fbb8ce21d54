"""The indicator catalogue: the project's public vocabulary.

Transcribed from ``research/indicators.md``. Each indicator has a canonical id (used by the
CLI, the database, the report and the tests), the decree wording it comes from (PP-308 of
14.09.2023, Annex 1, roadmap item 9 = the 20 OSI technology indicators for the national
portal, item 47 = the LOSI technology indicators for hokimiyat portals), the UN DESA toolkit
code (a label, not an authority), and whether govscan judges it automatically.

``automated`` is one of:
  * ``full``   - govscan decides pass/fail itself;
  * ``proxy``  - govscan measures a stand-in the UN rule does not name exactly;
  * ``manual`` - needs a person (a logged-in session, a search engine's results page):
                 govscan reports ``manual`` plus whatever on-page facts help.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    decree: str  # where PP-308 asks for it
    un_code: str  # UN DESA OSI/LOSI toolkit code(s)
    automated: str  # full | proxy | manual
    browser: bool  # needs a rendered page for (part of) the judgement
    group: str  # core | technology | content


def _i(id, title, decree, un_code, automated="full", browser=False, group="technology"):
    return Indicator(id, title, decree, un_code, automated, browser, group)


_OSI = "PP-308 Annex 1 item 9.{n} (OSI technology indicator {n}/20)"
_LOSI = "PP-308 Annex 1 item 47.{n} (LOSI technology indicator {n})"


def _both(osi: int | None, losi: int | None) -> str:
    parts = []
    if osi:
        parts.append(_OSI.format(n=osi))
    if losi:
        parts.append(_LOSI.format(n=losi))
    return "; ".join(parts)


INDICATORS: tuple[Indicator, ...] = (
    # A. the core set
    _i("https", "HTTPS access", _both(6, None), "OSI #074", group="core"),
    _i("search", "Site search function", _both(2, 6), "OSI #003, LOSI #206", group="core"),
    _i("advanced-search", "Advanced search", _both(9, 7), "OSI #004, LOSI #207", group="core"),
    _i("sitemap", "Sitemap", _both(3, 5), "OSI #005, LOSI #205", group="core"),
    _i("last-updated", "Information on the last update", _both(8, 12), "OSI #072", group="core"),
    _i("contact-form", "Ability to send appeals (contact/appeal form)", _both(4, None),
       "LOSI #271, OSI #021 (nearest)", group="core"),
    _i("contact-us", "\"Contact us\" function", _both(5, 1), "OSI #008, LOSI #214", group="core"),
    _i("chatbot", "AI chat-bot", _both(18, None), "OSI #09a, LOSI #270b", browser=True,
       group="core"),
    _i("wcag", "WCAG 2.0 compliance", _both(20, 9), "LOSI #210", browser=True, group="core"),
    _i("w3c-markup", "W3C markup validity", _both(19, 18), "OSI #195/#196, LOSI #208",
       group="core"),
    _i("w3c-css", "W3C CSS validity", _both(19, 8), "OSI #195/#196, LOSI #209", group="core"),
    # B. the rest of the two technology lists
    _i("findability", "Findable on national search engines", _both(1, 3), "OSI, LOSI (no code in the catalogue)",
       automated="manual"),
    _i("responsive", "Comfortable (responsive) web design / mobile access", _both(7, 4),
       "OSI, LOSI (no code in the catalogue)", automated="proxy", browser=True),
    _i("browser-compat", "Usable in browsers", _both(None, 2), "LOSI (no code in the catalogue)", automated="proxy",
       browser=True),
    _i("favourite-services", "Choosing/marking most used services", _both(10, None), "OSI",
       automated="manual"),
    _i("transaction-history", "Tracking earlier transactions", _both(11, None), "OSI",
       automated="manual"),
    _i("help", "Instructions and help links", _both(12, None), "OSI"),
    _i("own-data-access", "Citizens access their own data", _both(13, 13), "OSI, LOSI",
       automated="manual"),
    _i("own-data-edit", "Citizens change their own data", _both(14, 14), "OSI, LOSI",
       automated="manual"),
    _i("business-data-access", "Legal entities use their data", _both(15, None), "OSI",
       automated="manual"),
    _i("business-data-edit", "Legal entities change their data", _both(16, 16), "OSI, LOSI",
       automated="manual"),
    _i("save-resume", "Save a partial transaction and resume", _both(17, None), "OSI",
       automated="manual"),
    _i("online-support", "Online user support", _both(None, 10), "LOSI", automated="proxy",
       browser=True),
    _i("usage-stats", "Online-service usage statistics", _both(None, 11), "LOSI"),
    _i("business-info", "Information for business", _both(None, 15), "LOSI"),
    _i("helpdesk-phone", "Technical-support phone numbers", _both(None, 17), "LOSI"),
    # C. other indicators a crawler can check (roadmap items 10-12, 48-50)
    _i("privacy-policy", "Privacy policy", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #014, LOSI #234", group="content"),
    _i("open-data", "Open data", "PP-308 Annex 1 items 10-12, 48-50", "OSI #037, LOSI #236",
       group="content"),
    _i("social-media", "Social media", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #007, LOSI #273", group="content"),
    _i("languages", "Language versions", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #015, LOSI #212", group="content"),
    _i("procurement", "Public procurement", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #028/#030, LOSI #220/#221", group="content"),
    _i("org-structure", "Organisational structure", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #010, LOSI #215", group="content"),
    _i("leadership", "Leadership with contacts", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #011, LOSI #216", group="content"),
    _i("e-participation", "E-participation", "PP-308 Annex 1 items 10-12, 48-50",
       "OSI #034, LOSI #272/#275", group="content"),
    _i("accessibility-mode", "Version for the visually impaired",
       "PP-308 Annex 1 items 10-12, 48-50", "-", browser=True, group="content"),
    _i("legacy-redirect", "Legacy domain redirects to gov.uz",
       "CoM resolution of 31.01.2025 (single gov.uz platform)", "-", group="content"),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}


def get(indicator_id: str) -> Indicator:
    try:
        return BY_ID[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator id {indicator_id!r}; "
                       f"known: {', '.join(BY_ID)}") from None
