"""The rendered half of the ``chatbot`` indicator (not a probe: the chatbot probe calls it).

``rendered_signals(site)`` lists what a chat widget injected at run time leaves on a
rendered page (``Page.rendered``, from ``crawler.render``):

* a request to a chat vendor's host in the network log (``kind="request"``);
* an (i)frame loaded from a vendor's host (``kind="frame"``);
* an open shadow root or custom element of a known embeddable bot (``kind="element"``);
* a vendor's window global (``kind="script"``: ``jivo_api``, ``Tawk_API``...);
* a visible launcher: an element floating over the page (position fixed/sticky) whose id,
  class, label, title or text says "chat" in Uzbek, Russian or English (``kind="element"``,
  vendor "self-hosted" unless a vendor was seen on the page).

* a vendor's widget element (its custom element or selector) in the rendered DOM.

Every ``Evidence.data`` has ``"vendor"`` and ``"signal"``. Vendors come from
``probes.chatbot.load_vendors()`` (probes/data/chat_vendors.toml); launcher words, the
self-hosted custom elements and a fallback vendor list (used only if that import fails) are in
``probes/data/chat_launcher.toml``.
Whether a widget is an *AI* bot cannot be seen without talking to it: the chatbot probe
reports ``details.ai_verified = false``.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .base import Evidence

DATA = Path(__file__).resolve().parent / "data" / "chat_launcher.toml"


@lru_cache(maxsize=1)
def _local() -> dict[str, Any]:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def _field(v: Any, *names: str) -> Any:
    for n in names:
        if isinstance(v, dict) and n in v:
            return v[n]
        if hasattr(v, n):
            return getattr(v, n)
    return None


@lru_cache(maxsize=1)
def vendors() -> dict[str, dict[str, list[str]]]:
    """vendor name -> {"hosts", "globals", "tags", "selectors"}: the shared vendor list
    (``probes.chatbot.load_vendors()``), or the fallback in chat_launcher.toml when it cannot
    be imported; plus the "self-hosted" custom elements."""
    out: dict[str, dict[str, list[str]]] = {}

    def add(name: str, key: str, values):
        if not values:
            return
        if isinstance(values, str):
            values = [values]
        d = out.setdefault(name, {"hosts": [], "globals": [], "tags": [], "selectors": []})
        for v in values:
            v = str(v).strip()
            if v and v not in d[key]:
                d[key].append(v)

    local = _local()
    try:
        from .chatbot import load_vendors  # the shared list (static half of the probe)

        loaded = load_vendors()
        items = loaded.items() if isinstance(loaded, dict) else \
            ((_field(v, "name", "id", "vendor") or "", v) for v in loaded)
        for name, v in items:
            name = str(_field(v, "name") or name or "?")
            add(name, "hosts", _field(v, "hosts", "domains", "host_patterns"))
            add(name, "globals", _field(v, "globals", "window_globals", "js_globals"))
            add(name, "tags", _field(v, "tags", "custom_elements", "elements"))
            add(name, "selectors", _field(v, "selectors"))
    except Exception:  # noqa: BLE001 - ImportError, or a different data shape
        out.clear()
    if not out:
        for key in ("hosts", "globals", "tags"):
            for name, values in ((local.get("fallback") or {}).get(key) or {}).items():
                add(name, key, values)
    add("self-hosted", "tags", (local.get("self_hosted") or {}).get("tags"))
    return out


def known_globals() -> list[str]:
    """Every vendor global (dotted paths allowed), for the render pool to test."""
    return sorted({g for v in vendors().values() for g in v["globals"]})


def launcher_words() -> list[str]:
    return list(_local().get("words") or [])


def vendor_for_host(host: str) -> str:
    """The vendor whose host list matches ``host`` (the host itself or a subdomain)."""
    host = (host or "").lower().rstrip(".")
    for name, v in vendors().items():
        for h in v["hosts"]:
            h = h.lower().lstrip("*.").strip()
            if "/" in h:
                h = urlsplit(h if "//" in h else "//" + h).hostname or h
            if host == h or host.endswith("." + h):
                return name
    return ""


def vendor_for_global(name: str) -> str:
    for vendor, v in vendors().items():
        if name in v["globals"]:
            return vendor
    return ""


def vendor_for_tag(tag: str) -> str:
    tag = (tag or "").lower()
    for vendor, v in vendors().items():
        if tag in (t.lower() for t in v["tags"]):
            return vendor
    return ""


def rendered_signals(site) -> list[Evidence]:
    """Chat-widget signals on the rendered pages of ``site`` (see the module docstring).
    One evidence item per (page, signal, vendor, thing); pages not rendered are skipped."""
    out: list[Evidence] = []
    seen: set[tuple] = set()

    def add(ev: Evidence):
        key = (ev.url, ev.data.get("signal"), ev.data.get("vendor"), ev.snippet or ev.selector)
        if key not in seen:
            seen.add(key)
            out.append(ev)

    for page in site.pages:
        r = page.rendered
        if r is None or r.error is not None:
            continue
        url = r.url or page.url
        page_host = urlsplit(url).hostname or ""
        vendors_here: set[str] = set()
        for req in r.network:
            host = urlsplit(req.url).hostname or ""
            v = vendor_for_host(host) if host != page_host else ""
            if v:
                vendors_here.add(v)
                add(Evidence(url, "request", snippet=req.url,
                             message=f"the page requested {v}'s host {host} "
                                     f"({req.resource_type or 'request'})",
                             data={"vendor": v, "signal": "network", "host": host,
                                   "resource_type": req.resource_type}))
        for furl in r.frames:
            host = urlsplit(furl).hostname or ""
            v = vendor_for_host(host)
            if v:
                vendors_here.add(v)
                add(Evidence(url, "frame", snippet=furl,
                             message=f"an iframe from {v} ({host}) is on the page",
                             data={"vendor": v, "signal": "frame", "host": host}))
        for g in r.globals:
            v = vendor_for_global(g)
            if v:
                vendors_here.add(v)
                add(Evidence(url, "script", snippet=f"window.{g}",
                             message=f"the page defines {v}'s global window.{g}",
                             data={"vendor": v, "signal": "global", "global": g}))
        for sh in r.extra.get("shadow") or []:
            v = vendor_for_tag(sh.get("tag", ""))
            if v:
                vendors_here.add(v)
                add(Evidence(url, "element", snippet=sh.get("html", ""),
                             selector=sh.get("selector", ""),
                             message=f"a <{sh.get('tag')}> widget with an open shadow root",
                             data={"vendor": v, "signal": "shadow-root"}))
        if r.dom:
            for vendor, v in vendors().items():
                for sel in v["tags"] + v["selectors"]:
                    try:
                        node = r.tree.css_first(sel)
                    except Exception:  # noqa: BLE001 - a selector lexbor does not support
                        node = None
                    if node is not None:
                        vendors_here.add(vendor)
                        add(Evidence(url, "element", snippet=(node.html or "")[:1000],
                                     selector=sel,
                                     message=f"{vendor}'s widget element ({sel}) is in the "
                                             f"rendered page",
                                     data={"vendor": vendor, "signal": "element"}))
                        break
        for ln in r.extra.get("launchers") or []:
            if not ln.get("fixed"):
                continue
            vendor = sorted(vendors_here)[0] if len(vendors_here) == 1 else (
                "self-hosted" if not vendors_here else ", ".join(sorted(vendors_here)))
            add(Evidence(url, "element", snippet=ln.get("html", ""),
                         selector=ln.get("selector", ""),
                         message="a visible chat launcher floats over the page"
                                 + (f": “{ln['text']}”" if ln.get("text") else ""),
                         data={"vendor": vendor, "signal": "launcher",
                               "rect": ln.get("rect")}))
    return out
