"""``https`` - HTTPS access (PP-308 item 9.6, OSI #074).

Rule (indicators.md): the site is served over https with a certificate that validates
(chain, host name, dates) and plain http redirects to https. ``warn`` when it passes but: no
HSTS or max-age under one year, a temporary (302/307) instead of a permanent (301/308)
redirect, TLS older than 1.2, a certificate expiring in under 14 days, or mixed content on a
rendered page. ``error`` when no endpoint could be reached at all (with the cause).

A failed handshake is worded by its real cause (``https_failure``), from the facts the
fetcher's look-only handshakes recorded (``crawler.fetch.tls``): the protocol (the server
offers only TLS below 1.2 - with a certificate that validates that is the catalogue's
``warn``, not a ``fail``), the key exchange, or the certificate (expired, wrong host,
untrusted, self-signed...). An https endpoint that redirects to plain http is a
downgrade (``fail``). Of several Strict-Transport-Security fields only the first counts
(RFC 6797 §8.1); the evidence shows them all.

The predicates below follow cisagov/pshtt's published definitions; each docstring is the
definition it implements.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.artifacts import Response, SiteCapture, TLSInfo
from crawler.causes import ENDPOINT_DOWN, Cause

from .base import (Artifact, Context, Evidence, Finding, Message, Probe, Status, UIStrings,
                   bullets, table)

UI = UIStrings("https", {
    # summaries
    "error_unreachable": "Could not reach the site on any endpoint: {error}",
    "fail_cert": "HTTPS is not available with a valid certificate: {problem} ({error})",
    "fail_protocol": "HTTPS is not available: the server offers only {version}, which "
                     "modern browsers refuse (TLS 1.2 or newer is needed)",
    "fail_protocol_cert": "HTTPS is not available with a valid certificate: the server "
                          "offers only {version}, which modern browsers refuse, and {problem}",
    "fail_protocol_unknown": "HTTPS is not available: the TLS handshake failed on the "
                             "protocol version - the server offers none that a modern "
                             "client accepts ({error})",
    "fail_key_exchange": "HTTPS is not available: the TLS handshake failed on key exchange - "
                         "the server offers only {cipher} over {version}, which modern "
                         "clients refuse",
    "fail_handshake": "HTTPS is not available: the TLS handshake failed ({error})",
    "fail_https_error": "HTTPS is not available with a valid certificate: {error}",
    "fail_no_https": "HTTPS is not available with a valid certificate: no https endpoint "
                     "answered",
    "fail_downgrade": "HTTPS is not used: {url} redirects to plain http ({target})",
    "fail_not_forced": "Plain http is served without a redirect to https ({url} answers HTTP "
                       "{status})",
    "warn": "HTTPS works and http redirects to it, but: {defects}",
    "pass_redirect": "Valid HTTPS, http → https ({status} redirect), strong HSTS",
    "pass_http_closed": "Valid HTTPS, http → https (http closed), strong HSTS",
    # what is wrong with a certificate, the {problem} of the summaries above
    "problem_expired": "the certificate expired on {date}",
    "problem_not_yet_valid": "the certificate is not valid before {date}",
    "problem_wrong_host": "the certificate is for {names}, not for {host}",
    "problem_self_signed": "the certificate is self-signed ({subject})",
    "problem_untrusted": "the certificate is not issued by a trusted authority (issuer "
                         "{issuer})",
    "problem_revoked": "the certificate has been revoked",
    "problem_weak": "the certificate's key or signature is too weak",
    "problem_other": "the certificate does not validate",
    # the defects, joined with "; " into {defects}
    "no_hsts": "no HSTS header",
    "weak_hsts": "weak HSTS (max-age={max_age}, under one year)",
    "hsts_no_max_age": "HSTS header without a valid max-age",
    "temporary_redirect": "temporary redirect ({status}) from http to https instead of "
                          "301/308",
    "old_tls": "old TLS version {version}",
    "old_tls_only": "the server offers only {version}, which modern browsers refuse (its "
                    "headers, HSTS included, were not read)",
    "cert_expiring": "certificate expires in {days} days",
    "mixed_content": "mixed content: {n} http sub-resource(s) on https pages",
    # evidence messages
    "endpoint_error": "{endpoint}: {error}",
    "endpoint_redirects": "{endpoint}: {n} redirect(s), ends at {status} {url}",
    "endpoint_downgrade": "{endpoint}: redirects to plain http, ends at {status} {url}",
    "endpoint_no_redirect": "{endpoint}: HTTP {status}, no redirect",
    "chain_failed": "failed: {cause}",
    "hsts_header": "HSTS header on the https endpoint",
    "hsts_fields": "{n} HSTS header fields on the https endpoint: only the first counts "
                   "(RFC 6797 §8.1)",
    # a certificate, its parts joined with "; "
    "cert_valid": "certificate valid",
    "cert_invalid": "certificate INVALID: {error}",
    "cert_subject": "subject {subject}",
    "cert_no_subject": "no subject (the names are in the SAN extension)",
    "cert_names": "names {names}",
    "cert_issuer": "issuer {issuer}",
    "cert_expires": "expires {date}",
    "cert_expires_days": "expires {date} ({days} days left)",
    "cert_negotiated": "the server negotiates {version} {cipher} (read by a separate "
                       "handshake; govscan's own failed on: {failure})",
    # mixed content
    "mixed_network": "the https page requested an http {resource_type}",
    "mixed_network_untyped": "the https page requested an http resource",
    "mixed_console": "Chromium reported mixed content: {line}",
    "mixed_dom": "<{tag}> in the rendered page points at an http URL",
    # details titles
    "title_endpoints": "Endpoints",
    "title_valid_https": "Endpoints with valid HTTPS",
    "title_mixed_content": "Insecure sub-resources",
    "title_defects": "Defects",
})

STRONG_HSTS = 31536000  # one year, pshtt's "strong HSTS"
PRELOAD_MIN = 18 * 7 * 24 * 3600  # 18 weeks
EXPIRY_WARN_DAYS = 14
OLD_TLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
CERT_PROBLEMS = ("expired", "not-yet-valid", "wrong-host", "self-signed", "untrusted",
                 "revoked", "weak")  # crawler.fetch.tls names them; anything else: "other"


# --- predicates over one endpoint ---------------------------------------------------------

def is_live(r: Response | None) -> bool:
    """An endpoint is live when it answered with any HTTP response (pshtt: "Live")."""
    return r is not None and r.error is None and r.status is not None


def serves_only_old_tls(r: Response | None) -> bool:
    """An https endpoint serves only a protocol below TLS 1.2: the fetcher's handshake
    failed on the protocol and a permissive handshake negotiated SSLv3, TLS 1.0 or 1.1."""
    return r is not None and r.tls is not None and r.tls.failure == "protocol" and \
        r.tls.version in OLD_TLS


def has_valid_https(r: Response | None) -> bool:
    """An https endpoint has valid HTTPS when it answered and its certificate validated
    (chain to a trusted root, host name, dates) - pshtt "Valid HTTPS". A server that speaks
    only TLS below 1.2 with a certificate that validates counts too: the catalogue makes
    old TLS a ``warn``, not a ``fail`` (govscan reads nothing over it)."""
    if r is None or not r.requested_url.startswith("https://"):
        return False
    if serves_only_old_tls(r):
        return r.tls.verified
    return is_live(r) and (r.tls is None or r.tls.verified)


def downgrades_to_http(r: Response | None) -> bool:
    """An https endpoint downgrades when its redirect chain ends at a plain http URL
    (pshtt "Downgrades HTTPS")."""
    return r is not None and r.requested_url.startswith("https://") and bool(r.redirects) \
        and r.url.startswith("http://")


def redirects_to_https(r: Response | None) -> bool:
    """An http endpoint redirects to HTTPS when its redirect chain ends at an https URL
    (pshtt "Redirect To HTTPS", following the whole chain)."""
    return r is not None and bool(r.redirects) and r.url.startswith("https://")


def is_down(r: Response | None) -> bool:
    """An endpoint is down when it could not be connected to (no server, refused, DNS)."""
    return r is None or (r.error is not None and r.error.cause in ENDPOINT_DOWN)


def strictly_forces_https(http: Response | None) -> bool:
    """Strictly forces HTTPS: the http endpoint is either down or redirects to HTTPS
    (pshtt "Strictly Forces HTTPS")."""
    return is_down(http) or redirects_to_https(http)


def first_redirect_is_permanent(r: Response) -> bool:
    """The first hop of a redirect chain uses a permanent status (301 or 308)."""
    return bool(r.redirects) and r.redirects[0].status in (301, 308)


def hsts_fields(raw: str) -> list[str]:
    """The Strict-Transport-Security header fields of a response, in order (the fetcher
    keeps repeated fields one a line)."""
    return [f.strip() for f in raw.split("\n") if f.strip()]


def parse_hsts(value: str) -> dict:
    """Parse a Strict-Transport-Security header (RFC 6797): max-age in seconds,
    includeSubDomains, preload. Directive names are case-insensitive; the first
    max-age wins. Of several header fields only the first is processed (RFC 6797 §8.1;
    pshtt splits them too)."""
    fields = hsts_fields(value) or [""]
    out = {"max_age": None, "include_subdomains": False, "preload": False,
           "raw": fields[0], "fields": len(fields)}
    for part in fields[0].split(";"):
        part = part.strip()
        m = re.match(r"(?i)max-age\s*=\s*\"?(\d+)\"?$", part)
        if m and out["max_age"] is None:
            out["max_age"] = int(m.group(1))
        elif part.lower() == "includesubdomains":
            out["include_subdomains"] = True
        elif part.lower() == "preload":
            out["preload"] = True
    return out


def is_strong_hsts(h: dict) -> bool:
    """Strong HSTS: max-age of at least 31536000 seconds (one year) - pshtt."""
    return (h.get("max_age") or 0) >= STRONG_HSTS


def is_hsts_preload_ready(h: dict) -> bool:
    """HSTS preload ready: max-age of at least 18 weeks, includeSubDomains and preload."""
    return (h.get("max_age") or 0) >= PRELOAD_MIN and h["include_subdomains"] and h["preload"]


# --- evidence -----------------------------------------------------------------------------

def _chain_text(r: Response) -> str:
    hops = [f"{h.status} {h.url} → {h.location}" for h in r.redirects]
    end = f"{r.status} {r.url}" if r.status is not None else \
        UI.text("chain_failed", cause=str(r.error.cause) if r.error else "?")
    return "\n".join(hops + [end])


def _endpoint_evidence(key: str, r: Response) -> Evidence:
    if r.error is not None:
        msg = UI.text("endpoint_error", endpoint=key, error=r.error.message)
    elif downgrades_to_http(r):
        msg = UI.text("endpoint_downgrade", endpoint=key, status=r.status, url=r.url)
    elif r.redirects:
        msg = UI.text("endpoint_redirects", endpoint=key, n=len(r.redirects), status=r.status,
                      url=r.url)
    else:
        msg = UI.text("endpoint_no_redirect", endpoint=key, status=r.status)
    return Evidence(r.requested_url, "redirect", snippet=_chain_text(r), message=msg,
                    data={"endpoint": key, "status": r.status,
                          "hops": [h.to_dict() for h in r.redirects], "final_url": r.url,
                          "downgrade": downgrades_to_http(r),
                          "error": r.error.to_dict() if r.error else None})


def _cert_evidence(r: Response, today) -> Evidence:
    t = r.tls
    days = t.days_left(today)
    expires = t.not_after[:10] or "?"
    parts = [UI.text("cert_valid") if t.verified else
             UI.text("cert_invalid", error=t.verify_error),
             UI.text("cert_subject", subject=t.subject) if t.subject else
             UI.text("cert_no_subject"),
             UI.text("cert_issuer", issuer=t.issuer or "?"),
             UI.text("cert_expires_days", date=expires, days=days) if days is not None else
             UI.text("cert_expires", date=expires)]
    if t.sans:
        parts.insert(2, UI.text("cert_names", names=", ".join(t.sans[:8])))
    if t.failure:
        parts.append(UI.text("cert_negotiated", version=t.version or "?",
                             cipher=t.cipher or "?", failure=t.failure))
    elif t.version:
        parts.append(t.version)
    return Evidence(r.requested_url, "certificate", message="; ".join(parts),
                    data={**t.to_dict(), "days_left": days})


def _problem(t: TLSInfo, host: str) -> str:
    """The certificate problem, in words (``problem_*``)."""
    p = t.cert_problem if t.cert_problem in CERT_PROBLEMS else "other"
    if p == "expired":
        return UI.text("problem_expired", date=t.not_after[:10] or "?")
    if p == "not-yet-valid":
        return UI.text("problem_not_yet_valid", date=t.not_before[:10] or "?")
    if p == "wrong-host":
        return UI.text("problem_wrong_host", names=", ".join(t.sans[:5]) or t.subject or "?",
                       host=host)
    if p == "self-signed":
        return UI.text("problem_self_signed", subject=t.subject or "?")
    if p == "untrusted":
        return UI.text("problem_untrusted", issuer=t.issuer or "?")
    return UI.text(f"problem_{p}")


def https_failure(r: Response | None) -> Message:
    """Why an https endpoint has no valid HTTPS, by its real cause: the protocol version
    (the server offers only TLS below 1.2), the key exchange (no cipher a modern client
    accepts), the certificate (expired, not yet valid, wrong host, self-signed, untrusted,
    revoked, weak), another handshake failure, or another fetch error."""
    if r is None:
        return UI("fail_no_https")
    t = r.tls
    host = urlsplit(r.requested_url).hostname or ""
    if t is not None and t.failure == "protocol":
        if not t.version:
            return UI("fail_protocol_unknown", error=t.verify_error)
        if t.verified:
            return UI("fail_protocol", version=t.version)
        return UI("fail_protocol_cert", version=t.version, problem=_problem(t, host))
    if t is not None and t.failure == "key-exchange" and t.version:
        return UI("fail_key_exchange", version=t.version, cipher=t.cipher or "?")
    if t is not None and not t.verified and (t.cert_problem or not t.failure):
        return UI("fail_cert", problem=_problem(t, host), error=t.verify_error)
    if t is not None and t.failure:
        return UI("fail_handshake", error=t.verify_error)
    if r.error is not None:
        return UI("fail_https_error", error=r.error.message)
    return UI("fail_no_https")


# --- mixed content ---------------------------------------------------------------------
#
# Mixed content (not a probe: the ``https`` probe calls it).
#
# Rule: an https page must not load sub-resources over plain http (WCAG-independent; the
# ``https`` indicator's ``warn``). ``mixed_content(site)`` returns one ``Evidence`` per
# insecure sub-resource URL of each rendered https page, from three sources of the rendered
# capture, because Chromium hides some of them from the network log:
#
# * the network log: requests to ``http://`` made while the page's top document was https
#   (passive content such as images is shown even though the pool blocks its download);
# * Chromium's console: "Mixed Content: ... requested an insecure ... 'http://...'" - active
#   content (scripts, style sheets, iframes) is blocked before any request is made, and
#   passive content may be auto-upgraded to https; both are only visible there;
# * the rendered DOM: ``src``/``href`` of script, link[rel=stylesheet], img, iframe, audio,
#   video, source, object, embed, that start with ``http://``.
#
# ``Evidence.data``: ``resource`` (the http URL), ``resource_type``, ``source`` (network |
# console | dom), ``blocked`` (Chromium refused or upgraded it, when known).

_CONSOLE_URL = re.compile(r"insecure (?:[\w -]+ )?'(http://[^']+)'")
_CONSOLE_KIND = re.compile(r"requested an insecure ([\w -]+?) '")
_DOM_SEL = ("script[src], link[rel~=stylesheet][href], img[src], iframe[src], audio[src], "
            "video[src], source[src], object[data], embed[src], link[rel~=icon][href]")


def is_https_page(url: str) -> bool:
    return url.lower().startswith("https://")


def mixed_content(site) -> list[Evidence]:
    """Insecure (http://) sub-resources of every rendered https page of ``site``."""
    out: list[Evidence] = []
    for page in site.pages:
        r = page.rendered
        if r is None or r.error is not None:
            continue
        url = r.url or page.url
        if not is_https_page(url):
            continue
        seen: set[str] = set()

        def add(res: str, rtype: str, source: str, blocked: bool | None, msg: str):
            if res in seen:
                return
            seen.add(res)
            out.append(Evidence(url, "request", snippet=res, message=msg,
                                data={"resource": res, "resource_type": rtype,
                                      "source": source, "blocked": blocked}))

        for req in r.network:
            if req.url.lower().startswith("http://") and req.resource_type != "document" \
                    and is_https_page(req.frame_url or url):
                add(req.url, req.resource_type, "network", bool(req.failure) or None,
                    UI.text("mixed_network", resource_type=req.resource_type)
                    if req.resource_type else UI.text("mixed_network_untyped"))
        for line in r.extra.get("mixed_content_console") or []:
            m = _CONSOLE_URL.search(line)
            if not m:
                continue
            k = _CONSOLE_KIND.search(line)
            blocked = "blocked" in line or "upgraded" in line
            add(m.group(1), (k.group(1) if k else "").strip(), "console", blocked,
                UI.text("mixed_console", line=line[:300]))
        if r.dom:
            for node in r.tree.css(_DOM_SEL):
                attrs = node.attributes
                res = (attrs.get("src") or attrs.get("href") or attrs.get("data") or "").strip()
                if res.lower().startswith("http://"):
                    add(res, node.tag, "dom", None, UI.text("mixed_dom", tag=node.tag))
    return out


def _hsts_defects(main: Response, evidence: list, details: dict, defects: list) -> None:
    """The HSTS header of the canonical https endpoint: its evidence (every field), the
    parsed first field, and its defect (none, no valid max-age, under one year)."""
    hsts_raw = main.headers.get("strict-transport-security", "")
    hsts = parse_hsts(hsts_raw) if hsts_raw else None
    details["hsts"] = hsts
    if hsts_raw:
        fields = hsts_fields(hsts_raw)
        evidence.append(Evidence(main.url, "header",
                                 snippet="\n".join(f"Strict-Transport-Security: {f}"
                                                   for f in fields),
                                 message=UI.text("hsts_fields", n=len(fields))
                                 if len(fields) > 1 else UI.text("hsts_header"),
                                 data={**hsts, "all_fields": fields}))
    if hsts is None:
        defects.append(UI.text("no_hsts"))
    elif hsts["max_age"] is None:
        defects.append(UI.text("hsts_no_max_age"))
    elif not is_strong_hsts(hsts):
        defects.append(UI.text("weak_hsts", max_age=hsts["max_age"]))
    details["hsts_preload_ready"] = bool(hsts and is_hsts_preload_ready(hsts))


def judge(site: SiteCapture, ctx: Context) -> Finding:
    """Pass: an https endpoint answers with a valid certificate, and plain http (the start
    URL over http and the host roots) redirects to https or is closed. Fail: no valid https,
    or plain http serves the site without redirecting. Warn: passes, but weak/missing HSTS,
    temporary redirect, TLS < 1.2, certificate expiring within 14 days, or mixed content."""
    ep = site.endpoints
    start = site.start_url
    evidence = [_endpoint_evidence(k, r) for k, r in ep.items()]
    https_eps = {k: r for k, r in ep.items() if k.startswith("https://")}
    http_eps = {k: r for k, r in ep.items() if k.startswith("http://")}
    details: dict = {"endpoints": table(
        [{"endpoint": k, "status": r.status, "final_url": r.url, "redirects": len(r.redirects),
          "error": str(r.error.cause) if r.error else None} for k, r in ep.items()],
        headings=["endpoint", "status", "final_url", "redirects", "error"],
        title=UI.text("title_endpoints"))}

    for r in https_eps.values():
        if r.tls is not None and (r.tls.subject or r.tls.issuer or r.tls.sans):
            evidence.append(_cert_evidence(r, ctx.now))

    if ep and all(is_down(r) or (r.error is not None and r.error.cause not in
                                 (Cause.TLS_INVALID, Cause.HTTP_ERROR))
                  for r in ep.values()):
        first = next(iter(ep.values()))
        cause = first.error.cause if first.error else Cause.OTHER
        details["cause"] = str(cause)
        return Finding("https", Status.ERROR, start,
                       UI("error_unreachable", error=first.error.message), evidence, details)

    # the canonical https endpoint: the one on the start URL's host, else any valid one
    start_host = (urlsplit(start).hostname or "")
    label = "www" if start_host.startswith("www.") else "bare"
    main = https_eps.get(f"https://{label}")
    valid = [k for k, r in https_eps.items() if has_valid_https(r)]
    details["valid_https"] = bullets(valid, title=UI.text("title_valid_https"))
    defects: list[str] = []

    if main is None or not has_valid_https(main):
        bad = main if main is not None else next(iter(https_eps.values()), None)
        details["found"] = False
        if bad is not None and bad.tls is not None and bad.tls.failure:
            details["handshake_failure"] = bad.tls.failure
        return Finding("https", Status.FAIL, start, https_failure(bad), evidence, details)
    details["found"] = True
    details["downgrades"] = downgrades_to_http(main)
    if downgrades_to_http(main):
        return Finding("https", Status.FAIL, start,
                       UI("fail_downgrade", url=main.requested_url, target=main.url),
                       evidence, details)

    # http must go to https (or be closed)
    start_http = http_eps.get("http://start") or http_eps.get(f"http://{label}")
    not_forced = [k for k, r in http_eps.items()
                  if k in ("http://start", f"http://{label}") and not strictly_forces_https(r)]
    details["strictly_forces_https"] = not not_forced
    if not_forced:
        r = http_eps[not_forced[0]]
        return Finding("https", Status.FAIL, start,
                       UI("fail_not_forced", url=r.requested_url, status=r.status),
                       evidence, details)

    # warnings
    if serves_only_old_tls(main):
        # nothing was fetched over the old protocol: its headers are unknown
        defects.append(UI.text("old_tls_only", version=main.tls.version))
        details["hsts"] = None
        details["hsts_checked"] = False
    else:
        _hsts_defects(main, evidence, details, defects)

    temp = [k for k, r in http_eps.items() if r.redirects and not first_redirect_is_permanent(r)
            and redirects_to_https(r)]
    if temp:
        defects.append(UI.text("temporary_redirect",
                               status=http_eps[temp[0]].redirects[0].status))
    if main.tls is not None:
        if main.tls.version in OLD_TLS and not serves_only_old_tls(main):
            defects.append(UI.text("old_tls", version=main.tls.version))
        days = main.tls.days_left(ctx.now)
        details["certificate_days_left"] = days
        if days is not None and days < EXPIRY_WARN_DAYS:
            defects.append(UI.text("cert_expiring", days=days))
    mixed = mixed_content(site)
    if mixed:
        defects.append(UI.text("mixed_content", n=len(mixed)))
        evidence.extend(mixed)
    details["mixed_content"] = bullets([e.data.get("resource", e.url) for e in mixed],
                                       title=UI.text("title_mixed_content"))
    if "rendered" not in site.gathered:
        details["mixed_content_checked"] = False
    details["defects"] = bullets(defects, title=UI.text("title_defects"))
    if defects:
        return Finding("https", Status.WARN, start, UI("warn", defects="; ".join(defects)),
                       evidence, details)
    if start_http is not None and start_http.redirects:
        summary = UI("pass_redirect", status=start_http.redirects[0].status)
    else:
        summary = UI("pass_http_closed")
    return Finding("https", Status.PASS, start, summary, evidence, details)


PROBE = Probe(id="https", version="1.1",
              requires=frozenset({Artifact.ENDPOINTS}),
              optional=frozenset({Artifact.RENDERED}), judge=judge)
