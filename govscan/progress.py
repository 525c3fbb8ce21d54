"""What a person watching a scan sees: progress on stderr while it runs, a summary after."""

from __future__ import annotations

import time


class Progress:
    """rich progress on stderr: targets done/total, pages, errors, rate, ETA."""

    def __init__(self, enabled: bool, total: int, done: int):
        self.enabled = enabled
        self.pages = 0
        self.errors = 0
        self.done = done
        self.total = total
        self.t0 = time.monotonic()
        self.progress = None
        if enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.console = Console(stderr=True)
            self.progress = Progress(
                TextColumn("[bold]scan[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("targets · {task.fields[pages]} pages · {task.fields[errors]} "
                           "errors · {task.fields[rate]} pages/s"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=self.console, transient=False)
            self.task = self.progress.add_task("scan", total=total, completed=done, pages=0,
                                               errors=0, rate="0.0")

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def advance(self, pages: int, errors: int):
        self.pages += pages
        self.errors += errors
        self.done += 1
        if self.progress is not None:
            rate = self.pages / max(0.001, time.monotonic() - self.t0)
            self.progress.update(self.task, completed=self.done, pages=self.pages,
                                 errors=self.errors, rate=f"{rate:.1f}")


def print_summary(s) -> None:
    """The end-of-run table (a ``govscan.runner.RunSummary``)."""
    from rich.console import Console
    from rich.table import Table

    c = Console(stderr=True, highlight=False)
    t = Table(title=f"run {s.run_id}: {s.status}", show_header=False, box=None)
    t.add_row("targets", f"{s.targets_done} scanned" + (f" + {s.targets_resumed} from before "
                                                        f"the resume" if s.targets_resumed
                                                        else "") + f" / {s.targets_total}")
    t.add_row("pages", f"{s.pages} ({s.requests} HTTP requests)")
    t.add_row("findings", ", ".join(f"{k} {v}" for k, v in sorted(s.findings.items())) or "-")
    t.add_row("fetch errors", ", ".join(f"{k} {v}" for k, v in s.errors.items()) or "none")
    rate = s.pages / s.elapsed_s if s.elapsed_s else 0
    t.add_row("elapsed", f"{s.elapsed_s:.1f} s ({rate:.1f} pages/s)")
    if s.reason:
        t.add_row("why", s.reason)
    c.print(t)


def console_err(msg: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(msg)
