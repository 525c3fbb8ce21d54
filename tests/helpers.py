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


def page_html(body: str, head: str = "") -> str:
    """A minimal whole page around ``body`` (``head`` goes after the title)."""
    return (f"<!doctype html><html><head><title>t</title>{head}</head>"
            f"<body>{body}</body></html>")


def judge_home(probe, home: str, body: str, linked: dict[str, str] | None = None):
    """``probe`` run on a site whose home page ``home`` has ``body``, with ``linked`` (url ->
    body) as the pages one click away."""
    from probes.base import Context, run_probe

    site = site_from_pages({home: page_html(body)},
                           linked={u: page_html(b) for u, b in (linked or {}).items()},
                           gathered=("pages", "linked"))
    return run_probe(probe, site, Context())


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
    """Capture only (no judging), through the pipeline's ``capture_each``: each URL as its
    own one-page target, gathering ``artifacts``. ``hints`` (a ``crawler.artifacts.Hints``)
    replaces ``options.hints``; ``on_site(site)`` is called as each capture finishes."""
    from crawler.capture import CaptureOptions
    from govscan.pipeline import Plan, capture_each
    from probes.base import Context

    opts = options or CaptureOptions(single_url=True, render_pages=1)
    if hints is not None:
        opts.hints = hints
    if resolve_only:
        opts.extra.setdefault("browser_resolve_only", True)
    opts.extra.setdefault("browser_concurrency", concurrency)
    job = Plan([], frozenset(artifacts), opts, Context())
    return await capture_each(urls, job, fetch_config, capture_dir=capture_dir or None,
                              concurrency=concurrency,
                              on_site=(lambda i, s: on_site(s)) if on_site else None)


def probe_hints(*extra):
    """The hints the selected probes declare (all probes), merged with ``extra`` - what the
    pipeline hands the gatherers. Tests only: gatherers never read probes."""
    from crawler.artifacts import Hints
    from probes.base import registry

    return Hints.merge([p.hints for p in registry().values()] + list(extra))



class PeakTree:
    """Peak memory of a process and all its descendants (this process by default), sampled
    in a thread (psutil): the sum of PSS (proportional set size: shared pages split between
    processes - the honest total of a multi-process browser) and the sum of RSS (an upper
    bound: shared pages counted once per process). ``exclude``: process ids left out with
    their descendants (a server the measurement is not about). ``split()``: the peak PSS
    since the last split. Used by the hostile tests and ``bench/``.

    RSS (``/proc/<pid>/statm``, a few microseconds) is read every ``interval`` s. PSS needs
    the kernel to walk each process's page tables (``smaps_rollup``: 2-12 ms per Chromium
    process on a busy 2-core box); with ``pss_share`` set, PSS is read only as often as keeps
    that walk at that share of one core (the next read waits ``cost / pss_share`` after one
    that cost ``cost``), else every ``interval``. The benches set it: sampled every 0.2 s,
    the reads of a 16-process browser tree took a tenth of the machine's CPU (perf: the
    kernel's ``smaps_account`` in the bench's own process), from whichever tool was being
    measured - most from the one that keeps both cores busy."""

    def __init__(self, root: int | None = None, exclude=(), interval: float = 0.1,
                 pss_share: float | None = None):
        import os
        import threading

        self.root, self.exclude, self.interval = root or os.getpid(), set(exclude), interval
        self.pss_share = pss_share
        self.peak_mb = self.since_mb = self.peak_rss_mb = 0.0
        self.pss_reads = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _procs(self, psutil):
        # one walk of the process table (``children(recursive=True)``), not one per process
        # of the tree (each ``children()`` reads every /proc entry of the machine)
        root = psutil.Process(self.root)
        if root.pid in self.exclude:
            return []
        out, dropped = [root], set(self.exclude)
        for p in root.children(recursive=True):
            try:
                if p.pid in dropped or p.ppid() in dropped:
                    dropped.add(p.pid)
                    continue
            except psutil.Error:
                continue
            out.append(p)
        return out

    def _run(self):
        import time

        import psutil

        def total(procs, read) -> int:  # bytes; a process gone meanwhile counts 0
            n = 0
            for p in procs:
                try:
                    n += read(p)
                except (psutil.Error, OSError):
                    pass
            return n

        next_pss = 0.0
        while not self._stop.is_set():
            try:
                procs = self._procs(psutil)
            except psutil.Error:
                procs = []
            rss = total(procs, lambda p: p.memory_info().rss)
            self.peak_rss_mb = max(self.peak_rss_mb, rss / 2 ** 20)
            if time.monotonic() >= next_pss:
                t0 = time.monotonic()
                mb = total(procs, lambda p: p.memory_full_info().pss) / 2 ** 20
                self.pss_reads += 1
                self.peak_mb, self.since_mb = max(self.peak_mb, mb), max(self.since_mb, mb)
                cost = time.monotonic() - t0
                next_pss = t0 + (cost / self.pss_share if self.pss_share else 0.0)
            self._stop.wait(self.interval)

    def split(self) -> float:
        out, self.since_mb = self.since_mb, 0.0
        return out

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
