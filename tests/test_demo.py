"""`govscan demo`: the farm scanned end to end into a database and a report that a browser
opens without console errors."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from crawler.cli import main
from tests.helpers import chromium_errors


@pytest.mark.browser
def test_demo_end_to_end(tmp_path):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("no chromium")
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "-q"])
    assert code in (0, 1)  # the farm has failing sites on purpose
    con = sqlite3.connect(out / "govscan.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    status = dict(((t, i), s) for t, i, s in con.execute(
        "SELECT target_id, indicator, status FROM findings"))
    assert status[("buxoro", "https")] == "pass"
    assert status[("buxoro", "search")] == "pass"
    assert status[("xiva", "search")] == "fail"
    assert status[("buxoro", "legacy-redirect")] == "pass"
    assert status[("buxoro", "wcag")] in ("pass", "fail")  # judged, not error
    assert "error" not in {s for (t, i), s in status.items() if t == "buxoro"}
    index = out / "report" / "index.html"
    assert index.exists()
    # the search box the search finding cites is pictured, outlined, in the report
    ev = json.loads(con.execute("SELECT evidence FROM findings WHERE target_id='buxoro' "
                                "AND indicator='search'").fetchone()[0])
    box = next(e for e in ev if e["kind"] == "element")
    shot = box["data"]["screenshot"]
    assert shot.startswith("buxoro/outline-")
    page = (out / "report" / "targets" / "buxoro.html").read_text()
    assert f"../screenshots/buxoro/{shot.split('/')[-1]}" in page
    assert (out / "report" / "screenshots" / "buxoro" / shot.split("/")[-1]).stat().st_size > 1000

    errors = chromium_errors([index, *sorted((out / "report" / "targets").glob("*.html"))])
    assert errors == []
