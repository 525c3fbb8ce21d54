"""The local Nu HTML Checker service and the vnu/css gatherers (crawler.validator)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket

import httpx
import pytest

from crawler.artifacts import Page
from crawler.capture import CaptureEnv
from crawler.causes import Cause
from crawler.farm.sites import validity
from crawler.targets import Target
from crawler.validator import (VnuService, ValidatorUnavailable, css_imports, gather_vnu,
                               style_attribute_sheet, stylesheet_links)
from helpers import html_response, site_from_pages
from probes.base import registry, run_probe
from vnu_fixture import HAVE_JAVA, farm_capture, vnu  # noqa: F401 - the fixture

java = pytest.mark.java
needs_java = pytest.mark.skipif(not HAVE_JAVA, reason="Java or vnu.jar missing")


def target(farm, path: str) -> Target:
    u = farm.host_url("gov.test", path)
    return Target("v", "", "", "url", u, u.rstrip("/"))


def _page(url: str, html: str) -> Page:
    return Page(html_response(url, html))


# --- no Java needed -------------------------------------------------------------------------

def test_content_type_sent_is_the_served_one():
    ct = VnuService.html_content_type
    assert ct("text/html; charset=windows-1251") == "text/html; charset=windows-1251"
    assert ct("text/html;charset=\"UTF-8\"") == "text/html; charset=UTF-8"
    assert ct("application/xhtml+xml; charset=utf-8") == "application/xhtml+xml; charset=utf-8"
    assert ct("application/xhtml+xml") == "application/xhtml+xml"
    assert ct("TEXT/HTML") == "text/html"
    # no charset served: none invented (vnu sniffs <meta charset> like a browser)
    assert ct("") == "text/html"
    assert ct("application/octet-stream") == "text/html"


def test_java_missing_gives_a_clear_error_and_the_finding_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVSCAN_JAVA", str(tmp_path / "no-such-java"))
    svc = VnuService()
    with pytest.raises(ValidatorUnavailable, match="Java was not found"):
        svc.start()
    site = site_from_pages({"https://gov.test/oz/x": "<!doctype html><title>x</title>"})
    env = CaptureEnv(fetcher=None, validator=svc)
    asyncio.run(gather_vnu(site, env))
    err = site.errors["vnu"]
    assert err.cause == Cause.VALIDATOR_UNAVAILABLE and "Java was not found" in err.detail
    f = run_probe(registry()["w3c-markup"], site)
    assert f.status == "error" and f.details["cause"] == "validator-unavailable"


def test_jar_missing_gives_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVSCAN_VNU_JAR", str(tmp_path / "vnu.jar"))
    with pytest.raises(ValidatorUnavailable, match="vnu.jar was not found"):
        VnuService().start()


def test_stylesheet_links_imports_and_style_attributes():
    html = ('<!doctype html><html><head><base href="https://gov.test/oz/">'
            '<link rel="stylesheet" href="css/a.css"><link rel="alternate stylesheet" '
            'href="css/contrast.css"><link rel="icon" href="f.ico">'
            '<link rel="Stylesheet preload" href="/b.css#x"><link rel=stylesheet href="css/a.css">'
            '</head><body><p style="color: red;\n margin: 0" id="lead">x</p>'
            '<div class="box wide"><span style="colr: blue">y</span></div>'
            '<i style="  ">z</i></body></html>')
    p = _page("https://gov.test/oz/page", html)
    assert stylesheet_links(p) == ["https://gov.test/oz/css/a.css", "https://gov.test/b.css"]
    text, where = style_attribute_sheet(p)
    assert text.splitlines() == ["x{color: red; margin: 0}", "x{colr: blue}"]
    assert where[0]["element"] == "p#lead"
    assert where[1]["element"].endswith("div.box.wide > span")
    sheet = '/* @import "no.css"; */\n@import url("base.css");\n@import \'print.css\' print;'
    assert css_imports(sheet, "https://gov.test/css/site.css") == [
        "https://gov.test/css/base.css", "https://gov.test/css/print.css"]


# --- with the service -----------------------------------------------------------------------

@java
def test_broken_page_messages_as_the_service_reports_them(vnu):
    html = validity._broken_page("Bosh sahifa", "/validity/broken", 1).encode()
    msgs = vnu.validate_html(html, "text/html; charset=utf-8")
    errors = [m["message"] for m in msgs if m["type"] == "error"]
    assert "Duplicate ID “search”." in errors
    assert "Stray end tag “div”." in errors
    assert vnu.validate_html(validity._ok_page("x", "/v", 1).encode(),
                             "text/html; charset=utf-8") == []
    css = vnu.validate_css(validity.THEME_CSS)
    assert [m["message"] for m in css] == ["“colr”: Property “colr” doesn't exist."]
    assert css[0]["lastLine"] == 2
    assert vnu.validate_css(validity.BASE_CSS) == []


@java
def test_windows_1251_and_xhtml_are_sent_with_their_type_and_encoding(farm, vnu):
    site = farm_capture(farm, target(farm, "/validity/cp1251"), ["vnu"], vnu, max_pages=1)
    v = site.pages[0].vnu
    assert v.content_type == "text/html; charset=windows-1251"
    texts = [m["message"] for m in v.messages]
    # decoded as windows-1251: no mojibake, no disagreement with <meta charset>
    assert not any("Malformed byte sequence" in t or "disagrees" in t for t in texts)
    # ... and vnu says what the W3C validator says about a legacy encoding
    assert "Legacy encoding “windows-1251” used. Documents must use UTF-8." in texts

    site = farm_capture(farm, target(farm, "/validity/xhtml"), ["vnu"], vnu, max_pages=1)
    v = site.pages[0].vnu
    assert v.content_type == "application/xhtml+xml; charset=utf-8"
    assert v.errors == [] and v.error is None
    # the same bytes taken as text/html are not valid: the media type matters
    as_html = vnu.validate_html(site.pages[0].response.body, "text/html; charset=utf-8")
    assert any(m["message"].startswith("Saw “<?”") for m in as_html)


@java
def test_css_gathering_linked_imported_inline_and_deduplicated(farm, vnu):
    t0 = len(farm.stats.log)
    site = farm_capture(farm, target(farm, "/validity/ok/"), ["css"], vnu, max_pages=5)
    pages = site.html_pages()
    assert len(pages) == 3  # home, about, news
    home = pages[0]
    urls = [v.url for v in home.css]
    base = farm.host_url("gov.test", "/validity/css/")
    assert urls[:2] == [base + "site.css", base + "base.css"]  # linked, then its @import
    assert urls[2] == f"inline:{home.url}#style[1]"
    assert urls[3] == f"inline:{home.url}#style-attributes"
    assert all(v.error is None and v.errors == [] for v in home.css)
    assert home.css[0].content_type.startswith("text/css")
    # site.css and base.css are linked from three pages but fetched once
    paths = [r[3] for r in farm.stats.log[t0:]]
    assert paths.count("/validity/css/site.css") == 1
    assert paths.count("/validity/css/base.css") == 1


@java
def test_style_attribute_messages_map_back_to_the_element(farm, vnu):
    site = farm_capture(farm, target(farm, "/validity/broken/"), ["css"], vnu, max_pages=1)
    attrs = [v for v in site.pages[0].css if v.url.endswith("#style-attributes")][0]
    assert len(attrs.errors) == 1
    m = attrs.errors[0]
    assert "margin-top" in m["message"]
    # named by pageread.selectors.css_selector, like every element govscan cites
    assert m["element"].endswith("main > p:nth-of-type(1)") and "10pxx" in m["snippet"]


@java
@pytest.mark.skipif(not HAVE_JAVA, reason="Java or vnu.jar missing")
def test_service_started_lazily_survives_one_kill_and_is_stopped(farm):
    """The run's service: started by the first gatherer that needs it (not for PAGES), bound
    to loopback, restarted once when the JVM is killed mid-run, given up the second time
    (findings `error` with the cause), stopped by ``env.validator.stop()``."""
    from crawler.capture import CaptureOptions, capture_site
    from crawler.fetch import Fetcher
    from vnu_fixture import fetch_config

    sites, pids, holder = [], [], {}

    async def run():
        async with Fetcher(fetch_config(farm)) as f:
            env = CaptureEnv(f, CaptureOptions(max_pages=2))
            holder["env"] = env
            await capture_site(target(farm, "/validity/ok/"), ["pages"], env)
            assert env.validator is None  # PAGES only: no JVM
            sites.append(await capture_site(target(farm, "/validity/ok/"), ["vnu"], env))
            svc = env.validator
            assert isinstance(svc, VnuService) and svc.alive() and svc.starts == 1
            with socket.create_connection(("127.0.0.1", svc.port), timeout=2):
                pass
            for path in ("/validity/broken/", "/validity/xhtml"):
                pids.append(svc.pid)
                os.kill(svc.pid, signal.SIGKILL)  # mid-run
                svc.proc.wait(10)
                sites.append(await capture_site(target(farm, path), ["vnu"], env))

    asyncio.run(run())
    env = holder["env"]
    svc = env.validator
    ok, broken, third = sites
    assert all(p.vnu.error is None and not p.vnu.errors for p in ok.html_pages())
    # restarted once: the second site is fully validated by a new JVM
    assert svc.restarts == 1 and svc.starts == 2 and len(set(pids)) == 2
    assert all(p.vnu.error is None for p in broken.html_pages())
    assert any(m["message"] == "Stray end tag “div”." for m in broken.pages[0].vnu.errors)
    # died again: given up, the findings are `error` with the cause
    assert svc.unavailable and "died again" in svc.unavailable
    assert third.errors["vnu"].cause == Cause.VALIDATOR_UNAVAILABLE
    f = run_probe(registry()["w3c-markup"], third)
    assert f.status == "error" and f.details["cause"] == "validator-unavailable"
    with pytest.raises(ValidatorUnavailable):
        svc.validate_css("p{color:red}")
    port = svc.port
    env.validator.stop()  # what the scan does at the end
    assert svc.proc is None and not svc.alive()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_document_vnu_could_not_read_is_not_judged_not_counted_as_invalid():
    from crawler.validator import not_checked
    err = not_checked([{"type": "non-document-error", "message": "Resource size exceeds limit."}])
    assert err.cause == Cause.TOO_LARGE and "size exceeds" in err.detail
    assert not_checked([{"type": "non-document-error", "message": "IO error"}]).cause == \
        Cause.OTHER
    assert not_checked([{"type": "error", "message": "Stray end tag “div”."}]) is None


def test_style_sheets_are_decoded_as_css_syntax_says():
    from crawler.validator import decode_css
    ru = 'p::before { content: "Телефон доверия" }'
    assert decode_css(ru.encode("cp1251"), "text/css; charset=windows-1251") == ru
    with_rule = '@charset "windows-1251";\n' + ru
    assert decode_css(with_rule.encode("cp1251"), "text/css") == with_rule
    # no BOM, no charset anywhere: the referring page's encoding
    assert decode_css(ru.encode("cp1251"), "text/css", "windows-1251") == ru
    assert decode_css("\ufeff".encode() + ru.encode(), "text/css; charset=windows-1251") == ru


@java
def test_truncated_pages_are_not_judged_and_caps_are_visible(vnu):
    from crawler.validator import CSS_LINKS_PER_PAGE, gather_css

    links = "".join(f'<link rel="stylesheet" href="/s{i}.css">' for i in range(14))
    site = site_from_pages({
        "https://gov.test/oz/a": "<!doctype html><html lang=uz><title>x</title><p>cut",
        "https://gov.test/oz/b": f"<!doctype html><html lang=uz><head>{links}<title>x</title>"
                                 "</head><body><p>ok</p></body></html>"})
    site.pages[0].response.truncated = True

    class NoNetwork:  # the sheets "fail" to fetch: what matters here is how many are tried
        tried: list[str] = []

        async def fetch(self, url, **kw):
            self.tried.append(url)
            from crawler.artifacts import Response
            from crawler.causes import FetchError
            return Response(url, error=FetchError(Cause.REFUSED, "no network in this test"))

    env = CaptureEnv(fetcher=NoNetwork(), validator=vnu)
    asyncio.run(gather_vnu(site, env))
    assert site.pages[0].vnu.error.cause == Cause.TOO_LARGE and site.pages[0].vnu.messages == []
    assert site.pages[1].vnu.error is None
    asyncio.run(gather_css(site, env))
    site.gathered.update({"vnu", "css"})  # as capture_site records it
    assert len(NoNetwork.tried) == CSS_LINKS_PER_PAGE
    assert all(v.error.cause == Cause.REFUSED for v in site.pages[1].css)
    assert any("links 14 style sheets" in n for n in site.notes)
    f = run_probe(registry()["w3c-css"], site)
    assert f.status == "error" and f.details["cause"] == "refused"


def test_orphaned_jvms_of_a_killed_run_are_reaped_and_nothing_else(tmp_path):
    """A scan killed with SIGKILL leaves its JVM; the next start stops it - only a process
    govscan recorded, whose owner is gone, still running the vnu servlet."""
    import json
    import subprocess
    import sys

    from crawler.validator import MAIN_CLASS, reap_orphans

    dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_owner.wait()
    sleep = "import time; time.sleep(60)"
    orphan = subprocess.Popen([sys.executable, "-c", sleep, MAIN_CLASS])
    owned = subprocess.Popen([sys.executable, "-c", sleep, MAIN_CLASS])
    stranger = subprocess.Popen([sys.executable, "-c", sleep, "something-else"])
    try:
        for proc, owner in ((orphan, dead_owner.pid), (owned, os.getpid()),
                            (stranger, dead_owner.pid)):
            (tmp_path / f"{proc.pid}.json").write_text(
                json.dumps({"jvm": proc.pid, "owner": owner}))
        assert reap_orphans(tmp_path) == [orphan.pid]
        assert orphan.wait(10) == -signal.SIGTERM
        assert owned.poll() is None and stranger.poll() is None
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"{owned.pid}.json"]
    finally:
        for proc in (orphan, owned, stranger):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
