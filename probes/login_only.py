"""The login-only indicators (OSI items 10, 11, 13-17; LOSI 13, 14, 16): favourite-services,
transaction-history, own-data-access, own-data-edit, business-data-access,
business-data-edit, save-resume.

One rule for the family: these features exist only behind a login through the national
identity provider (OneID), and govscan never signs in or sends credentials. So the finding
is always ``manual``: the message says what an auditor must check, and how; the details
carry the proxy facts read from the home page and the pages one click from it - a login
through OneID (a link to one of ``probes/data/content_portals.toml`` [identity] hosts:
id.egov.uz, sso.egov.uz, id.gov.uz, or a button saying OneID) and a personal-cabinet link
(``words_content.toml`` [personal_cabinet]: Shaxsiy kabinet, Шахсий кабинет, Личный кабинет,
Personal account). The auditor's verdict is entered with the manual-verdict command.
"""

from __future__ import annotations

from functools import lru_cache

from pageread.facts import site_memo
from pageread.words import fold

from .base import near_pages, Artifact, Finding, Probe, Status, UIStrings
from .help import LinkHit
from .procurement import hits_table, portal_data, portal_hosts, portal_links, section_links

VERSION = "1.0"
INDICATORS = ("favourite-services", "transaction-history", "own-data-access",
              "own-data-edit", "business-data-access", "business-data-edit", "save-resume")

UI = UIStrings("login-only", {
    "manual": "Needs a person with a OneID login: {check} Proxy facts: {facts}.",
    # what the auditor checks, per indicator
    "check_favourite-services": "sign in, open the services catalogue and check that a "
                                "service can be marked as a favourite (a star or 'add to "
                                "my services') and then shows in the personal cabinet.",
    "check_transaction-history": "sign in, open the personal cabinet and check that earlier "
                                 "applications are listed with their dates and current "
                                 "status.",
    "check_own-data-access": "sign in as a citizen and check that the cabinet shows the "
                             "person's own data held by the state (passport, address, "
                             "tax or pension records).",
    "check_own-data-edit": "sign in as a citizen and check that the person can correct or "
                           "update some of their own data (contact phone, e-mail, address) "
                           "online.",
    "check_business-data-access": "sign in with a legal entity's key (OneID for legal "
                                  "entities) and check that the company's own records "
                                  "(registration, licences, tax data) are shown.",
    "check_business-data-edit": "sign in as a legal entity and check that the company can "
                                "update its own records (contacts, director, address) "
                                "online.",
    "check_save-resume": "sign in, start a service application, leave it half-filled and "
                         "check that it is kept as a draft that can be resumed later.",
    "fact_oneid": "a OneID login is linked ({href})",
    "fact_no_oneid": "no OneID login link was seen",
    "fact_cabinet": "a personal cabinet is linked ('{text}')",
    "fact_no_cabinet": "no personal-cabinet link was seen",
    "oneid_link": "a login through the national identity provider (OneID)",
    "cabinet_link": "a personal-cabinet link ('{word}')",
    "title_links": "Login and cabinet links",
})


@lru_cache(maxsize=65536)  # menus repeat on every page
def _names_oneid(text: str, url: str) -> str:
    """The [identity] word that a link's (folded) text or its URL holds; "" if none."""
    t = fold(text) + " " + url.lower()
    return next((w for w in _oneid_words() if w in t), "")


@lru_cache(maxsize=1)
def _oneid_words() -> tuple[str, ...]:
    return tuple(fold(w) for w in portal_data()["identity"]["words"])


def oneid_links(pages) -> list[LinkHit]:
    """Links to the national identity provider: a link to an [identity] host, or a link whose
    text or URL names OneID."""
    out = portal_links(pages, portal_hosts("identity"))
    seen = {h.href for h in out}
    for page in pages:
        for lk in page.links:
            if lk.url in seen:
                continue
            w = _names_oneid(lk.text, lk.url)
            if w:
                seen.add(lk.url)
                out.append(LinkHit(page.url, lk.url, lk.text, w))
    return out


def proxy_facts(site) -> tuple[list[LinkHit], list[LinkHit]]:
    """(OneID login links, personal-cabinet links) on the home page and one click away
    (read once per capture for the seven indicators of the family)."""
    def read(site):
        pages = near_pages(site, ("personal_cabinet",))
        return oneid_links(pages), section_links(pages, "personal_cabinet")

    return site_memo(site, "login-only.proxy", read)


def judge_for(indicator: str):
    def judge(site, ctx) -> Finding:
        """Always manual (see the module docstring): what to check, and the proxy facts."""
        oneid, cabinet = proxy_facts(site)
        facts = [UI.text("fact_oneid", href=oneid[0].href) if oneid else
                 UI.text("fact_no_oneid"),
                 UI.text("fact_cabinet", text=cabinet[0].text) if cabinet else
                 UI.text("fact_no_cabinet")]
        evidence = [h.evidence(UI.text("oneid_link")) for h in oneid[:2]]
        evidence += [h.evidence(UI.text("cabinet_link", word=h.word))
                     for h in cabinet[:2]]
        details = {"found": bool(oneid or cabinet), "oneid_login": bool(oneid),
                   "personal_cabinet": bool(cabinet),
                   "how_to_check": UI.text(f"check_{indicator}"),
                   "links": hits_table(oneid + cabinet, UI.text("title_links"))}
        return Finding(indicator, Status.MANUAL, site.start_url,
                       UI("manual", check=UI.text(f"check_{indicator}"),
                          facts="; ".join(facts)), evidence, details)
    judge.__doc__ = (f"{indicator}: manual - needs a OneID session. " +
                     UI.strings[f"check_{indicator}"])
    return judge


PROBES = tuple(Probe(id=i, version=VERSION,
                     requires=frozenset({Artifact.PAGES, Artifact.LINKED}), judge=judge_for(i))
               for i in INDICATORS)
