"""Nightly operation on the farm: what changed between two scans (diff), regressions only after
N consecutive failing runs, the run summary JSON and the notification hook (a local
stand-in for the Telegram Bot API), --fail-on regressions, and the exit codes a cron job
relies on (2: a database that cannot be opened, bad numbers; 3: an internal error)."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from crawler.farm.server import Reply
from govscan.cli import main
from govscan.pipeline import EXIT_ABORTED, EXIT_FAILURES, EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent

WITH_SEARCH = """<!doctype html><html lang="uz"><head><meta charset="utf-8">
<title>Nightly tumani hokimligi</title></head><body>
<header><form role="search" action="{base}/qidiruv" method="get">
<input type="search" name="q" placeholder="Qidiruv"><button>Qidirish</button></form></header>
<main><h1>Nightly tumani hokimligi</h1><p>Tuman yangiliklari.</p></main></body></html>"""
WITHOUT_SEARCH = """<!doctype html><html lang="uz"><head><meta charset="utf-8">
<title>Nightly tumani hokimligi</title></head><body>
<main><h1>Nightly tumani hokimligi</h1><p>Tuman yangiliklari.</p></main></body></html>"""
RESULTS = """<!doctype html><html lang="uz"><head><meta charset="utf-8"><title>Qidiruv</title>
</head><body><main><h1>Qidiruv natijalari</h1><ol>
<li><a href="{base}/yangiliklar/1">Tuman yangiliklari: hokim qabul kuni</a></li>
<li><a href="{base}/yangiliklar/2">Tuman yangiliklari: yangi maktab</a></li></ol></main>
</body></html>"""


class Site:
    """A farm site whose home page the test changes between scans."""

    def __init__(self, farm, name: str):
        self.base = f"/oz/{name}"
        self.search = True
        home = lambda req: Reply(body=(WITH_SEARCH if self.search else WITHOUT_SEARCH)
                                 .format(base=self.base))
        farm.routes.add("gov.test", self.base, home)
        farm.routes.add("gov.test", f"{self.base}/qidiruv",
                        lambda req: Reply(body=RESULTS.format(base=self.base)))
        farm.routes.add("gov.test", f"{self.base}/yangiliklar", lambda req: Reply(
            body="<html lang=uz><body><p>Yangilik</p></body></html>"), prefix=True)
        self.url = f"https://gov.test:{farm.port('main')}{self.base}"

    def targets_file(self, path: Path) -> Path:
        path.write_text(f'[[target]]\nid = "nightly"\nlevel = "district"\n'
                        f'start_url = "{self.url}"\n', encoding="utf-8")
        return path


def fetch_args(farm) -> list[str]:
    return ["--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
            "--retries", "0", *[f"--resolve={h}:{ip}" for h, ip in farm.resolve.items()]]


def scan(farm, tmp_path, site, *extra) -> int:
    return main(["scan", "--targets", str(site.targets_file(tmp_path / "targets.toml")),
                 "--db", str(tmp_path / "g.db"), "--indicators", "search", "https",
                 "--max-pages", "2", "--no-render", "-q", "--probe-workers", "0",
                 "--summary", str(tmp_path / "summary.json"), *fetch_args(farm), *extra])


def summary(tmp_path) -> dict:
    return json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))


class StandIn:
    """A local stand-in for the Telegram Bot API: records every POST (loopback only)."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.posts.append((self.path, json.loads(body)))
                out = b'{"ok": true, "result": {"message_id": 1}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_change_between_two_scans_is_in_the_diff(farm, tmp_path, capsys):
    site = Site(farm, "nightly-diff")
    assert scan(farm, tmp_path, site) == EXIT_OK
    assert summary(tmp_path)["previous_run"] is None
    site.search = False  # the district removes its search box overnight
    assert scan(farm, tmp_path, site) == EXIT_FAILURES
    s = summary(tmp_path)
    assert s["previous_run"] == 1 and s["changes"]["newly_failing"] == 1
    assert s["regressions"] == []  # one failing night is not a regression
    capsys.readouterr()
    assert main(["diff", "--db", str(tmp_path / "g.db"), "--json"]) == EXIT_OK
    d = json.loads(capsys.readouterr().out)
    assert (d["from"], d["to"]) == (1, 2)
    assert [(c["target_id"], c["indicator"], c["kind"], c["before"], c["after"])
            for c in d["changes"]] == [("nightly", "search", "newly_failing", "pass", "fail")]
    assert d["counts"]["newly_failing"] == 1 and d["counts"]["newly_passing"] == 0
    # and back: the same two runs the other way round
    assert main(["diff", "2", "1", "--db", str(tmp_path / "g.db"), "--json"]) == EXIT_OK
    back = json.loads(capsys.readouterr().out)
    assert [c["kind"] for c in back["changes"]] == ["newly_passing"]
    # the table names the change
    assert main(["diff", "--db", str(tmp_path / "g.db")]) == EXIT_OK
    out = capsys.readouterr().out
    assert "newly failing" in out and "nightly" in out and "search" in out


def test_regression_only_after_two_failing_runs_and_the_hook_hears_it(farm, tmp_path,
                                                                      monkeypatch, capsys):
    site = Site(farm, "nightly-regr")
    api = StandIn()
    monkeypatch.setenv("TELEGRAM_API", api.url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:test")
    monkeypatch.setenv("TELEGRAM_CHAT_ID", "-1001")
    monkeypatch.setenv("GOVSCAN_LANG", "ru")
    got = tmp_path / "hook"
    hook = (f"{sys.executable} -c \"import sys, shutil; open(sys.argv[1] + '.stdin', 'w')"
            f".write(sys.stdin.read()); shutil.copy(sys.argv[2], sys.argv[1] + '.file')\" "
            f"{got} {{summary}}")
    telegram = f"{sys.executable} {ROOT / 'deploy' / 'notify-telegram.py'}"
    try:
        regr = ["--fail-on", "regressions"]
        assert scan(farm, tmp_path, site, *regr) == EXIT_OK  # met
        site.search = False
        assert scan(farm, tmp_path, site, *regr, "--notify", hook) == EXIT_OK  # one night
        first = json.loads(Path(f"{got}.stdin").read_text())
        assert first["run_id"] == 2 and first["regressions"] == []
        assert first["findings"]["fail"] == 1 and first["exit_code"] == EXIT_OK
        assert json.loads(Path(f"{got}.file").read_text()) == first  # the file argument too
        # the second failing night in a row: a regression, exit 1, the group is told
        assert scan(farm, tmp_path, site, *regr, "--notify", telegram) == EXIT_FAILURES
        s = summary(tmp_path)
        assert [(r["target_id"], r["indicator"]) for r in s["regressions"]] == [
            ("nightly", "search")]
        assert s["regressions_after"] == 2 and s["exit_code"] == EXIT_FAILURES
        assert s["scores"]["losi"]["targets"] == 1 and "errors_by_cause" in s
        [(path, body)] = api.posts
        assert path == "/bot123:test/sendMessage" and body["chat_id"] == "-1001"
        assert "nightly" in body["text"] and "search" in body["text"]
        assert "Регрессии" in body["text"]
        # the regression is in the database for SQL readers too
        con = sqlite3.connect(tmp_path / "g.db")
        assert con.execute("SELECT run_id, target_id, indicator FROM latest_regressions"
                           ).fetchall() == [(3, "nightly", "search")]
        assert con.execute("SELECT status FROM latest_findings WHERE indicator='search'"
                           ).fetchall() == [("fail",)]
        assert con.execute("SELECT count(*) FROM latest_scores").fetchone()[0] >= 1
        # with N = 3 the same history is not yet a regression
        assert scan(farm, tmp_path, site, *regr, "--regressions-after", "3") == EXIT_FAILURES
        assert len(summary(tmp_path)["regressions"]) == 1  # three failing nights now
        assert scan(farm, tmp_path, site, "--regressions-after", "5") == EXIT_FAILURES
        assert summary(tmp_path)["regressions"] == []
    finally:
        api.close()


def test_database_that_cannot_be_opened_exits_2_with_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite database, just some bytes" * 100)
    closed = tmp_path / "t.toml"  # were the database opened, nothing could be reached
    closed.write_text('[[target]]\nid = "x"\nstart_url = "http://127.0.0.1:9/x"\n')
    for argv in (["report", "--db", str(junk)], ["diff", "--db", str(junk)],
                 ["rejudge", "--db", str(junk)], ["prune", "--db", str(junk)],
                 ["scan", "--db", str(junk), "--targets", str(closed)],
                 ["scan", "--db", str(tmp_path), "--targets", str(closed)],
                 ["scan", "--db", "/proc/govscan/none.db", "--targets", str(closed)]):
        assert main(argv) == EXIT_USAGE, argv
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and "cannot open or create the database" in err[0], err
        assert "Traceback" not in err[0]


def test_an_internal_error_exits_3_one_line_and_the_traceback_is_logged(farm, tmp_path,
                                                                        monkeypatch, capsys):
    from govscan.store import Store

    def boom(*a, **kw):
        raise RuntimeError("injected: the disk said no")

    site = Site(farm, "nightly-boom")
    monkeypatch.setattr(Store, "save_target_result", boom)
    assert scan(farm, tmp_path, site) == EXIT_ABORTED
    err = capsys.readouterr().err.splitlines()
    said = [ln for ln in err if ln.startswith("govscan: ")]
    assert len(said) == 1 and "internal error" in said[0] and "injected" in said[0]
    assert not any("Traceback" in ln for ln in err)
    log = (tmp_path / "govscan-errors.log").read_text()
    assert "Traceback" in log and "injected: the disk said no" in log
    # outside the run loop too: never exit 1, never a traceback on stderr
    import govscan.runner

    monkeypatch.undo()
    monkeypatch.setattr(govscan.runner, "publish_report", boom)
    assert scan(farm, tmp_path, site, "--report", "--out", str(tmp_path / "rep")) \
        == EXIT_ABORTED
    err = capsys.readouterr().err.splitlines()
    assert [ln for ln in err if ln.startswith("govscan: internal error")] and \
        not any("Traceback" in ln for ln in err)


@pytest.mark.parametrize("argv, says", [
    (["scan", "--timeout", "0"], "--timeout 0: must be greater than 0"),
    (["scan", "--timeout", "-5"], "--timeout -5: must be greater than 0"),
    (["scan", "--retries", "-1"], "--retries -1: must be at least 0"),
    (["scan", "--max-body", "0"], "--max-body 0: must be greater than 0"),
    (["scan", "--per-host-concurrency", "0"], "--per-host-concurrency 0: must be at least 1"),
    (["probe", "https", "https://x.uz/", "--timeout", "0"], "--timeout 0"),
    (["scan", "--max-pages", "0"], "--max-pages 0: must be at least 1"),
    (["prune", "--keep", "0"], "--keep 0: must be at least 1"),
])
def test_numeric_flags_are_range_checked(argv, says, capsys):
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0], err


@pytest.mark.parametrize("toml, says", [
    ("[fetch]\ntimeout = 0\n", "[fetch] timeout = 0: must be greater than 0"),
    ("[fetch]\nretries = -1\n", "[fetch] retries = -1: must be at least 0"),
    ("[fetch]\nmax_body = 0\n", "[fetch] max_body = 0: must be greater than 0"),
    ("[fetch]\nper_host_concurrency = 0\n", "per_host_concurrency = 0: must be at least 1"),
    ("[fetch]\ntimeout = \"soon\"\n", "must be a number"),
    ("[fetch]\ntimout = 5\n", "unknown setting [fetch] timout"),
    ("[scan]\nfail_on = \"sometimes\"\n", "must be one of failures, regressions"),
    ("[fetch\n", "not valid TOML"),
])
def test_config_values_are_range_checked_the_same_way(tmp_path, toml, says, capsys):
    cfg = tmp_path / "govscan.toml"
    cfg.write_text(toml, encoding="utf-8")
    assert main(["scan", "--config", str(cfg), "--db", str(tmp_path / "g.db")]) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and str(cfg) in err[0], err


def test_config_file_under_flags(tmp_path, monkeypatch):
    from govscan import config
    from govscan.cli import build_parser

    (tmp_path / "etc").mkdir()
    cfg = tmp_path / "etc" / "govscan.toml"
    cfg.write_text('database = "nightly.db"\ntargets = "t.toml"\n[scan]\nmax_pages = 7\n'
                   'fail_on = "regressions"\n[fetch]\ntimeout = 12.5\nallow_private = true\n'
                   'resolve = { "gov.uz" = "127.0.0.1" }\n[browser]\nrender = false\n',
                   encoding="utf-8")
    args = build_parser().parse_args(["scan", "--config", str(cfg), "--max-pages", "3"])
    assert config.apply(args, args.config) == cfg
    assert args.max_pages == 3  # the flag wins
    assert args.timeout == 12.5 and args.fail_on == "regressions" and args.allow_private
    assert args.no_render is True and args.resolve_map == {"gov.uz": "127.0.0.1"}
    # paths in the file are relative to the file's folder, not to where cron starts
    assert args.db == str(tmp_path / "etc" / "nightly.db")
    assert args.targets == str(tmp_path / "etc" / "t.toml")
    # ./govscan.toml is read when no --config is given; without it nothing is
    monkeypatch.chdir(tmp_path / "etc")
    args = build_parser().parse_args(["diff"])
    assert config.apply(args) == Path("govscan.toml") and args.db.endswith("nightly.db")
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["diff"])
    assert config.apply(args) is None and args.db is None
    # --config before the command's name too; the verdict commands read its database
    from govscan.store import Store

    Store(tmp_path / "etc" / "nightly.db").close()
    assert main(["--config", str(cfg), "verdict", "list"]) == 0
    assert main(["--config", str(tmp_path / "none.toml"), "verdict", "list"]) == 2


def test_every_command_reads_the_config_file(farm, tmp_path, capsys):
    site = Site(farm, "nightly-cfg")
    site.targets_file(tmp_path / "t.toml")
    resolve = ", ".join(f'"{h}" = "{ip}"' for h, ip in farm.resolve.items())
    cfg = tmp_path / "govscan.toml"
    cfg.write_text(f'targets = "t.toml"\ndatabase = "data/g.db"\nreports = "public"\n'
                   f'[scan]\nindicators = ["https"]\nmax_pages = 1\nreport = true\n'
                   f'probe_workers = 0\n[fetch]\nper_host_delay = 0\nretries = 0\n'
                   f'allow_private = true\nca_bundle = "{farm.ca_pem}"\nresolve = {{ {resolve} }}'
                   f'\n[browser]\nrender = false\n', encoding="utf-8")
    assert main(["scan", "--config", str(cfg), "-q"]) == EXIT_OK
    err = capsys.readouterr().err
    assert f"from {tmp_path / 't.toml'}" in err and str(tmp_path / "data" / "g.db") in err
    assert f"config {cfg}" in err
    assert (tmp_path / "public" / "latest" / "index.html").is_file()
    assert (tmp_path / "public" / "latest").resolve() == tmp_path / "public" / "runs" / "1"
    assert main(["runs", "--config", str(cfg), "--json"]) == EXIT_OK
    runs = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in runs["runs"]] == [1] and runs["runs"][0]["bytes"] > 0


def test_the_bundled_targets_only_by_name_or_saying_so(tmp_path, monkeypatch, capsys):
    # --only names no target: the command stops before any request is made
    assert main(["scan", "--targets", "builtin", "--only", "atlantis",
                 "--db", str(tmp_path / "g.db")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "bundled list of real targets (--targets builtin)" in err and "atlantis" in err
    monkeypatch.chdir(tmp_path)  # no targets.toml here
    assert main(["scan", "--only", "atlantis", "--db", str(tmp_path / "g.db")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "no targets file given and no targets.toml in" in err
    assert main(["scan", "--targets", "nope.toml"]) == EXIT_USAGE
    assert "nope.toml: no such file" in capsys.readouterr().err


def test_a_held_lock_is_said_even_when_quiet(farm, tmp_path, capsys):
    from govscan.lock import RunLock

    site = Site(farm, "nightly-lock")
    with RunLock(tmp_path / "g.db"):
        assert scan(farm, tmp_path, site) == EXIT_ABORTED
    err = capsys.readouterr().err
    assert "another govscan run holds" in err and "aborted" in err
