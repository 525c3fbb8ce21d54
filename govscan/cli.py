"""The ``govscan`` command line: a thin face on the library.

    govscan probe INDICATOR URL [URL...]   one probe (or ``all``) against URLs
    govscan scan                           the nightly job over targets.toml
    govscan report                         the HTML report of a run
    govscan indicators                     the catalogue
    govscan demo                           the embedded loopback farm, scanned end to end
    govscan rejudge                        run today's probes again on a stored run
    govscan diff [RUN_A] [RUN_B]           what changed between two runs
    govscan runs                           the stored runs and their size
    govscan prune                          retention: drop old captures, keep findings
    govscan verdict add|list|withdraw|import   auditors' manual verdicts

Settings come from ``govscan.toml`` (``--config FILE``, else ``./govscan.toml``), flags
override it (``govscan.config``: one table, one range check for both).

Exit codes (stable; scripts depend on them; ``govscan.pipeline.exit_code``):
    0  the run completed and no finding is ``fail`` or ``error`` (with ``--fail-on
       regressions``: no regression)
    1  the run completed with failures (with ``--fail-on regressions``: regressions)
    2  usage error (bad arguments or settings, bad targets file, unknown indicator or
       target, a database that cannot be opened or created) - one line on stderr
    3  the run was aborted (a signal, another run holds the lock, an internal error) - one
       line on stderr, the traceback in the log file
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from . import config
from .pipeline import EXIT_ABORTED, EXIT_OK, EXIT_USAGE, exit_code

DEFAULT_DB = "govscan.db"
DEFAULT_OUT = "reports-out"
LOG_NAME = "govscan-errors.log"  # beside the database, unless --log-file / log_file


class UsageError(Exception):
    pass


def _say(msg: str) -> None:
    """One line on stderr (errors, the run's start and outcome: never silenced by -q)."""
    print(msg, file=sys.stderr, flush=True)


def _db(args) -> str:
    return getattr(args, "db", None) or DEFAULT_DB


def open_store(db: str, must_exist: bool = False):
    """The database, or a one-line usage error when it cannot be opened or created."""
    from .store import Store

    if must_exist and not Path(db).exists():
        raise UsageError(f"{db}: no such database (run `govscan scan` first)")
    try:
        return Store(db)
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise UsageError(f"{db}: cannot open or create the database: {why}") from None


# --- shared option groups -----------------------------------------------------------------

def _add_fetch_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fetching")
    g.add_argument("--ca-bundle", metavar="PEM",
                   help="trust this extra CA certificate bundle (PEM) besides the system store")
    g.add_argument("--allow-private", action="store_true", default=None,
                   help="permit loopback/private/link-local addresses (refused by default: "
                        "SSRF guard)")
    g.add_argument("--resolve", action="append", default=[], metavar="HOST:IP",
                   help="connect to IP for HOST, like curl --resolve (repeatable; for test "
                        "farms and split-horizon DNS)")
    g.add_argument("--user-agent", metavar="UA",
                   help="the User-Agent to send (default names govscan and a contact URL)")
    g.add_argument("--per-host-concurrency", type=int, metavar="N",
                   help="requests in flight to one host at most (default 2)")
    g.add_argument("--per-host-delay", type=float, metavar="SECONDS",
                   help="minimum seconds between request starts on one host (default 0.5; "
                        "robots.txt Crawl-delay raises it)")
    g.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="total timeout of one request (default 45)")
    g.add_argument("--global-concurrency", type=int, metavar="N",
                   help="requests in flight in total (default 16)")
    g.add_argument("--retries", type=int, metavar="N",
                   help="extra attempts for transient failures (default 2)")
    g.add_argument("--max-body", type=float, metavar="MB",
                   help="body size cap in MiB (default 8); larger pages are 'too-large'")
    g.add_argument("--no-render", action="store_true", default=None,
                   help="do not start a browser: browser probes report error "
                        "(not-captured)")


def _add_browser_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("browser")
    g.add_argument("--browser-concurrency", type=int, metavar="N",
                   help="pages rendered in Chromium at once (default 2)")
    g.add_argument("--browser-timeout", type=float, metavar="SECONDS",
                   help="seconds one page may take in the browser (default 30)")
    g.add_argument("--load-media", action="store_true", default=None,
                   help="let the browser load images, media and fonts (slower; screenshots "
                        "then show images)")
    g.add_argument("--no-screenshots", action="store_true", default=None,
                   help="take no screenshots")
    g.add_argument("--outline", action="append", default=[], metavar="SELECTOR",
                   help="also record the box of the element matching SELECTOR on every "
                        "rendered page, so evidence citing it is pictured (repeatable)")


def _capture_extra(args) -> dict:
    """Browser tuning for ``CaptureOptions.extra`` from the command line."""
    extra: dict = {}
    if getattr(args, "browser_concurrency", None) is not None:
        extra["browser_concurrency"] = args.browser_concurrency
    if getattr(args, "browser_timeout", None) is not None:
        extra["browser_timeout"] = args.browser_timeout
    if getattr(args, "load_media", False):
        extra["browser_block_media"] = False
    if getattr(args, "outline", None):
        extra["outline"] = list(args.outline)
    return extra


def _fetch_config(args, **overrides):
    from crawler.fetch import FetchConfig

    cfg = FetchConfig()
    if args.ca_bundle:
        if not Path(args.ca_bundle).is_file():
            raise UsageError(f"--ca-bundle {args.ca_bundle}: no such file")
        cfg.ca_bundle = args.ca_bundle
    cfg.allow_private = bool(args.allow_private)
    for host, ip in (getattr(args, "resolve_map", None) or {}).items():
        cfg.resolve[host.lower()] = ip
    for item in args.resolve or []:
        host, sep, ip = item.rpartition(":")
        if not sep or not host or not ip:
            raise UsageError(f"--resolve {item!r}: expected HOST:IP")
        cfg.resolve[host.lower()] = ip
    if args.user_agent:
        cfg.user_agent = args.user_agent
    if args.per_host_concurrency is not None:
        cfg.per_host_concurrency = args.per_host_concurrency
    if args.per_host_delay is not None:
        cfg.per_host_delay = args.per_host_delay
    if args.timeout is not None:
        cfg.total_timeout = args.timeout
    if getattr(args, "global_concurrency", None) is not None:
        cfg.global_concurrency = args.global_concurrency
    if getattr(args, "retries", None) is not None:
        cfg.retries = args.retries
    if getattr(args, "max_body", None) is not None:
        cfg.max_body = max(1, int(args.max_body * 1024 * 1024))
    for k, v in overrides.items():
        setattr(cfg, k, v)
    return cfg


def _parse_now(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now {value!r}: expected YYYY-MM-DD") from None


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


STATUS_STYLE = {"pass": "green", "fail": "red", "warn": "yellow", "error": "magenta",
                "manual": "cyan", "not_applicable": "dim"}


# --- govscan probe --------------------------------------------------------------------------

def print_findings_table(findings, console) -> None:
    from rich.table import Table

    table = Table(show_lines=False, expand=True)
    table.add_column("indicator", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("url", overflow="fold", max_width=40)
    table.add_column("summary", overflow="fold")
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else f
        st = d["status"]
        table.add_row(d["indicator"], f"[{STATUS_STYLE.get(st, '')}]{st}[/]", d["url"],
                      d["summary"])
    console.print(table)


def cmd_probe(args) -> int:
    from crawler.targets import valid_url
    from probes.base import select

    from .pipeline import probe_urls

    try:
        select([args.indicator])
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    for u in args.urls:
        if not valid_url(u):
            raise UsageError(f"{u!r} is not an http(s) URL")
    cfg = _fetch_config(args, per_host_delay=args.per_host_delay
                        if args.per_host_delay is not None else 0.0)
    findings = asyncio.run(probe_urls(args.indicator, args.urls, cfg, _parse_now(args.now),
                                      render=not args.no_render,
                                      exercise_post_search=bool(args.exercise_post_search),
                                      extra=_capture_extra(args),
                                      screenshots=not args.no_screenshots,
                                      target_budget=args.target_budget))  # issue 12
    if args.json:
        sys.stdout.write(json.dumps([_public(f) for f in findings], ensure_ascii=False,
                                    indent=2) + "\n")
    else:
        print_findings_table(findings, _console())
    return exit_code(f.status for f in findings)


PUBLIC_KEYS = ("indicator", "status", "url", "summary", "message", "evidence", "details",
               "decree", "un_code", "probe_version", "found_at")


def _public(f) -> dict:
    d = f.to_dict()
    return {k: d[k] for k in PUBLIC_KEYS}


# --- govscan scan / demo ----------------------------------------------------------------------

def _scan_options(args) -> "object":
    from crawler.capture import CaptureOptions

    opts = CaptureOptions()
    if getattr(args, "max_pages", None) is not None:
        opts.max_pages = args.max_pages
    if getattr(args, "render_pages", None) is not None:
        opts.render_pages = args.render_pages
    if getattr(args, "max_depth", None) is not None:
        opts.max_depth = args.max_depth
    if getattr(args, "target_budget", None) is not None:  # i13: issue 12's per-target budget
        opts.target_budget = args.target_budget  # (CaptureOptions.target_budget, seconds)
    if getattr(args, "target_concurrency", None) is not None:
        opts.extra["target_concurrency"] = args.target_concurrency
    if getattr(args, "probe_workers", None) is not None:
        opts.extra["probe_workers"] = args.probe_workers
    opts.exercise_post_search = bool(getattr(args, "exercise_post_search", False))
    opts.screenshots = not getattr(args, "no_screenshots", False)
    opts.extra.update(_capture_extra(args))
    return opts


def resolve_targets(value: str | None) -> tuple[Path, str]:
    """The targets file a scan uses, and a note when it is the bundled list: ``builtin``
    names it; a given file must exist; none given: ``./targets.toml``, else the bundled
    list of the 228 real targets - and the note says so."""
    from crawler.targets import DEFAULT_TARGETS

    if value == config.BUILTIN:
        return DEFAULT_TARGETS, "targets: the bundled list of real targets (--targets builtin)"
    if value:
        if not Path(value).is_file():
            raise UsageError(f"--targets {value}: no such file")
        return Path(value), ""
    here = Path("targets.toml")
    if here.is_file():
        return here, ""
    return DEFAULT_TARGETS, (f"targets: no targets file given and no targets.toml in "
                             f"{Path.cwd()}: using the bundled list of real targets "
                             f"({DEFAULT_TARGETS}); give --targets FILE, or --targets "
                             f"builtin to say you mean it")


def cmd_scan(args) -> int:
    from crawler.targets import TargetsError, load_targets, select_targets
    from probes.base import select

    from .progress import print_summary
    from .runner import publish_report, run_scan, summary_document

    path, note = resolve_targets(args.targets)
    if note:
        _say(note)
    try:
        targets = select_targets(load_targets(path), args.only)
    except (TargetsError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from None
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    try:
        probes = select(args.indicators or ["all"])
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    db = _db(args)
    store = open_store(db)
    _say(f"govscan scan: {len(targets)} targets from {path.resolve()} · database "
         f"{Path(db).resolve()} · config {args.config_file.resolve() if args.config_file else 'none'}")
    quiet = bool(args.quiet)
    try:
        summary = asyncio.run(run_scan(
            targets, probes, store, _scan_options(args), _fetch_config(args),
            progress=not quiet, resume=bool(args.resume), render=not args.no_render,
            now=_parse_now(args.now), regressions_after=args.regressions_after or 2,
            fail_on=args.fail_on or "failures"))
        if summary.failure is not None:
            _log_traceback(summary.failure, f"run {summary.run_id} aborted")
        extra: dict = {}
        if summary.status == "completed" and args.report:
            index = publish_report(store, summary.run_id, args.out or DEFAULT_OUT)
            extra["report"] = str(index.resolve())
            extra["latest_report"] = str((Path(args.out or DEFAULT_OUT) / "latest" /
                                          "index.html").absolute())
        doc = summary_document(store, summary, config=str(args.config_file.resolve())
                               if args.config_file else None, targets_file=str(path.resolve()),
                               **extra)
        if summary.status == "completed" and args.prune_after:
            doc["retention"] = _prune(store, args)
    finally:
        store.close()
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    files = [Path(args.summary)] if args.summary else []
    if "report" in extra:
        files.append(Path(extra["report"]).parent / "summary.json")
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
    if quiet:
        print_summary(summary)
    if summary.status != "completed":
        _say(f"govscan: run {summary.run_id or '-'} aborted: {summary.reason}"
             + (f" (traceback in {_log_path()})" if summary.failure is not None else ""))
    if "report" in extra:
        _say(f"report: {extra['latest_report']}")
    notify(args, doc, text, files[0] if files else None)
    return summary.exit_code


def notify(args, doc: dict, text: str, path: Path | None) -> None:
    """Run the notification command (``--notify``, ``[notify] command``) with the run
    summary JSON on its stdin; ``{summary}`` in its arguments is replaced by the path of
    the summary file (a temporary one when none is written), which is also in
    ``$GOVSCAN_SUMMARY``. ``when``: always, failures (exit code 1) or regressions. A hook
    that fails or times out is reported in one line; it never changes the exit code."""
    cmd = args.notify
    if not cmd:
        return
    if isinstance(cmd, str):
        cmd = shlex.split(cmd)
    elif len(cmd) == 1 and " " in cmd[0]:
        cmd = shlex.split(cmd[0])
    when = args.notify_when or "always"
    if when == "failures" and doc["exit_code"] != 1 and doc["status"] == "completed":
        return
    if when == "regressions" and not doc["regressions"]:
        return
    tmp = None
    if path is None:
        fd, tmp = tempfile.mkstemp(prefix="govscan-summary-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        path = Path(tmp)
    argv = [a.replace("{summary}", str(path)) for a in cmd]
    try:
        done = subprocess.run(argv, input=text.encode("utf-8"), capture_output=True,
                              timeout=args.notify_timeout or 60,
                              env={**os.environ, "GOVSCAN_SUMMARY": str(path)})
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            _say(f"govscan: notification command exited {done.returncode}"
                 + (f": {err[-1]}" if err else ""))
    except (OSError, subprocess.TimeoutExpired) as exc:
        _say(f"govscan: notification command failed: {exc}")
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def cmd_demo(args) -> int:
    from .demo import run_demo

    console = _console(stderr=True)
    result = asyncio.run(run_demo(Path(args.out), render=not args.no_render,
                                  progress=not args.quiet, announce=console.print))
    if result.summary.status != "completed":
        _say(f"govscan: demo run aborted: {result.summary.reason}")
    console.print(f"database: {result.db}\nreport:   {result.report}")
    return result.summary.exit_code


# --- govscan report / indicators / rejudge / diff / runs / prune ------------------------------

def cmd_report(args) -> int:
    """One run's report: into ``--out DIR`` when given, else into the reports folder's
    archive (``<reports>/runs/<N>/``, ``latest`` moved when N is the newest run). ``--pdf``
    also prints the per-target fix lists with the Chromium the capture uses (issue 11)."""
    from reports.html import build_report

    from .runner import publish_report

    pdf_browser = None
    if getattr(args, "pdf", False):
        from crawler.browser.locate import find_chromium

        pdf_browser = find_chromium()
        if pdf_browser is None:
            raise UsageError("--pdf needs Chromium (set GOVSCAN_CHROMIUM)")
    store = open_store(_db(args), must_exist=True)
    try:
        run_id = args.run or store.latest_run()
        if run_id is None or store.run(run_id) is None:
            raise UsageError(f"{_db(args)} has no run {args.run or ''}".strip())
        if args.out_given:
            print(build_report(store, run_id, Path(args.out), pdf_browser=pdf_browser))
        else:
            print(publish_report(store, run_id, args.out or DEFAULT_OUT,
                                 pdf_browser=pdf_browser))
    finally:
        store.close()
    return EXIT_OK


def cmd_indicators(args) -> int:
    from probes import catalogue
    from probes.base import registry

    reg = registry()
    rows = [{"id": i.id, "title": i.title, "decree": i.decree, "un_code": i.un_code,
             "automated": i.automated if i.id in reg else "not yet",
             "probe": i.id in reg, "browser": i.browser, "group": i.group}
            for i in catalogue.INDICATORS]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.table import Table

    t = Table(expand=True)
    for col in ("id", "title", "decree", "UN code", "automated"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["id"], r["title"], r["decree"], r["un_code"],
                  ("[green]" if r["probe"] else "[dim]") + r["automated"] + "[/]")
    _console().print(t)
    return EXIT_OK


def cmd_rejudge(args) -> int:
    """Judge a stored run again with the current probes (no network): a new run row. Prints
    JSON: ``{"run_id", "rejudge_of", "findings", "exit_code"}``."""
    from .pipeline import rejudge
    from .lock import RunLock, RunLocked

    store = open_store(_db(args), must_exist=True)
    try:
        with RunLock(store.path):  # one writer at a time, as for a scan
            result = rejudge(store, args.run, args.indicators, _parse_now(args.now))
    except RunLocked as exc:
        _say(f"govscan: {exc}")
        return EXIT_ABORTED
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    finally:
        store.close()
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return result.exit_code


KIND_TITLES = {"newly_failing": "newly failing", "newly_passing": "newly passing",
               "changed_evidence": "changed evidence", "still_failing": "still failing",
               "unjudged": "not judged in one of the runs", "new": "new", "gone": "gone"}


def cmd_diff(args) -> int:
    """What changed between two runs, per target and indicator (``govscan.changes``)."""
    from .runner import diff_runs

    store = open_store(_db(args), must_exist=True)
    try:
        d = diff_runs(store, args.run_a, args.run_b, include_unchanged=False)
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.table import Table

    shown = [k for k in KIND_TITLES if args.all or k != "still_failing"]
    c = _console()
    said = ", ".join(f"{KIND_TITLES[k]} {d['counts'][k]}" for k in KIND_TITLES
                     if d["counts"][k])
    c.print(f"run {d['from']} -> run {d['to']}: {said or 'no change'}")
    for kind in shown:
        rows = [ch for ch in d["changes"] if ch["kind"] == kind]
        if not rows:
            continue
        t = Table(title=f"{KIND_TITLES[kind]} ({len(rows)})", title_justify="left",
                  expand=True)
        for col in ("target", "indicator", "before", "after", "now"):
            t.add_column(col, overflow="fold")
        for ch in rows:
            t.add_row(ch["target_id"], ch["indicator"],
                      f"[{STATUS_STYLE.get(ch['before'], '')}]{ch['before'] or '-'}[/]",
                      f"[{STATUS_STYLE.get(ch['after'], '')}]{ch['after'] or '-'}[/]",
                      ch["after_summary"] or ch["before_summary"])
        c.print(t)
    return EXIT_OK


def cmd_runs(args) -> int:
    """The stored runs: status, when, targets, findings, and the bytes each takes."""
    store = open_store(_db(args), must_exist=True)
    try:
        sizes = {r["id"]: r for r in store.run_sizes()}
        rows = []
        for r in store.runs():
            sz = sizes.get(r["id"], {})
            rows.append({"run_id": r["id"], "status": r["status"],
                         "started_at": r["started_at"], "finished_at": r["finished_at"],
                         "rejudge_of": r["options"].get("rejudge_of"),
                         "targets": r["targets_total"],
                         "findings": (r["summary"] or {}).get("findings", {}),
                         "regressions": len((r["summary"] or {}).get("regressions", [])),
                         "captures_pruned_at": r.get("captures_pruned_at"),
                         "bytes": sz.get("bytes", 0)})
        total = store.file_size()
    finally:
        store.close()
    if args.json:
        print(json.dumps({"database_bytes": total, "runs": rows}, ensure_ascii=False,
                         indent=2))
        return EXIT_OK
    from rich.table import Table

    t = Table(title=f"{_db(args)}: {total / 1e6:.1f} MB", title_justify="left")
    for col in ("run", "status", "started", "targets", "findings", "regr.", "MB", "captures"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r["run_id"]) + (f" (rejudge of {r['rejudge_of']})" if r["rejudge_of"]
                                      else ""), r["status"], r["started_at"] or "",
                  str(r["targets"]), ", ".join(f"{k} {v}" for k, v in
                                               sorted(r["findings"].items())),
                  str(r["regressions"]), f"{r['bytes'] / 1e6:.2f}",
                  "pruned" if r["captures_pruned_at"] else "kept")
    _console().print(t)
    return EXIT_OK


def _prune(store, args) -> dict:
    from .retention import prune

    return prune(store, keep_runs=args.keep, keep_days=args.days, vacuum=bool(args.vacuum))


def cmd_prune(args) -> int:
    """Retention: drop the captures of old runs (bodies, artifacts, screenshots), keep
    every run's findings and what a kept run shows."""
    from .lock import RunLocked

    store = open_store(_db(args), must_exist=True)
    try:
        removed = _prune(store, args)
    except RunLocked as exc:
        _say(f"govscan: {exc}")
        return EXIT_ABORTED
    finally:
        store.close()
    print(json.dumps(removed))
    return EXIT_OK


# --- the parser --------------------------------------------------------------------------------

def _common() -> argparse.ArgumentParser:
    """Options every command takes (after its name)."""
    c = argparse.ArgumentParser(add_help=False)
    _config_options(c)
    return c


def _config_options(p: argparse.ArgumentParser) -> None:
    """``--config`` and ``--log-file``, before the command's name or after it (SUPPRESS:
    a subcommand's default must not wipe what was given before it)."""
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                   help="settings file (default: ./govscan.toml when there is one); flags "
                        "override it")
    p.add_argument("--log-file", metavar="FILE", default=argparse.SUPPRESS,
                   help=f"where tracebacks go (default: {LOG_NAME} beside the database)")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help=f"SQLite database (default {DEFAULT_DB}; config: database)")


def build_parser() -> argparse.ArgumentParser:
    from crawler import __version__

    p = argparse.ArgumentParser(
        prog="govscan", description="Compliance crawler for the government websites of "
        "Uzbekistan (PP-308 / UN e-government technology indicators).",
        epilog="Exit codes: 0 completed without failures, 1 completed with failures (or "
               "regressions, with --fail-on regressions), 2 usage error, 3 aborted.")
    p.add_argument("--version", action="version", version=f"govscan {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    _config_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    common = [_common()]

    sp = sub.add_parser("probe", parents=common,
                        help="run one probe (or all) against one or more URLs")
    sp.add_argument("indicator", help="an indicator id (see `govscan indicators`) or `all`")
    sp.add_argument("urls", nargs="+", metavar="URL")
    sp.add_argument("--json", action="store_true", help="print a JSON array of findings")
    sp.add_argument("--now", metavar="YYYY-MM-DD", help="fix 'today' for freshness rules")
    sp.add_argument("--exercise-post-search", action="store_true", default=None,
                    help="also send a query through a POST search form")
    # issue 12 (fetch side): the per-URL time budget -> CaptureOptions.target_budget
    sp.add_argument("--target-budget", type=float, metavar="SECONDS",
                    help="seconds one URL may take to capture (default 900); what was "
                         "captured by then is judged, the rest is 'time-budget'")
    _add_fetch_options(sp)
    _add_browser_options(sp)
    sp.set_defaults(func=cmd_probe, resolve_map=None)

    sc = sub.add_parser("scan", parents=common,
                        help="the nightly job: every target, every probe, into SQLite")
    sc.add_argument("--targets", metavar="FILE",
                    help="targets file, or `builtin` for the bundled 228 real targets "
                         "(default: config `targets`, else ./targets.toml)")
    _add_db(sc)
    sc.add_argument("--only", nargs="+", metavar="ID", help="scan only these target ids")
    sc.add_argument("--indicators", nargs="+", metavar="ID",
                    help="run only these probes (default: all)")
    sc.add_argument("--max-pages", type=int, metavar="N", help="page budget per target (30)")
    sc.add_argument("--render-pages", type=int, metavar="N",
                    help="pages rendered in the browser per target (default 3)")
    sc.add_argument("--max-depth", type=int, metavar="N",
                    help="clicks from the start page the crawl follows (default 3)")
    sc.add_argument("--target-budget", type=float, metavar="SECONDS",  # i13 + issue 12
                    help="time budget of one target; past it the target ends and what was "
                         "captured is judged")
    sc.add_argument("--target-concurrency", type=int, metavar="N",
                    help="targets captured at once (default 8); per-host limits still apply")
    sc.add_argument("--probe-workers", type=int, metavar="N",
                    help="processes judging captures (default: one per core, at most 4; "
                         "0 = in-process)")
    sc.add_argument("--resume", action="store_true",
                    help="continue the newest interrupted run instead of starting a new one")
    sc.add_argument("--now", metavar="YYYY-MM-DD", help="fix 'today' for freshness rules")
    sc.add_argument("--exercise-post-search", action="store_true", default=None,
                    help="also send a query through POST search forms")
    sc.add_argument("--report", action="store_true", default=None,
                    help="write the HTML report at the end: OUT/runs/<N>/, OUT/latest -> it")
    sc.add_argument("--out", help=f"reports folder (default {DEFAULT_OUT}; config: reports)")
    sc.add_argument("--summary", metavar="FILE",
                    help="also write the run summary JSON here (it is always in "
                         "OUT/runs/<N>/summary.json with --report)")
    sc.add_argument("--fail-on", choices=("failures", "regressions"),
                    help="what exit code 1 means: some finding fails (default) or something "
                         "got worse (a regression)")
    sc.add_argument("--regressions-after", type=int, metavar="N",
                    help="consecutive failing runs before a pass -> fail is a regression (2)")
    sc.add_argument("--notify", metavar="COMMAND",
                    help="run COMMAND with the run summary JSON on stdin ({summary}: its "
                         "file); config [notify]")
    sc.add_argument("--prune-after", action="store_true", default=None,
                    help="apply retention after a completed run (config [retention])")
    sc.add_argument("-q", "--quiet", action="store_true",
                    help="no progress display (errors and the summary are still printed)")
    _add_fetch_options(sc)
    _add_browser_options(sc)
    sc.set_defaults(func=cmd_scan, resolve_map=None, notify_when=None, notify_timeout=None,
                    keep=None, days=None, vacuum=None)

    rp = sub.add_parser("report", parents=common, help="write the HTML report of a run")
    _add_db(rp)
    rp.add_argument("--out", help="write the report into this folder (default: the reports "
                                  "folder's runs/<N>/, and latest)")
    rp.add_argument("--run", type=int, metavar="N", help="run id (default: the newest)")
    rp.add_argument("--pdf", action="store_true",  # issue 11
                    help="also print each target's fix list to PDF (Uzbek, Russian) with Chromium")
    rp.set_defaults(func=cmd_report)

    ip = sub.add_parser("indicators", parents=common, help="the indicator catalogue")
    ip.add_argument("--json", action="store_true")
    ip.set_defaults(func=cmd_indicators)

    dp = sub.add_parser("demo", parents=common,
                        help="scan the embedded loopback farm end to end (offline)")
    dp.add_argument("--out", default="govscan-demo", help="output directory (govscan-demo)")
    dp.add_argument("--no-render", action="store_true", help="skip the browser probes")
    dp.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    dp.set_defaults(func=cmd_demo)

    pr = sub.add_parser("prune", parents=common,
                        help="retention: drop old runs' captures, keep every finding")
    _add_db(pr)
    pr.add_argument("--keep", type=int, metavar="N",
                    help="keep the captures of the N newest runs")
    pr.add_argument("--days", type=float, metavar="D",
                    help="keep the captures of the runs of the last D days (default 30 "
                         "when --keep is not given)")
    pr.add_argument("--vacuum", action="store_true", default=None,
                    help="give the space back to the disk")
    pr.set_defaults(func=cmd_prune)

    rj = sub.add_parser("rejudge", parents=common,
                        help="judge a stored run again with the current probes")
    _add_db(rj)
    rj.add_argument("--run", type=int, metavar="N", help="run id (default: the newest)")
    rj.add_argument("--indicators", nargs="+", metavar="ID")
    rj.add_argument("--now", metavar="YYYY-MM-DD")
    rj.set_defaults(func=cmd_rejudge)

    df = sub.add_parser("diff", parents=common,
                        help="what changed between two runs (default: the last two)")
    df.add_argument("run_a", nargs="?", type=int, metavar="RUN_A")
    df.add_argument("run_b", nargs="?", type=int, metavar="RUN_B")
    _add_db(df)
    df.add_argument("--json", action="store_true", help="print JSON")
    df.add_argument("--all", action="store_true", help="also list the still-failing pairs")
    df.set_defaults(func=cmd_diff)

    ru = sub.add_parser("runs", parents=common, help="the stored runs and their size")
    _add_db(ru)
    ru.add_argument("--json", action="store_true")
    ru.set_defaults(func=cmd_runs)

    from .verdicts import add_parser as add_verdict_parser  # auditors' manual verdicts

    add_verdict_parser(sub, DEFAULT_DB)
    return p


# --- errors: one line on stderr, the traceback in the log file ---------------------------

_LOG_FILE: Path | None = None


def _log_path() -> Path:
    return _LOG_FILE or Path(LOG_NAME).resolve()


def _log_traceback(exc: BaseException, what: str) -> None:
    """Append ``exc``'s traceback to the log file (never raises)."""
    try:
        path = _log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {stamp} govscan {' '.join(sys.argv[1:])}\n{what}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass


class _OneLine(logging.Formatter):
    """Log records on stderr as one line each (journal-friendly); tracebacks go to the log
    file, and the line says so."""

    def format(self, record):
        msg = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            msg += f" ({record.exc_info[1]!r}; traceback in {_log_path()})"
        return msg.replace("\n", " ")


def _setup_logging(args) -> None:
    global _LOG_FILE
    log_file = getattr(args, "log_file", None)
    if log_file:
        _LOG_FILE = Path(log_file).resolve()
    elif getattr(args, "db", None) is not None or hasattr(args, "db"):
        _LOG_FILE = (Path(_db(args)).resolve().parent / LOG_NAME)
    else:
        _LOG_FILE = None
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_govscan", False):
            root.removeHandler(h)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(_OneLine())
    err._govscan = True
    handlers = [err]
    try:
        fh = logging.FileHandler(_log_path(), delay=True, encoding="utf-8")
        fh.setLevel(logging.WARNING)
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        fh._govscan = True
        handlers.append(fh)
    except OSError:
        pass
    for h in handlers:
        root.addHandler(h)
    root.setLevel(logging.DEBUG if args.verbose else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    args.out_given = getattr(args, "out", None) is not None
    words = sys.argv[1:] if argv is None else argv
    if hasattr(args, "db") and not any(w == "--db" or w.startswith("--db=") for w in words):
        args.db = None  # a parser's default (verdict's) must not hide the config's database
    try:
        config.apply(args, getattr(args, "config", None))
    except config.ConfigError as exc:
        print(f"govscan: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if hasattr(args, "db"):
        args.db = _db(args)
    _setup_logging(args)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"govscan: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("govscan: interrupted", file=sys.stderr)
        return EXIT_ABORTED
    except BrokenPipeError:  # `govscan diff --json | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - an internal error: exit 3, never 1
        _log_traceback(exc, "internal error")
        print(f"govscan: internal error: {exc!r} (traceback in {_log_path()})",
              file=sys.stderr)
        return EXIT_ABORTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
