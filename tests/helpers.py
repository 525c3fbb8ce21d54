"""Builders for captures in tests: judge probes on saved/synthetic pages without a crawl."""

from __future__ import annotations

from crawler.artifacts import Page, Response, SiteCapture
from crawler.targets import Target


def html_response(url: str, html: str | bytes, status: int = 200,
                  headers: dict[str, str] | None = None, encoding: str = "utf-8") -> Response:
    body = html.encode(encoding) if isinstance(html, str) else html
    h = {"content-type": f"text/html; charset={encoding}"}
    h.update({k.lower(): v for k, v in (headers or {}).items()})
    return Response(requested_url=url, url=url, status=status, headers=h, body=body,
                    encoding=encoding)


def site_from_pages(pages: dict[str, str | bytes], start_url: str | None = None,
                    scope: str | None = None, linked: dict[str, str] | None = None,
                    gathered=("pages",)) -> SiteCapture:
    """A SiteCapture whose crawled pages are ``pages`` (url -> html), the first the home."""
    urls = list(pages)
    start = start_url or urls[0]
    target = Target.for_url(start) if scope is None else Target(
        "t", "", "", "url", start, scope)
    site = SiteCapture(target=target)
    for u, h in pages.items():
        site.pages.append(Page(html_response(u, h), scope=target.scope))
    for u, h in (linked or {}).items():
        site.linked.append(Page(html_response(u, h), role="linked", scope=target.scope))
    site.gathered.update(gathered)
    return site


def chromium_errors(paths) -> list[str] | None:
    """Open each local HTML file in Debian's Chromium (through Playwright) and return the
    console errors, uncaught exceptions and failed local requests; None without Chromium."""
    import shutil

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return None
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}")
                if r.url.startswith("file:") else None)
        for path in paths:
            page.goto(path.as_uri())
            if not page.title():
                errors.append(f"no title: {path}")
        browser.close()
    return errors


async def capture_urls(urls: list[str], artifacts, fetch_config, *, capture_dir="",
                       options=None, resolve_only: bool = False, concurrency: int = 2,
                       on_site=None, hints=None) -> list[SiteCapture]:
    """Capture only (no judging): each URL as its own one-page target (``single_url``) with
    the real fetcher, ``crawler.capture.capture_site`` and one browser pool, gathering
    ``artifacts``. ``hints`` (a ``crawler.artifacts.Hints``) replaces ``options.hints``.
    Up to ``concurrency`` sites at once; the pool is closed at the end. ``on_site(site)`` is
    called as each capture finishes (to judge and drop it on long runs). Without
    ``capture_dir`` no screenshots are taken."""
    import asyncio
    from pathlib import Path

    from crawler.capture import CaptureEnv, CaptureOptions, capture_site
    from crawler.fetch import Fetcher

    opts = options or CaptureOptions(single_url=True, render_pages=1)
    if hints is not None:
        opts.hints = hints
    if resolve_only:
        opts.extra.setdefault("browser_resolve_only", True)
    if not capture_dir:
        opts.screenshots = False
    opts.extra.setdefault("browser_concurrency", concurrency)
    out: list[SiteCapture | None] = [None] * len(urls)
    sem = asyncio.Semaphore(concurrency)
    async with Fetcher(fetch_config) as fetcher:
        env = CaptureEnv(fetcher=fetcher, options=opts,
                         capture_dir=Path(capture_dir) if capture_dir else Path(""),
                         resolve=dict(fetch_config.resolve or {}))

        async def one(i: int, url: str):
            async with sem:
                t = Target.for_url(url)
                site = await capture_site(Target(f"{t.id}-{i}", "", "", "url", url, t.scope),
                                          artifacts, env)
                if env.renderer is not None:
                    await env.renderer.release_site(site)
                if on_site is not None:
                    on_site(site)
                out[i] = site

        try:
            await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
        finally:
            if env.renderer is not None:
                await env.renderer.close()
    return [s for s in out if s is not None]


def probe_hints(*extra):
    """The hints the selected probes declare (all probes), merged with ``extra`` - what the
    pipeline hands the gatherers. Tests only: gatherers never read probes."""
    from crawler.artifacts import Hints
    from probes.base import registry

    return Hints.merge([p.hints for p in registry().values()] + list(extra))

