"""``govscan verdict``: an auditor's manual verdicts - add, list, withdraw, import from CSV.

Some indicators need a person (the login-only ones, findability), and any automatic finding
can be disputed. A verdict records who decided what, when, why and where they saw it; the
latest verdict not withdrawn for a (target, indicator) is in force until superseded. The
report shows it beside the automatic finding (both, never one hidden) and the scores count
it (``govscan/scores.py``): after every change the newest run is scored again, so the report
built next shows it.

    govscan verdict add buxoroshahar own-data-access pass --by "A. Karimov" \\
        --note "Checked in a OneID session: profile page shows passport data" \\
        --evidence https://my.gov.uz/oz/profile --date 2026-11-30
    govscan verdict list [--target ID] [--indicator ID] [--all] [--json]
    govscan verdict withdraw 12 --by "A. Karimov" --note "entered for the wrong target"
    govscan verdict import verdicts.csv        # columns below; all rows or none

The CSV (UTF-8, with or without the BOM Excel writes; comma or semicolon separated) has a
header row with ``target, indicator, status, auditor, date, note, evidence_url``; ``note``,
``evidence_url`` and ``date`` may be empty. Every row is checked before any is written; a bad
row is reported with its line number and nothing is imported.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

CSV_COLUMNS = ("target", "indicator", "status", "auditor", "date", "note", "evidence_url")
REQUIRED = ("target", "indicator", "status", "auditor")


def add_parser(sub, default_db: str) -> None:
    vp = sub.add_parser("verdict", help="auditors' manual verdicts: add, list, withdraw, import")
    vsub = vp.add_subparsers(dest="verdict_command", metavar="ACTION")

    a = vsub.add_parser("add", help="record a verdict (supersedes the earlier one)")
    a.add_argument("target", help="target id (see the report or targets.toml)")
    a.add_argument("indicator", help="indicator id (see `govscan indicators`)")
    a.add_argument("status", help="pass | warn | fail | not_applicable")
    a.add_argument("--by", required=True, metavar="NAME", help="the auditor")
    a.add_argument("--note", default="", help="what was checked and how")
    a.add_argument("--evidence", default="", metavar="URL", help="where it was seen (http/s)")
    a.add_argument("--date", default="", metavar="YYYY-MM-DD",
                   help="when it was checked (default: now)")
    a.set_defaults(func=cmd_add)

    ls = vsub.add_parser("list", help="the verdicts in force (or all with --all)")
    ls.add_argument("--target", metavar="ID")
    ls.add_argument("--indicator", metavar="ID")
    ls.add_argument("--all", action="store_true", help="include superseded and withdrawn")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    w = vsub.add_parser("withdraw", help="withdraw a verdict (it stays on record)")
    w.add_argument("id", type=int)
    w.add_argument("--by", required=True, metavar="NAME")
    w.add_argument("--note", default="")
    w.set_defaults(func=cmd_withdraw)

    im = vsub.add_parser("import", help="import verdicts from a CSV file (all rows or none)")
    im.add_argument("file", type=Path)
    im.set_defaults(func=cmd_import)

    for p in (a, ls, w, im):
        p.add_argument("--db", default=default_db, help=f"SQLite database (default {default_db})")
    vp.set_defaults(func=lambda args: (vp.print_help(), 2)[1])


def _open(args):
    from .cli import UsageError
    from .store import Store

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: no such database (scan first: verdicts are about "
                         "scanned targets)")
    return Store(args.db)


def _rescore_newest(store) -> int | None:
    run = store.latest_run(finished_only=True)
    if run is not None:
        store.rescore(run)
    return run


def _change(args, action, done: str) -> int:
    """Run one verdict change (``action(store)`` returns the verdict id), then score the
    newest finished run again; a bad value is a usage error with one line."""
    from .cli import UsageError

    store = _open(args)
    try:
        try:
            vid = action(store)
        except (ValueError, KeyError) as exc:
            raise UsageError(str(exc.args[0])) from None
        run = _rescore_newest(store)
    finally:
        store.close()
    print(f"verdict {vid} {done}" + (f"; run {run} scored again" if run else ""))
    return 0


def cmd_add(args) -> int:
    return _change(args, lambda store: store.add_verdict(
        args.target, args.indicator, args.status, args.by, args.note, args.evidence,
        _date(args.date)), "recorded")


def cmd_withdraw(args) -> int:
    def withdraw(store):
        store.withdraw_verdict(args.id, args.by, args.note)
        return args.id
    return _change(args, withdraw, "withdrawn")


def cmd_list(args) -> int:
    store = _open(args)
    try:
        rows = store.verdicts(args.target, valid_only=not args.all)
    finally:
        store.close()
    if args.indicator:
        rows = [r for r in rows if r["indicator"] == args.indicator]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("no verdicts")
        return 0
    for r in rows:
        state = f"  [withdrawn {r['withdrawn_at']} by {r['withdrawn_by']}]" \
            if r["withdrawn_at"] else ""
        print(f"{r['id']:>5}  {r['target_id']}  {r['indicator']}  {r['status']}  "
              f"{r['auditor']}  {r['decided_at']}{state}")
        if r["note"]:
            print(f"       {r['note']}")
        if r["evidence_url"]:
            print(f"       {r['evidence_url']}")
    return 0


def read_csv(text: str) -> list[dict]:
    """Rows of a verdicts CSV as dicts; raises ``ValueError`` naming the line of the first
    problem (missing column, empty required field)."""
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValueError(f"line 1: missing column(s) {', '.join(missing)} "
                         f"(expected {', '.join(CSV_COLUMNS)})")
    rows = []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        empty = [c for c in REQUIRED if not row.get(c)]
        if empty:
            raise ValueError(f"line {n}: empty {', '.join(empty)}")
        row["line"] = n
        rows.append(row)
    return rows


def cmd_import(args) -> int:
    from .cli import UsageError

    try:
        rows = read_csv(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    store = _open(args)
    try:
        ids = []
        with store.db.atomic():  # all rows or none: an error inside rolls every row back
            for r in rows:
                try:
                    ids.append(store.add_verdict(
                        r["target"], r["indicator"], r["status"], r["auditor"],
                        r.get("note", ""), r.get("evidence_url", ""), _date(r.get("date", ""))))
                except (ValueError, KeyError) as exc:
                    raise UsageError(f"{args.file}: line {r['line']}: {exc.args[0]}; "
                                     "nothing imported") from None
        run = _rescore_newest(store)
    finally:
        store.close()
    print(f"{len(ids)} verdicts imported" + (f"; run {run} scored again" if run else ""))
    return 0


def _date(value: str) -> str:
    import datetime as dt

    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value[:10]).isoformat() + value[10:]
    except ValueError:
        raise ValueError(f"date {value!r} is not YYYY-MM-DD") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: govscan verdict ...")
