"""The ``govscan`` command line: a thin face on the library.

    govscan probe INDICATOR URL [URL...]   one probe (or ``all``) against URLs
    govscan scan                           the nightly job over targets.toml
    govscan report                         the HTML report of a run
    govscan indicators                     the catalogue
    govscan demo                           the embedded loopback farm, scanned end to end
    govscan rejudge                        run today's probes again on a stored run
    govscan prune                          keep only the newest runs (retention)
    govscan verdict add|list|withdraw|import   auditors' manual verdicts

Exit codes (stable; scripts depend on them):
    0  the run completed and no finding is ``fail`` or ``error``
    1  the run completed with failures (some finding is ``fail`` or ``error``)
    2  usage error (bad arguments, bad targets file, unknown indicator or target)
    3  the run was aborted (interrupted, another run holds the lock, internal failure)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from .pipeline import EXIT_ABORTED, EXIT_OK, EXIT_USAGE, exit_code

DEFAULT_DB = "govscan.db"
DEFAULT_OUT = "reports-out"


class UsageError(Exception):
    pass


# --- shared option groups -----------------------------------------------------------------

def _add_fetch_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fetching")
    g.add_argument("--ca-bundle", metavar="PEM",
                   help="trust this extra CA certificate bundle (PEM) besides the system store")
    g.add_argument("--allow-private", action="store_true",
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
    g.add_argument("--no-render", action="store_true",
                   help="do not start a browser: browser probes report error "
                        "(not-captured)")


def _add_browser_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("browser")
    g.add_argument("--browser-concurrency", type=int, metavar="N",
                   help="pages rendered in Chromium at once (default 2)")
    g.add_argument("--browser-timeout", type=float, metavar="SECONDS",
                   help="seconds one page may take in the browser (default 30)")
    g.add_argument("--load-media", action="store_true",
                   help="let the browser load images, media and fonts (slower; screenshots "
                        "then show images)")
    g.add_argument("--no-screenshots", action="store_true",
                   help="take no screenshots")
    g.add_argument("--outline", action="append", default=[], metavar="SELECTOR",
                   help="also record the box of the element matching SELECTOR on every "
                        "rendered page, so evidence citing it is pictured (repeatable)")


def _capture_extra(args) -> dict:
    """Browser tuning for ``CaptureOptions.extra`` from the command line."""
    extra: dict = {}
    if getattr(args, "browser_concurrency", None):
        extra["browser_concurrency"] = args.browser_concurrency
    if getattr(args, "browser_timeout", None):
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
    for item in args.resolve:
        host, sep, ip = item.rpartition(":")
        if not sep or not host or not ip:
            raise UsageError(f"--resolve {item!r}: expected HOST:IP")
        cfg.resolve[host.lower()] = ip
    if args.user_agent:
        cfg.user_agent = args.user_agent
    if args.per_host_concurrency:
        cfg.per_host_concurrency = args.per_host_concurrency
    if args.per_host_delay is not None:
        cfg.per_host_delay = args.per_host_delay
    if args.timeout:
        cfg.total_timeout = args.timeout
    if getattr(args, "global_concurrency", None):
        cfg.global_concurrency = args.global_concurrency
    if getattr(args, "retries", None) is not None:
        cfg.retries = args.retries
    if getattr(args, "max_body", None):
        cfg.max_body = int(args.max_body * 1024 * 1024)
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
                                      exercise_post_search=args.exercise_post_search,
                                      extra=_capture_extra(args),
                                      screenshots=not args.no_screenshots))
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
    if getattr(args, "max_pages", None):
        opts.max_pages = args.max_pages
    if getattr(args, "render_pages", None) is not None:
        opts.render_pages = args.render_pages
    if getattr(args, "max_depth", None) is not None:
        opts.max_depth = args.max_depth
    if getattr(args, "target_concurrency", None):
        opts.extra["target_concurrency"] = args.target_concurrency
    if getattr(args, "probe_workers", None) is not None:
        opts.extra["probe_workers"] = args.probe_workers
    opts.exercise_post_search = bool(getattr(args, "exercise_post_search", False))
    opts.screenshots = not getattr(args, "no_screenshots", False)
    opts.extra.update(_capture_extra(args))
    return opts


def cmd_scan(args) -> int:
    from crawler.targets import TargetsError, load_targets, select_targets
    from probes.base import select

    from .runner import run_scan
    from .store import Store

    try:
        targets = select_targets(load_targets(args.targets), args.only)
    except (TargetsError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from None
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    try:
        probes = select(args.indicators or ["all"])
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    store = Store(args.db)
    try:
        summary = asyncio.run(run_scan(
            targets, probes, store, _scan_options(args), _fetch_config(args),
            progress=not args.quiet, resume=args.resume, render=not args.no_render,
            now=_parse_now(args.now)))
    finally:
        store.close()
    if args.report and summary.run_id is not None:
        print(_write_report(args.db, args.out, summary.run_id))
    return summary.exit_code


def cmd_demo(args) -> int:
    from .demo import run_demo

    console = _console(stderr=True)
    result = asyncio.run(run_demo(Path(args.out), render=not args.no_render,
                                  progress=not args.quiet, announce=console.print))
    console.print(f"database: {result.db}\nreport:   {result.report}")
    return result.summary.exit_code


# --- govscan report / indicators / rejudge ----------------------------------------------------

def cmd_report(args) -> int:
    print(_write_report(args.db, args.out, args.run))
    return EXIT_OK


def _write_report(db: str, out: str, run: int | None) -> Path:
    from reports.html import build_report

    from .store import Store

    if not Path(db).exists():
        raise UsageError(f"{db}: no such database (run `govscan scan` first)")
    store = Store(db)
    try:
        run_id = run or store.latest_run()
        if run_id is None or store.run(run_id) is None:
            raise UsageError(f"{db} has no run {run or ''}".strip())
        return build_report(store, run_id, Path(out))
    finally:
        store.close()


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
    """Judge a stored run again with the current probes (no network): a new run row."""
    from .pipeline import rejudge
    from .store import Store

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: no such database")
    store = Store(args.db)
    try:
        result = rejudge(store, args.run, args.indicators, _parse_now(args.now))
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    finally:
        store.close()
    print(json.dumps(result.to_dict()))
    return result.exit_code


def cmd_prune(args) -> int:
    """Keep the newest runs only (retention for nightly databases)."""
    from .lock import RunLocked
    from .retention import prune
    from .store import Store

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: no such database")
    if args.keep < 1:
        raise UsageError("--keep must be at least 1")
    store = Store(args.db)
    try:
        removed = prune(store, args.keep, vacuum=args.vacuum)
    except RunLocked as exc:
        print(f"govscan: {exc}", file=sys.stderr)
        return EXIT_ABORTED
    finally:
        store.close()
    print(json.dumps(removed))
    return EXIT_OK


# --- the parser --------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    from crawler import __version__

    p = argparse.ArgumentParser(
        prog="govscan", description="Compliance crawler for the government websites of "
        "Uzbekistan (PP-308 / UN e-government technology indicators).",
        epilog="Exit codes: 0 completed without failures, 1 completed with failures, "
               "2 usage error, 3 aborted.")
    p.add_argument("--version", action="version", version=f"govscan {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sp = sub.add_parser("probe", help="run one probe (or all) against one or more URLs")
    sp.add_argument("indicator", help="an indicator id (see `govscan indicators`) or `all`")
    sp.add_argument("urls", nargs="+", metavar="URL")
    sp.add_argument("--json", action="store_true", help="print a JSON array of findings")
    sp.add_argument("--now", metavar="YYYY-MM-DD", help="fix 'today' for freshness rules")
    sp.add_argument("--exercise-post-search", action="store_true",
                    help="also send a query through a POST search form")
    _add_fetch_options(sp)
    _add_browser_options(sp)
    sp.set_defaults(func=cmd_probe)

    sc = sub.add_parser("scan", help="the nightly job: every target, every probe, into SQLite")
    sc.add_argument("--targets", metavar="FILE", help="targets file (default: targets.toml)")
    sc.add_argument("--db", default=DEFAULT_DB, help=f"SQLite database (default {DEFAULT_DB})")
    sc.add_argument("--only", nargs="+", metavar="ID", help="scan only these target ids")
    sc.add_argument("--indicators", nargs="+", metavar="ID",
                    help="run only these probes (default: all)")
    sc.add_argument("--max-pages", type=int, metavar="N", help="page budget per target (30)")
    sc.add_argument("--render-pages", type=int, metavar="N",
                    help="pages rendered in the browser per target (default 3)")
    sc.add_argument("--max-depth", type=int, metavar="N",
                    help="clicks from the start page the crawl follows (default 3)")
    sc.add_argument("--target-concurrency", type=int, metavar="N",
                    help="targets captured at once (default 8); per-host limits still apply")
    sc.add_argument("--probe-workers", type=int, metavar="N",
                    help="processes judging captures (default one per core, at most 4; "
                         "0 = in-process)")
    sc.add_argument("--resume", action="store_true",
                    help="continue the newest interrupted run instead of starting a new one")
    sc.add_argument("--now", metavar="YYYY-MM-DD", help="fix 'today' for freshness rules")
    sc.add_argument("--exercise-post-search", action="store_true",
                    help="also send a query through POST search forms")
    sc.add_argument("--report", action="store_true", help="write the HTML report at the end")
    sc.add_argument("--out", default=DEFAULT_OUT, help="report directory (with --report)")
    sc.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    _add_fetch_options(sc)
    _add_browser_options(sc)
    sc.set_defaults(func=cmd_scan)

    rp = sub.add_parser("report", help="write the HTML report of a run")
    rp.add_argument("--db", default=DEFAULT_DB)
    rp.add_argument("--out", default=DEFAULT_OUT, help=f"directory (default {DEFAULT_OUT})")
    rp.add_argument("--run", type=int, metavar="N", help="run id (default: the newest)")
    rp.set_defaults(func=cmd_report)

    ip = sub.add_parser("indicators", help="the indicator catalogue")
    ip.add_argument("--json", action="store_true")
    ip.set_defaults(func=cmd_indicators)

    dp = sub.add_parser("demo", help="scan the embedded loopback farm end to end (offline)")
    dp.add_argument("--out", default="govscan-demo", help="output directory (govscan-demo)")
    dp.add_argument("--no-render", action="store_true", help="skip the browser probes")
    dp.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    dp.set_defaults(func=cmd_demo)

    pr = sub.add_parser("prune", help="retention: keep only the newest runs")
    pr.add_argument("--db", default=DEFAULT_DB)
    pr.add_argument("--keep", type=int, default=30, metavar="N",
                    help="runs to keep (default 30: a month of nightly runs)")
    pr.add_argument("--vacuum", action="store_true", help="give the space back to the disk")
    pr.set_defaults(func=cmd_prune)

    rj = sub.add_parser("rejudge", help="judge a stored run again with the current probes")
    rj.add_argument("--db", default=DEFAULT_DB)
    rj.add_argument("--run", type=int, metavar="N", help="run id (default: the newest)")
    rj.add_argument("--indicators", nargs="+", metavar="ID")
    rj.add_argument("--now", metavar="YYYY-MM-DD")
    rj.set_defaults(func=cmd_rejudge)

    from .verdicts import add_parser as add_verdict_parser  # auditors' manual verdicts

    add_verdict_parser(sub, DEFAULT_DB)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"govscan: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("govscan: interrupted", file=sys.stderr)
        return EXIT_ABORTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
