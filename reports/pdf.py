"""The per-target fix list as PDF: the printable ``fix/<id>.html`` pages printed by Chromium
(Playwright's ``page.pdf``), A4, so the working group can send it as it is.

The browser is the one govscan already drives for capture, but the report does not reach
into the capture side: the caller (``govscan report --pdf``) finds the executable and hands
its path in. One browser, one page, every fix list in turn.
"""

from __future__ import annotations

from pathlib import Path

from .i18n import DEFAULT

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def fix_list_pdfs(out: Path, target_ids: list[str], browser,
                  langs=("uz", "ru")) -> list[Path]:
    """Print ``fix/<id>.html`` of each language to ``fix/<id>.pdf`` beside it. ``browser``:
    a Chromium executable's path (started and stopped here) or a running Playwright
    ``Browser`` (sync API) of the caller."""
    if not isinstance(browser, (str, Path)):
        return _print(browser, out, target_ids, langs)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        running = p.chromium.launch(executable_path=str(browser), args=LAUNCH_ARGS)
        try:
            return _print(running, out, target_ids, langs)
        finally:
            running.close()


def _print(browser, out: Path, target_ids: list[str], langs) -> list[Path]:
    written: list[Path] = []
    page = browser.new_page()
    try:
        for lang in langs:
            folder = out / ("" if lang == DEFAULT else lang) / "fix"
            for tid in target_ids:
                html = folder / f"{tid}.html"
                if not html.is_file():
                    continue
                page.goto(html.resolve().as_uri(), wait_until="load")
                pdf = html.with_suffix(".pdf")
                page.pdf(path=str(pdf), format="A4", print_background=True,
                         margin={"top": "14mm", "bottom": "14mm", "left": "12mm",
                                 "right": "12mm"})
                written.append(pdf)
    finally:
        page.close()
    return written
