"""The CLI contract: usage errors exit 2, the catalogue, scan/report/rejudge on the farm."""

from __future__ import annotations

import json
import sqlite3


from govscan.cli import main
from govscan.pipeline import EXIT_ABORTED, EXIT_FAILURES, EXIT_OK, EXIT_USAGE


def test_no_command_and_bad_arguments_are_usage_errors(capsys):
    assert main([]) == EXIT_USAGE
    assert main(["probe"]) == EXIT_USAGE
    assert main(["probe", "no-such-indicator", "https://example.uz/"]) == EXIT_USAGE
    assert "unknown indicator" in capsys.readouterr().err
    assert main(["probe", "https", "ftp://example.uz/"]) == EXIT_USAGE
    assert main(["probe", "https", "https://x.uz/", "--now", "yesterday"]) == EXIT_USAGE
    assert main(["probe", "https", "https://x.uz/", "--resolve", "nocolon"]) == EXIT_USAGE


def test_manual_indicator_without_probe_is_usage_error(capsys, monkeypatch):
    # i10-content: every indicator now has a probe (findability is a manual one), so the
    # registry is shown one without it
    import probes.base as base

    monkeypatch.setattr(base, "_REGISTRY", {k: v for k, v in base.registry().items()
                                            if k != "findability"})
    assert main(["probe", "findability", "https://example.uz/"]) == EXIT_USAGE
    assert "no automated probe" in capsys.readouterr().err


def test_bad_targets_file_reports_line_and_field(tmp_path, capsys):
    bad = tmp_path / "t.toml"
    bad.write_text('[[target]]\nid = "x"\nstart_url = "not a url"\n')
    assert main(["scan", "--targets", str(bad), "--db", str(tmp_path / "g.db")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{bad}:3" in err and "start_url" in err


def test_unknown_target_id_is_usage_error(tmp_path, capsys):
    assert main(["scan", "--only", "atlantis", "--db", str(tmp_path / "g.db")]) == EXIT_USAGE
    assert "atlantis" in capsys.readouterr().err


def test_indicators_catalogue(capsys):
    assert main(["indicators", "--json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in rows]
    for core in ("https", "search", "advanced-search", "sitemap", "last-updated",
                 "contact-form", "contact-us", "chatbot", "wcag", "w3c-markup", "w3c-css"):
        assert core in ids
    https = rows[ids.index("https")]
    assert https["un_code"] == "OSI #074" and https["probe"] is True
    assert rows[ids.index("findability")]["automated"] in ("manual", "not yet")


def test_report_without_database_is_usage_error(tmp_path):
    assert main(["report", "--db", str(tmp_path / "none.db")]) == EXIT_USAGE


def _farm_targets(farm, tmp_path):
    p = tmp_path / "targets.toml"
    port = farm.port("main")
    p.write_text(f'''
[[target]]
id = "buxoro"
name_uz = "Buxoro viloyati hokimligi"
level = "region"
start_url = "https://gov.test:{port}/oz/buxoro"
languages = {{ ru = "https://gov.test:{port}/ru/buxoro" }}

[[target]]
id = "xiva"
level = "district"
start_url = "https://gov.test:{port}/oz/xiva"
''', encoding="utf-8")
    return p


def _fetch_args(farm):
    return ["--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
            *[f"--resolve={h}:{ip}" for h, ip in farm.resolve.items()]]


def test_scan_report_rejudge_on_the_farm(farm, tmp_path, capsys):
    db = tmp_path / "g.db"
    code = main(["scan", "--targets", str(_farm_targets(farm, tmp_path)), "--db", str(db),
                 "--indicators", "https", "search", "sitemap", "--max-pages", "5", "-q",
                 "--no-render", "--report", "--out", str(tmp_path / "rep"),
                 *_fetch_args(farm)])
    assert code == EXIT_FAILURES  # xiva has no search box
    con = sqlite3.connect(db)
    rows = dict(((t, i), s) for t, i, s in con.execute(
        "SELECT target_id, indicator, status FROM findings"))
    assert rows[("buxoro", "search")] == "pass"
    assert rows[("xiva", "search")] == "fail"
    assert rows[("buxoro", "https")] == "pass"
    # the latest report at a stable path, each run's archived beside it
    assert (tmp_path / "rep" / "latest" / "index.html").exists()
    assert (tmp_path / "rep" / "runs" / "1" / "targets" / "xiva.html").exists()
    assert json.loads((tmp_path / "rep" / "runs" / "1" / "summary.json").read_text())[
        "run_id"] == 1
    # judge the stored capture again, offline: same verdicts, a new run
    assert main(["rejudge", "--db", str(db)]) == EXIT_FAILURES
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["rejudge_of"] == 1 and printed["run_id"] == 2
    runs = con.execute("SELECT id, status FROM runs ORDER BY id").fetchall()
    assert [s for _, s in runs] == ["completed", "completed"]
    again = dict(((t, i), s) for t, i, s in con.execute(
        "SELECT target_id, indicator, status FROM findings WHERE run_id=?", [runs[1][0]]))
    assert again == rows


def test_exit_codes_are_distinct():
    assert len({EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_ABORTED}) == 4


def test_offline_scan_of_the_real_targets_ends_cleanly(tmp_path, monkeypatch):
    """The path a user behind a firewall hits: no network, every target an `error` with a
    DNS/connection cause, nothing crashing, quickly (failed lookups are not re-queued).
    Hermetic (issue 12): the fetcher's resolver is replaced by one that knows no name, so
    even on a machine with internet no real government site is looked up or reached."""
    import time

    from crawler.fetch import guard

    asked: list[str] = []

    async def no_dns(self, host, port):
        asked.append(host)
        raise guard.DNSError(f"{host}: no DNS in this test")

    monkeypatch.setattr(guard.AddressGuard, "resolve", no_dns)
    db = tmp_path / "off.db"
    t0 = time.monotonic()
    code = main(["scan", "--db", str(db), "--no-render", "-q", "--max-pages", "3"])
    took = time.monotonic() - t0
    assert code == EXIT_FAILURES
    con = sqlite3.connect(db)
    n_targets = con.execute("SELECT count(*) FROM targets").fetchone()[0]
    assert n_targets == 228
    assert con.execute("SELECT count(DISTINCT target_id) FROM findings").fetchone()[0] == 228
    statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM findings")}
    assert statuses == {"error"}
    causes = {c for (c,) in con.execute(
        "SELECT DISTINCT json_extract(details, '$.cause') FROM findings")}
    assert causes <= {"dns", "refused", "timeout", "reset"}, causes
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "completed"
    assert took < 120
    assert "gov.uz" in asked and "my.gov.uz" in asked  # every lookup went to the fake
