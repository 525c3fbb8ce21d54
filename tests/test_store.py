"""The SQLite store: schema, one transaction per target, round trip of captures."""

from __future__ import annotations

import sqlite3

from crawler.artifacts import Hop, Rendered, Response, SitemapDoc, TLSInfo, Validation
from crawler.causes import Cause, FetchError
from govscan.store import SCHEMA_VERSION, Store
from probes.base import Evidence, Finding, Status
from tests.helpers import site_from_pages


def _site():
    site = site_from_pages({"https://gov.test/oz/buxoro": "<html lang=uz><title>B</title>"
                                                         "<a href='/oz/buxoro/contacts'>x</a>",
                            "https://gov.test/oz/buxoro/contacts": "<p>+998 65 222-22-22</p>"})
    site.pages[0].rendered = Rendered(url="https://gov.test/oz/buxoro", dom="<html></html>",
                                      console_errors=["boom"], screenshot="buxoro/0.png")
    site.pages[0].vnu = Validation("https://gov.test/oz/buxoro", "html",
                                   [{"type": "error", "message": "Duplicate ID"}])
    site.endpoints["http://bare"] = Response(
        "http://gov.test/", url="https://gov.test/", status=200,
        redirects=[Hop("http://gov.test/", 301, "https://gov.test/")])
    site.endpoints["https://bare"] = Response(
        "https://gov.test/", status=200, tls=TLSInfo(True, subject="CN=gov.test",
                                                     not_after="2030-01-01T00:00:00+00:00"))
    site.endpoints["https://www"] = Response("https://www.gov.test/",
                                             error=FetchError(Cause.DNS, "no such host"))
    site.sitemaps.append(SitemapDoc("https://gov.test/sitemap.xml", "robots",
                                    Response("https://gov.test/sitemap.xml", status=200,
                                             body=b"<urlset/>"), urls=["https://gov.test/a"],
                                    url_count=1, lastmods=["2026-11-01"]))
    site.notes.append("page budget of 2 reached")
    site.errors["axe"] = FetchError(Cause.BROWSER_UNAVAILABLE, "no chromium")
    site.gathered.update({"endpoints", "sitemaps", "rendered", "vnu"})
    return site


def _findings():
    return [Finding("https", Status.PASS, "https://gov.test/oz/buxoro", "ok",
                    [Evidence("http://gov.test/", "redirect", message="301")], {"x": 1}),
            Finding("search", Status.FAIL, "https://gov.test/oz/buxoro", "no box")]


def test_schema_version_and_wal(tmp_path):
    s = Store(tmp_path / "g.db")
    assert s.schema_version() == SCHEMA_VERSION
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()
    Store(tmp_path / "g.db").close()  # re-opening migrates nothing and keeps the data


def test_capture_round_trip(tmp_path):
    s = Store(tmp_path / "g.db")
    site = _site()
    run = s.start_run({"max_pages": 2}, [site.target])
    s.save_target_result(run, site, _findings())
    back = s.load_capture(run, site.target.id)
    assert [p.url for p in back.pages] == [p.url for p in site.pages]
    assert back.pages[1].response.text == "<p>+998 65 222-22-22</p>"
    assert back.pages[0].rendered.console_errors == ["boom"]
    assert back.pages[0].vnu.errors[0]["message"] == "Duplicate ID"
    assert back.endpoints["http://bare"].redirects[0].status == 301
    assert back.endpoints["https://bare"].tls.subject == "CN=gov.test"
    assert back.endpoints["https://www"].error.cause == Cause.DNS
    assert back.sitemaps[0].url_count == 1 and back.sitemaps[0].response.status == 200
    assert back.errors["axe"].cause == Cause.BROWSER_UNAVAILABLE
    assert back.notes == ["page budget of 2 reached"]
    assert back.gathered == site.gathered
    rows = s.findings(run)
    assert {r["indicator"]: r["status"] for r in rows} == {"https": "pass", "search": "fail"}
    assert rows[0]["evidence"][0]["kind"] == "redirect"


def test_saving_a_target_twice_replaces_it(tmp_path):
    s = Store(tmp_path / "g.db")
    site = _site()
    run = s.start_run({}, [site.target])
    s.save_target_result(run, site, _findings())
    s.save_target_result(run, site, _findings())
    assert len(s.findings(run)) == 2
    assert s.db.execute("SELECT count(*) FROM pages WHERE run_id=?", [run]).fetchone()[0] == \
        len(site.pages) + len(site.endpoints) + 1
    assert s.done_target_ids(run) == {site.target.id}


def test_bodies_are_stored_once(tmp_path):
    s = Store(tmp_path / "g.db")
    site = _site()
    for _ in range(3):
        run = s.start_run({}, [site.target])
        s.save_target_result(run, site, [])
    n_bodies = s.db.execute("SELECT count(*) FROM bodies").fetchone()[0]
    assert n_bodies == 3  # two pages + one sitemap, shared by the three runs


def test_bodies_are_zstd_and_old_zlib_bodies_still_read(tmp_path):
    """Bodies are stored zstd-compressed (issue 14); a database written before keeps its
    zlib bodies, and they read back the same."""
    import zlib

    from govscan.store import ZSTD_MAGIC, unpack_body

    st = Store(tmp_path / "g.db")
    run = st.start_run({}, [_site().target])
    st.save_target_result(run, _site(), _findings())
    blob, = st.db.execute("SELECT body FROM bodies WHERE length(body) > 0 LIMIT 1").fetchone()
    assert blob[:4] == ZSTD_MAGIC
    sha = st.db.execute("SELECT sha256 FROM bodies WHERE body = ?", [blob]).fetchone()[0]
    page = unpack_body(blob)
    assert page and st.body(sha) == page
    st.db.execute("UPDATE bodies SET body = ? WHERE sha256 = ?", [zlib.compress(page, 1), sha])
    assert st.body(sha) == page  # an old database's body
    assert unpack_body(b"") == b"" and unpack_body(None) == b""


def test_resume_run_and_finish(tmp_path):
    s = Store(tmp_path / "g.db")
    site = _site()
    run = s.start_run({"a": 1}, [site.target])
    assert s.resume_run() == run
    s.finish_run(run, "completed", {"findings": {"pass": 1}})
    assert s.resume_run() is None
    assert s.run(run)["summary"] == {"findings": {"pass": 1}}
    assert s.latest_run(finished_only=True) == run


def test_database_is_readable_by_plain_sqlite(tmp_path):
    s = Store(tmp_path / "g.db")
    site = _site()
    run = s.start_run({}, [site.target])
    s.save_target_result(run, site, _findings())
    s.close()
    con = sqlite3.connect(tmp_path / "g.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cols = [r[1] for r in con.execute("PRAGMA table_info(findings)")]
    assert {"run_id", "target_id", "indicator", "status", "evidence", "probe_version"} <= set(cols)


def test_prune_captures_keeps_findings_and_the_bodies_kept_runs_use(tmp_path):
    s = Store(tmp_path / "g.db")
    site = _site()
    runs = []
    for _ in range(3):
        run = s.start_run({}, [site.target])
        s.save_target_result(run, site, _findings())
        s.finish_run(run, "completed", {})
        runs.append(run)
    gone = s.prune_captures(runs[:2])
    assert gone["runs"] == 2 and gone["bodies"] == 0  # the kept run still uses every body
    assert s.run_ids() == runs  # every run stays, with its findings
    assert all(len(s.findings(r)) == 2 for r in runs)
    assert all(s.run(r)["captures_pruned_at"] for r in runs[:2])
    assert not s.run(runs[2])["captures_pruned_at"]
    back = s.load_capture(runs[-1], site.target.id)
    assert back.pages[1].response.text == "<p>+998 65 222-22-22</p>"
    assert s.prune_captures(runs)["bodies"] == 3  # no page uses them any more
    assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
