"""What a person watching a scan sees: progress on stderr while it runs, a summary after.

Progress moves per page, not per target: the capture side reports each page fetched and
each stage it enters (``CaptureOptions.on_event``: crawl, render, validate; the runner adds
judge), so the display shows the targets in flight, their stage and pages, and an ETA
computed from pages (the pages still expected, at the run's page rate). Pages expected per
target: the mean of the targets finished so far (the page budget before the first one).

On a terminal it is a live panel (rich). Without one - the systemd journal, cron mail, a
pipe - it prints one plain line per finished target: its number, id, time, pages, status.
Disabled (``-q``), it prints nothing; errors and the summary are not progress.
"""

from __future__ import annotations

import sys
import time


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(max(0, seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def target_status(statuses: dict[str, int], cause: str = "") -> str:
    """One word for a finished target (worst first), with its counts: ``fail (fail 2, pass
    9)``; a target whose start page could not be fetched says why (``error dns``)."""
    if cause:
        return f"error {cause}"
    for st in ("error", "fail", "warn", "pass"):
        if statuses.get(st):
            break
    else:
        st = "done"
    counts = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()) if v)
    return f"{st} ({counts})" if counts else st


class Progress:
    """Per-page progress on stderr (see the module doc). ``live``: None = a live panel when
    stderr is a terminal, plain lines otherwise."""

    MAX_ROWS = 12  # targets in flight shown on the live panel

    def __init__(self, enabled: bool, total: int, done: int, page_budget: int = 30,
                 live: bool | None = None, stream=None):
        self.enabled = enabled
        self.total, self.done = total, done
        self.finished = 0  # finished by this process (the mean is taken over these)
        self.finished_pages = 0
        self.errors = 0
        self.page_budget = max(1, page_budget)
        self.inflight: dict[str, dict] = {}  # target id -> {stage, pages, t0}
        self.t0 = time.monotonic()
        self.stream = stream or sys.stderr
        self.live = None
        if enabled:
            from rich.console import Console

            self.console = Console(file=self.stream, highlight=False)
            if live is None:
                live = self.console.is_terminal
            if live:
                from rich.live import Live

                self.live = Live(console=self.console, get_renderable=self._render,
                                 refresh_per_second=4, transient=False)

    def __enter__(self):
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *exc):
        if self.live is not None:
            self.live.stop()

    # --- what the run reports -----------------------------------------------------------
    def event(self, target_id: str, event: str, data: dict) -> None:
        """``CaptureOptions.on_event``: a stage entered or a page fetched."""
        st = self.inflight.setdefault(target_id, {"stage": "crawl", "pages": 0,
                                                  "t0": time.monotonic()})
        if event == "stage":
            st["stage"] = data.get("stage", st["stage"])
        elif event == "page":
            st["pages"] += 1

    def stage(self, target_id: str, stage: str) -> None:
        self.event(target_id, "stage", {"stage": stage})

    def advance(self, pages: int, errors: int, target_id: str = "",
                statuses: dict[str, int] | None = None, cause: str = "") -> None:
        """A target was saved: ``pages`` fetched, ``errors`` fetch errors."""
        st = self.inflight.pop(target_id, None)
        self.done += 1
        self.finished += 1
        self.finished_pages += pages
        self.errors += errors
        if self.enabled and self.live is None:
            took = time.monotonic() - st["t0"] if st else 0.0
            print(f"[{self.done}/{self.total}] {target_id or '-'}: "
                  f"{target_status(statuses or {}, cause)} · {pages} pages · {took:.1f} s · "
                  f"ETA {_clock(self.eta())}", file=self.stream, flush=True)

    # --- the figures --------------------------------------------------------------------
    @property
    def pages(self) -> int:
        """Pages fetched so far: finished targets and those in flight."""
        return self.finished_pages + sum(s["pages"] for s in list(self.inflight.values()))

    def expected_pages(self) -> float:
        """Pages the whole run is expected to fetch (finished + in flight + not started)."""
        mean = self.finished_pages / self.finished if self.finished else self.page_budget
        flying = list(self.inflight.values())
        waiting = max(0, self.total - self.done - len(flying))
        return (self.finished_pages + sum(max(s["pages"], mean) for s in flying)
                + waiting * mean)

    def rate(self) -> float:
        return self.pages / max(0.001, time.monotonic() - self.t0)

    def eta(self) -> float | None:
        rate = self.rate()
        if rate <= 0:
            return None
        return max(0.0, self.expected_pages() - self.pages) / rate

    def _render(self):
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        expected = max(1.0, self.expected_pages())
        head = Text.from_markup(
            f"[bold]scan[/] {self.done}/{self.total} targets · {self.pages}/~{int(expected)} "
            f"pages · {self.errors} errors · {self.rate():.1f} pages/s · elapsed "
            f"{_clock(time.monotonic() - self.t0)} · ETA {_clock(self.eta())}")
        bar = ProgressBar(total=expected, completed=min(self.pages, expected))
        t = Table(box=None, show_header=True, header_style="dim", pad_edge=False)
        for col in ("in flight", "stage", "pages", "time"):
            t.add_column(col)
        now = time.monotonic()
        rows = sorted(list(self.inflight.items()), key=lambda kv: kv[1]["t0"])
        for tid, s in rows[:self.MAX_ROWS]:
            t.add_row(tid, s["stage"], str(s["pages"]), f"{now - s['t0']:.0f} s")
        if len(rows) > self.MAX_ROWS:
            t.add_row(f"… {len(rows) - self.MAX_ROWS} more", "", "", "")
        return Group(head, bar, t)


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
    if s.previous_run is not None:
        t.add_row("since run " + str(s.previous_run),
                  ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s.changes.items()
                            if v and k != "unchanged") or "no change")
        t.add_row("regressions", ", ".join(f"{r['target_id']}/{r['indicator']}"
                                           for r in s.regressions[:8])
                  + (f" … {len(s.regressions) - 8} more" if len(s.regressions) > 8 else "")
                  or "none")
    rate = s.pages / s.elapsed_s if s.elapsed_s else 0
    t.add_row("elapsed", f"{s.elapsed_s:.1f} s ({rate:.1f} pages/s)")
    if s.reason:
        t.add_row("why", s.reason)
    c.print(t)


def console_err(msg: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(msg)
