"""The vnu and css gatherers: validate each HTML page of a site as served (``Page.vnu``) and
each style sheet its pages use (``Page.css``) with the run's service, started on first use
(``ensure_service``).

* ``gather_vnu(site, env)`` - each HTML page of ``site.pages`` as served (the response bytes,
  its real media type and charset; XHTML as ``application/xhtml+xml``) -> ``Page.vnu``.
* ``gather_css(site, env)`` - each style sheet a page uses -> ``Page.css``: linked sheets
  (``<link rel=stylesheet>``, fetched, at most ``CSS_LINKS_PER_PAGE`` per page, de-duplicated
  across the site by the sheet cache), ``@import`` followed one level, ``<style>`` blocks
  (``inline:<page>#style[n]``) and ``style`` attributes as one synthetic sheet of ``x{...}``
  rules (``inline:<page>#style-attributes``; each message gets ``element``/``snippet`` keys
  mapping it back to the element). Finding the sheets is ``crawler.validator.css_sources``.

When the service is unavailable the gatherers record ``FetchError(Cause.VALIDATOR_UNAVAILABLE,
...)`` in ``site.errors``; a document vnu could not read is a ``Validation.error``
(``not_checked``), never a markup error of the page.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from ..artifacts import Page, Validation
from ..causes import Cause, FetchError, cause_for_status
from .client import ValidationFailed
from .css_sources import (base_url, css_imports, decode_css, map_attribute_messages,
                          strip_charset_rule, style_attribute_sheet, style_blocks,
                          stylesheet_links)
from .service import ValidatorUnavailable, VnuService

if TYPE_CHECKING:  # pragma: no cover
    from ..artifacts import SiteCapture
    from ..capture import CaptureEnv

CSS_LINKS_PER_PAGE = 10  # linked (+ @imported) sheets fetched per page
CSS_SHEETS_PER_SITE = 60  # distinct external sheets fetched per site
CSS_MAX_BYTES = 2_000_000  # a style sheet larger than this is not fetched whole
VALIDATE_CONCURRENCY = 4  # documents in flight to the service from one gatherer

# --- the service and markup ---------------------------------------------------------------

_ENV_LOCK = threading.Lock()


def _ensure_service_sync(env: "CaptureEnv") -> VnuService:
    with _ENV_LOCK:
        svc = env.validator
        if svc is None:
            svc = env.validator = VnuService()
    if not svc.alive():
        if svc.starts == 0:
            svc.start()
        else:
            svc._recover()
    return svc


async def ensure_service(env: "CaptureEnv") -> VnuService:
    """``env.validator``, created and started on first use (in a worker thread, so other
    sites keep crawling while the JVM starts). Raises ``ValidatorUnavailable``."""
    svc = env.validator
    if isinstance(svc, VnuService) and svc.alive():
        return svc
    if isinstance(svc, VnuService) and svc.unavailable:
        raise ValidatorUnavailable(svc.unavailable)
    return await asyncio.to_thread(_ensure_service_sync, env)


def not_checked(msgs: list[dict]) -> FetchError | None:
    """vnu's "non-document-error" means the checker could not read the document (too large,
    an unsupported encoding, an I/O error): the document was not judged, so this is a
    ``Validation.error`` - never counted as a markup error of the page."""
    for m in msgs:
        if m.get("type") == "non-document-error":
            text = m.get("message") or "the checker could not read the document"
            cause = Cause.TOO_LARGE if "size exceeds" in text.lower() else Cause.OTHER
            return FetchError(cause, f"vnu: {text}")
    return None


def _pages_to_check(site: "SiteCapture") -> list[Page]:
    return [p for p in site.pages if p.response.ok and p.response.is_html and p.response.body]


async def _check_page(svc: VnuService, page: Page, sem: asyncio.Semaphore) -> None:
    resp = page.response
    ctype = svc.html_content_type(resp.headers.get("content-type", ""))
    if resp.truncated:
        page.vnu = Validation(page.url, "html", [], ctype, FetchError(
            Cause.TOO_LARGE, "the page was truncated at the body cap; not validated"))
        return
    async with sem:
        try:
            msgs = await svc.avalidate_html(resp.body, ctype)
            page.vnu = Validation(page.url, "html", msgs, ctype, not_checked(msgs))
        except (ValidatorUnavailable, ValidationFailed) as exc:
            page.vnu = Validation(page.url, "html", [], ctype, exc.to_fetch_error())


async def _service_for(site: "SiteCapture", env: "CaptureEnv", artifact: str):
    """The running service, or None with ``site.errors[artifact]`` saying why not."""
    try:
        return await ensure_service(env)
    except ValidatorUnavailable as exc:
        site.errors[artifact] = exc.to_fetch_error()
        return None


async def gather_vnu(site: "SiteCapture", env: "CaptureEnv") -> None:
    """Validate every HTML page of ``site.pages`` as served into ``Page.vnu``. When the
    service is unavailable, ``site.errors["vnu"]`` gets ``validator-unavailable``."""
    pages = _pages_to_check(site)
    if not pages:
        return
    svc = await _service_for(site, env, "vnu")
    if svc is None:
        return
    sem = asyncio.Semaphore(VALIDATE_CONCURRENCY)
    await asyncio.gather(*(_check_page(svc, p, sem) for p in pages))
    if all(p.vnu is not None and p.vnu.error is not None
           and p.vnu.error.cause == Cause.VALIDATOR_UNAVAILABLE for p in pages):
        site.errors["vnu"] = pages[0].vnu.error


# --- style sheets --------------------------------------------------------------------------

async def _validate_css_text(svc: VnuService, url: str, text: str, sem, ctype: str = "text/css",
                             where: list[dict] | None = None) -> Validation:
    async with sem:
        try:
            msgs = await svc.avalidate_css(text)
        except (ValidatorUnavailable, ValidationFailed) as exc:
            return Validation(url, "css", [], ctype, exc.to_fetch_error())
    if where is not None:
        msgs = map_attribute_messages(msgs, where)
    return Validation(url, "css", msgs, ctype, not_checked(msgs))


class _SheetCache:
    """External sheets of one site: url -> Validation (an asyncio task, so two pages that
    link the same sheet fetch and check it once) plus the imports found in it."""

    def __init__(self, svc: VnuService, env: "CaptureEnv", sem: asyncio.Semaphore):
        self.svc, self.env, self.sem = svc, env, sem
        self.tasks: dict[str, asyncio.Task] = {}
        self.page_encoding: dict[str, str] = {}  # sheet url -> encoding of the first referrer
        self.notes: list[str] = []  # visible caps, for site.notes

    def get(self, url: str) -> "asyncio.Task | None":
        if url not in self.tasks:
            if len(self.tasks) >= CSS_SHEETS_PER_SITE:
                return None
            self.tasks[url] = asyncio.ensure_future(self._fetch_and_check(url))
        return self.tasks[url]

    async def _fetch_and_check(self, url: str) -> tuple[Validation, list[str]]:
        resp = await self.env.fetcher.fetch(url, html_only=False, max_body=CSS_MAX_BYTES)
        ctype = resp.headers.get("content-type", "")
        if resp.error is not None:
            return Validation(url, "css", [], ctype, resp.error), []
        if not resp.ok:
            cause = cause_for_status(resp.status) or Cause.HTTP_ERROR
            return Validation(url, "css", [], ctype,
                              FetchError(cause, f"HTTP {resp.status}")), []
        if resp.truncated:
            return Validation(url, "css", [], ctype, FetchError(
                Cause.TOO_LARGE, f"style sheet larger than {CSS_MAX_BYTES} bytes")), []
        text = decode_css(resp.body, ctype, self.page_encoding.get(url, ""))
        v = await _validate_css_text(self.svc, resp.url or url, strip_charset_rule(text),
                                     self.sem, ctype)
        v.url = url
        return v, css_imports(text, resp.url or url)


async def _page_css(page: Page, cache: _SheetCache) -> None:
    out: list[Validation] = []
    budget = CSS_LINKS_PER_PAGE
    all_links = stylesheet_links(page)
    links = all_links[:budget]
    if len(all_links) > budget:
        cache.notes.append(f"CSS: {page.url} links {len(all_links)} style sheets; the first "
                           f"{budget} were checked")
    budget -= len(links)
    inline: list[tuple[str, str, list[dict] | None]] = []
    for i, text in enumerate(style_blocks(page), 1):
        inline.append((f"inline:{page.url}#style[{i}]", text, None))
    attr_text, where = style_attribute_sheet(page)
    if attr_text:
        inline.append((f"inline:{page.url}#style-attributes", attr_text, where))
    # one level of @import from <style> blocks, too
    base = base_url(page)
    block_imports = [u for _, t, w in inline if w is None for u in css_imports(t, base)]

    for u in links:
        cache.page_encoding.setdefault(u, page.response.encoding)
    tasks = [t for t in (cache.get(u) for u in links) if t is not None]
    inline_tasks = [asyncio.ensure_future(_validate_css_text(cache.svc, u, strip_charset_rule(t),
                                                             cache.sem, "text/css", w))
                    for u, t, w in inline]
    results = [await t for t in tasks]
    seen = set(links)
    imports: list[str] = []
    for v, imps in results:
        out.append(v)
        imports.extend(imps)
    imports.extend(block_imports)
    imp_tasks = []
    for u in dict.fromkeys(imports):
        if u in seen or budget <= 0:
            continue
        seen.add(u)
        budget -= 1
        cache.page_encoding.setdefault(u, page.response.encoding)
        t = cache.get(u)
        if t is not None:
            imp_tasks.append(t)
    for t in imp_tasks:
        v, _ignored = await t  # one level only
        out.append(v)
    for t in inline_tasks:
        out.append(await t)
    page.css = out


async def gather_css(site: "SiteCapture", env: "CaptureEnv") -> None:
    """Validate every style sheet each HTML page of ``site.pages`` uses into ``Page.css``."""
    pages = _pages_to_check(site)
    if not pages:
        return
    svc = await _service_for(site, env, "css")
    if svc is None:
        return
    cache = _SheetCache(svc, env, asyncio.Semaphore(VALIDATE_CONCURRENCY))
    await asyncio.gather(*(_page_css(p, cache) for p in pages))
    site.notes.extend(cache.notes[:5])
    if len(cache.tasks) >= CSS_SHEETS_PER_SITE:
        site.notes.append(f"CSS: only the first {CSS_SHEETS_PER_SITE} distinct style sheets "
                          f"of the site were fetched and checked")
    checked = [v for p in pages for v in p.css]
    if checked and all(v.error is not None and v.error.cause == Cause.VALIDATOR_UNAVAILABLE
                       for v in checked):
        site.errors["css"] = checked[0].error
