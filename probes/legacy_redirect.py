"""``legacy-redirect`` - the target's pre-2025 domains redirect to its gov.uz section.

Since 1 March 2025 (government resolution of 31.01.2025) every state body's site lives only
on gov.uz; an old domain must redirect to the body's gov.uz section or stop working. The
crawler fetches ``http(s)://<legacy domain>/`` for each known legacy domain (``LEGACY``) and
keeps every redirect hop.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from crawler.artifacts import Response, SiteCapture
from crawler.causes import ENDPOINT_DOWN

from .base import Artifact, Context, Evidence, Finding, Probe, Status, UIStrings

UI = UIStrings("legacy-redirect", {
    # summaries
    "not_applicable": "No legacy domain is known for this target",
    "error_not_fetched": "Legacy domains are known but were not fetched",
    "fail": "Legacy domain {domain} does not redirect to the gov.uz section",
    "warn": "Legacy domain {domain} redirects to the platform, not to the target's section",
    "pass": "Every legacy domain redirects to the section or is off",
    # evidence messages: "<domain> <what it does>"
    "domain": "{domain} {what}",
    "off": "does not answer ({cause})",
    "redirects": "redirects to the section ({chain})",
    "platform": "redirects to the platform, not the section ({chain})",
    "broken": "fails: {error}",
    "own_site": "still serves its own site: HTTP {status} at {url}",
    "elsewhere": "redirects elsewhere ({chain})",
})


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # offline: the bundled public-suffix snapshot only, never fetched at run time
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(host: str) -> str:
    """The registrable domain of a host (``www.buxoro.uz`` -> ``buxoro.uz``,
    ``old.my.gov.uz`` -> ``gov.uz``); the host itself when it has no known public suffix."""
    ext = _extractor()(host)
    rd = ext.top_domain_under_public_suffix if hasattr(ext, "top_domain_under_public_suffix") \
        else ext.registered_domain
    return rd or host


def is_off(r: Response) -> bool:
    """A legacy domain is off when nothing answers there (no DNS name, refused, no route)."""
    return r.error is not None and r.error.cause in ENDPOINT_DOWN


def redirects_into(r: Response, site: SiteCapture) -> bool:
    """A legacy domain redirects correctly when its redirect chain ends inside the target's
    own scope (its gov.uz section, any language variant)."""
    return bool(r.redirects) and site.target.contains(r.url)


def redirects_to_platform(r: Response, site: SiteCapture) -> bool:
    """It redirects to the platform's host, but not to the target's own section."""
    start_host = urlsplit(site.start_url).hostname or ""
    final_host = urlsplit(r.url).hostname or ""
    return bool(r.redirects) and final_host.removeprefix("www.") == \
        start_host.removeprefix("www.")


def judge(site: SiteCapture, ctx: Context) -> Finding:
    """Pass: every known legacy domain redirects into the target's section, or is off.
    Warn: a legacy domain redirects to the platform but not to the section (e.g. the gov.uz
    home page). Fail: a legacy domain still serves a site of its own (or redirects
    elsewhere). Not applicable: no legacy domain is known for the target."""
    if not site.target.legacy_domains:
        return Finding("legacy-redirect", Status.NOT_APPLICABLE, site.start_url,
                       UI("not_applicable"), details={"found": False})
    evidence, verdicts = [], {}
    for r in site.legacy:
        chain = " → ".join([h.url for h in r.redirects] + [r.url])
        if is_off(r):
            v, msg = "off", UI.text("off", cause=str(r.error.cause))
        elif redirects_into(r, site):
            v, msg = "redirects", UI.text("redirects", chain=chain)
        elif redirects_to_platform(r, site):
            v, msg = "platform", UI.text("platform", chain=chain)
        elif r.error is not None:
            v, msg = "broken", UI.text("broken", error=r.error.message)
        else:
            v, msg = "own-site", (UI.text("own_site", status=r.status, url=r.url)
                                  if not r.redirects else UI.text("elsewhere", chain=chain))
        host = urlsplit(r.requested_url).netloc
        verdicts[host] = v
        evidence.append(Evidence(r.requested_url, "redirect",
                                 message=UI.text("domain", domain=host, what=msg),
                                 data={"verdict": v, "final_url": r.url,
                                       "registered_domain": registered_domain(
                                           urlsplit(r.url).hostname or ""),
                                       "hops": [h.to_dict() for h in r.redirects]}))
    details = {"legacy": verdicts, "found": bool(site.legacy)}
    if not site.legacy:
        return Finding("legacy-redirect", Status.ERROR, site.start_url,
                       UI("error_not_fetched"), evidence, {**details, "cause": "not-captured"})
    bad = [h for h, v in verdicts.items() if v in ("own-site", "broken")]
    if bad:
        return Finding("legacy-redirect", Status.FAIL, site.start_url,
                       UI("fail", domain=bad[0]), evidence, details)
    partial = [h for h, v in verdicts.items() if v == "platform"]
    if partial:
        return Finding("legacy-redirect", Status.WARN, site.start_url,
                       UI("warn", domain=partial[0]), evidence, details)
    return Finding("legacy-redirect", Status.PASS, site.start_url, UI("pass"), evidence,
                   details)


PROBE = Probe(id="legacy-redirect", version="1.0",
              requires=frozenset({Artifact.PAGES, Artifact.LEGACY}),
              judge=judge)
