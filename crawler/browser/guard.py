"""The SSRF guard in the browser: every request Chromium makes is checked against the
fetcher's address rule (``crawler.fetch.guard``), before it leaves the browser.

* HTTP(S): one CDP session on the *browser* target with ``Fetch.enable`` for every URL at
  the request stage. A browser-level session sees the requests of every target of the
  browser - pages, popups, out-of-process (cross-site) iframes, dedicated workers - and
  every hop of a redirect chain (each hop is paused again), navigations included. Each is
  continued, or failed with ``BlockedByClient`` when the guard refuses its host (or its
  scheme) or when it is heavy media (``block_media``: images, media, fonts - still logged).
* WebSocket: Chromium's Fetch domain does not see WebSocket handshakes; the visit routes
  them through Playwright's ``page.route_web_socket`` with the same verdict
  (``BrowserGuard.verdict``): refused ones are closed before any connection is made,
  allowed ones are connected to the server. (A WebSocket opened from inside a worker is
  not seen by that routing; service workers are blocked altogether.)
* The rule itself is not copied: a host is resolved and judged by
  ``crawler.fetch.guard.AddressGuard.checked_addresses`` - the resolve map first, IP
  literals as they are, else DNS - and refused when any address is loopback, private,
  link-local, multicast, reserved, shared or a metadata address, unless ``allow_private``.
  With ``resolve_only`` (tests, the farm) a host outside the map is never looked up here:
  Chromium's own resolver rules make it fail (``dns``).
* ``exempt``: ``host:port`` origins the rule lets through (tests only: the farm itself is
  on loopback, so a test allows exactly its page's own origin and shows that everything
  else on loopback is refused).

Verdicts are cached per ``host:port`` for the browser's life; refusals are remembered by
URL (bounded) so a visit can tell, in its network log, a guard refusal from a blocked image
(``NetRequest.failure`` = ``REFUSED_FAILURE`` and the reason).

Residual risk, said plainly: Chromium resolves the name again when it connects, so a DNS
answer that changes between the guard's lookup and Chromium's (DNS rebinding) is not caught
here; the fetcher's own connections have no such window.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from urllib.parse import urlsplit

from ..causes import Cause
from ..fetch.config import FetchConfig
from ..fetch.guard import DNSError, AddressGuard, PrivateAddressError

log = logging.getLogger(__name__)

REFUSED_FAILURE = "refused-by-govscan"  # NetRequest.failure of a request the guard refused
MEDIA_TYPES = frozenset({"Image", "Media", "Font"})  # CDP Network.ResourceType names
NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})  # no network: nothing to check
MAX_REFUSALS = 2000


def origin_key(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``; port defaulted by scheme."""
    u = urlsplit(url)
    scheme = u.scheme.lower()
    host = (u.hostname or "").lower()
    try:
        port = u.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if scheme in ("https", "wss") else 80
    return scheme, host, port


class BrowserGuard:
    """The verdicts for one pool (its ``RenderConfig``), and the browser-level interception."""

    def __init__(self, resolve: dict[str, str] | None = None, *, allow_private: bool = False,
                 resolve_only: bool = False, block_media: bool = True,
                 exempt: frozenset[str] | set[str] = frozenset()):
        self.resolve = {k.lower(): v for k, v in (resolve or {}).items()}
        self.allow_private = allow_private
        self.resolve_only = resolve_only
        self.block_media = block_media
        self.exempt = frozenset(e.lower() for e in exempt)
        self.backend = AddressGuard(FetchConfig(resolve=self.resolve,
                                                  allow_private=allow_private))
        self._verdicts: dict[tuple[str, int], str] = {}
        self._pending: dict[tuple[str, int], asyncio.Future] = {}
        self.refused: "collections.OrderedDict[str, str]" = collections.OrderedDict()
        self.counts = {"continued": 0, "refused": 0, "media": 0}

    # --- the verdict ------------------------------------------------------------------------
    async def verdict(self, url: str) -> str:
        """"" when the browser may request ``url``, else why not ("private-address: ...",
        "bad-url: ..."). Refusals are remembered (``refused``)."""
        scheme, host, port = origin_key(url)
        if scheme in LOCAL_SCHEMES:
            return ""
        if scheme not in NETWORK_SCHEMES:
            why = f"{Cause.BAD_URL}: the {scheme or 'empty'} scheme is not allowed in the browser"
        else:
            why = await self._host_verdict(host, port)
        if why:
            self.refused[url] = why
            while len(self.refused) > MAX_REFUSALS:
                self.refused.popitem(last=False)
        return why

    async def _host_verdict(self, host: str, port: int) -> str:
        key = (host, port)
        if key in self._verdicts:
            return self._verdicts[key]
        fut = self._pending.get(key)
        if fut is not None:  # one lookup per host at a time
            return await asyncio.shield(fut)
        fut = asyncio.get_running_loop().create_future()
        self._pending[key] = fut
        try:
            why = await self._judge(host, port)
            self._verdicts[key] = why
            fut.set_result(why)
            return why
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: no "never retrieved" warning
            raise
        finally:
            self._pending.pop(key, None)

    async def _judge(self, host: str, port: int) -> str:
        if not host:
            return f"{Cause.BAD_URL}: no host"
        if f"{host}:{port}" in self.exempt or self.allow_private:
            return ""
        bare = host.strip("[]")
        if bare == "localhost" or bare.endswith(".localhost"):
            # RFC 6761: Chromium answers these itself (loopback), whatever the resolver says
            bare = "127.0.0.1" if bare not in self.resolve else bare
        if self.resolve_only and bare not in self.resolve and not _is_ip(bare):
            return ""  # never looked up: Chromium's resolver rules fail it (dns)
        try:
            await self.backend.checked_addresses(bare, port)
        except PrivateAddressError as exc:
            return f"{Cause.PRIVATE_ADDRESS}: {exc}"
        except DNSError:
            return ""  # Chromium fails it the same way (dns)
        return ""

    def refusal(self, url: str) -> str:
        """Why the guard refused ``url`` ("" when it did not)."""
        return self.refused.get(url, "")

    # --- the interception -------------------------------------------------------------------
    async def attach(self, browser) -> None:
        """Intercept every request of ``browser`` (a browser-level CDP session)."""
        session = await browser.new_browser_cdp_session()
        session.on("Fetch.requestPaused", lambda ev: asyncio.ensure_future(
            self._paused(session, ev)))
        await session.send("Fetch.enable", {"patterns": [{"urlPattern": "*",
                                                           "requestStage": "Request"}]})

    async def _paused(self, session, ev: dict) -> None:
        rid = ev["requestId"]
        try:
            try:
                why = await self.verdict(ev["request"]["url"])
            except Exception as exc:  # noqa: BLE001 - fail closed
                why = f"{Cause.OTHER}: the guard failed: {exc}"
            if why:
                self.counts["refused"] += 1
                await session.send("Fetch.failRequest", {"requestId": rid,
                                                         "errorReason": "BlockedByClient"})
            elif self.block_media and ev.get("resourceType") in MEDIA_TYPES:
                self.counts["media"] += 1
                await session.send("Fetch.failRequest", {"requestId": rid,
                                                         "errorReason": "BlockedByClient"})
            else:
                self.counts["continued"] += 1
                await session.send("Fetch.continueRequest", {"requestId": rid})
        except Exception as exc:  # noqa: BLE001 - the page went away meanwhile
            log.debug("request %s not answered: %s", rid, exc)


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        return False
