"""Mixed content (not a probe: the ``https`` probe calls it).

Rule: an https page must not load sub-resources over plain http (WCAG-independent; the
``https`` indicator's ``warn``). ``mixed_content(site)`` returns one ``Evidence`` per
insecure sub-resource URL of each rendered https page, from three sources of the rendered
capture, because Chromium hides some of them from the network log:

* the network log: requests to ``http://`` made while the page's top document was https
  (passive content such as images is shown even though the pool blocks its download);
* Chromium's console: "Mixed Content: ... requested an insecure ... 'http://...'" - active
  content (scripts, style sheets, iframes) is blocked before any request is made, and
  passive content may be auto-upgraded to https; both are only visible there;
* the rendered DOM: ``src``/``href`` of script, link[rel=stylesheet], img, iframe, audio,
  video, source, object, embed, that start with ``http://``.

``Evidence.data``: ``resource`` (the http URL), ``resource_type``, ``source`` (network |
console | dom), ``blocked`` (Chromium refused or upgraded it, when known).
"""

from __future__ import annotations

import re

from .base import Evidence

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
                    f"the https page requested an http {req.resource_type or 'resource'}")
        for line in r.extra.get("mixed_content_console") or []:
            m = _CONSOLE_URL.search(line)
            if not m:
                continue
            k = _CONSOLE_KIND.search(line)
            blocked = "blocked" in line or "upgraded" in line
            add(m.group(1), (k.group(1) if k else "").strip(), "console", blocked,
                "Chromium reported mixed content: " + line[:300])
        if r.dom:
            for node in r.tree.css(_DOM_SEL):
                attrs = node.attributes
                res = (attrs.get("src") or attrs.get("href") or attrs.get("data") or "").strip()
                if res.lower().startswith("http://"):
                    add(res, node.tag, "dom", None,
                        f"<{node.tag}> in the rendered page points at an http URL")
    return out
