"""The rendered half of chatbot: widgets that only exist after scripts ran."""

from __future__ import annotations

import pytest

from crawler import browser
from crawler.artifacts import Hints, NetRequest, Rendered
from probes import chatbot as cr
from probes.base import Artifact, Context, run_probe

from helpers import site_from_pages
from test_render import capture_paths

needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium")


@pytest.fixture(scope="module")
def sites(farm):
    # what the pipeline hands the browser for this probe: its globals and launcher words
    hints = Hints(page_globals=tuple(cr.known_globals()),
                  launcher_words=tuple(cr.launcher_words()))
    return capture_paths(farm, ["chat-vendor", "chat-selfhosted", "telegram", "accessible"],
                         {Artifact.RENDERED}, hints=hints)


def signals(site) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in cr.rendered_signals(site):
        assert e.data["vendor"] and e.data["signal"]
        out.setdefault(e.data["signal"], set()).add(e.data["vendor"])
    return out


@pytest.mark.browser
@needs_chromium
def test_vendor_widget_injected_after_load_is_found(sites):
    s = signals(sites["chat-vendor"])
    assert s["network"] == {"JivoChat"} and s["global"] == {"JivoChat"}
    assert s["launcher"] == {"JivoChat"}  # the floating button, attributed to the vendor
    assert "element" in s  # the vendor's container id in the rendered DOM
    # the static HTML alone shows no widget
    assert "jivo" not in sites["chat-vendor"].home.response.text.split("<script")[0].lower()


@pytest.mark.browser
@needs_chromium
def test_self_hosted_widget_is_found(sites):
    s = signals(sites["chat-selfhosted"])
    assert s["launcher"] == {"self-hosted"}
    assert "self-hosted" in s.get("shadow-root", set()) | s.get("element", set())


@pytest.mark.browser
@needs_chromium
def test_no_widget_no_signal(sites):
    assert cr.rendered_signals(sites["telegram"]) == []
    assert cr.rendered_signals(sites["accessible"]) == []


@pytest.mark.browser
@needs_chromium
def test_chatbot_probe_combines_both_halves(sites):
    chatbot = pytest.importorskip("probes.chatbot")
    f = {p: run_probe(chatbot.PROBE, s, Context()) for p, s in sites.items()}
    assert f["chat-vendor"].status == "pass" and "JivoChat" in f["chat-vendor"].summary
    assert f["chat-selfhosted"].status == "pass"
    assert f["telegram"].status == "warn"  # a Telegram bot link alone is weak evidence
    assert f["accessible"].status == "fail"
    assert all(x.details["ai_verified"] is False for x in f.values())


def test_signals_from_recorded_capture():
    site = site_from_pages({"https://a.test/": "<html><body></body></html>",
                            "https://a.test/b": "<html><body></body></html>"})
    site.pages[0].rendered = Rendered(
        "https://a.test/", network=[NetRequest("https://embed.tawk.to/123/default", "script"),
                                    NetRequest("https://a.test/app.js", "script")],
        frames=["https://va.tawk.to/chat"], globals=["Tawk_API"],
        extra={"launchers": [{"selector": "div.x", "fixed": False, "html": "<div>chat</div>"}]})
    site.pages[1].rendered = Rendered(
        "https://a.test/b", dom="<html><body><df-messenger agent-id=1></df-messenger></body>"
        "</html>", extra={"shadow": [{"selector": "df-messenger", "tag": "df-messenger",
                                      "html": ""}]})
    ev = cr.rendered_signals(site)
    kinds = {(e.data["signal"], e.data["vendor"]) for e in ev}
    assert ("network", "tawk.to") in kinds and ("frame", "tawk.to") in kinds
    assert ("global", "tawk.to") in kinds
    assert ("shadow-root", "Dialogflow Messenger") in kinds
    assert ("element", "Dialogflow Messenger") in kinds
    assert not any(e.data["signal"] == "launcher" for e in ev)  # not floating: not a launcher
    assert not any("a.test/app.js" in e.snippet for e in ev)


def test_vendor_host_matching_is_by_domain_boundary():
    assert cr.vendor_for_host("code.jivosite.com") == "JivoChat"
    assert cr.vendor_for_host("notjivosite.com") == ""
    assert cr.vendor_for_host("gov.uz") == ""


# --- late widgets (issue 14): a bounded watch after load, the same answer on a busy machine ---

LATE = ["chat-late", "chat-late-vendor", "chat-late", "chat-late-vendor", "chat-late"]


def _chat_hints():
    return Hints(page_globals=tuple(cr.known_globals()),
                 launcher_words=tuple(cr.launcher_words()))


def _late_sites(farm, paths):
    """Every path captured as its own target (repeats too), chat hints: [(path, site)]."""
    import asyncio

    from test_render import fetch_config
    from helpers import capture_urls
    urls = [farm.host_url("gov.test", f"/browser/{p}") for p in paths]
    sites = asyncio.run(capture_urls(urls, {Artifact.RENDERED}, fetch_config(farm),
                                     resolve_only=True, hints=_chat_hints()))
    return list(zip(paths, sites))


def _stress(n: int = 2):
    """``n`` busy-looping processes (stopped by the caller, by pid)."""
    import subprocess
    import sys
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def _assert_found(path, site):
    r = site.home.rendered
    assert r.error is None, (path, r.error)
    s = signals(site)
    assert "launcher" in s, (path, r.extra.get("watch"), r.extra.get("timings"), s)
    f = run_probe(cr.PROBE, site, Context())
    assert f.status == "pass", (path, f.summary)
    # it stopped once found, long before its bound
    assert r.extra["watch"] == "found", (path, r.extra.get("watch"))


@pytest.mark.browser
@needs_chromium
def test_widget_inserted_late_is_found_every_time(farm):
    for path, site in _late_sites(farm, LATE):
        _assert_found(path, site)
    assert signals(dict(_late_sites(farm, ["chat-late-vendor"]))["chat-late-vendor"])[
        "network"] == {"JivoChat"}


@pytest.mark.browser
@needs_chromium
def test_widget_inserted_late_is_found_under_cpu_stress(farm):
    procs = _stress(2)
    try:
        found = _late_sites(farm, LATE[:3])
    finally:
        for p in procs:
            p.kill()
            p.wait()
    for path, site in found:
        _assert_found(path, site)


@pytest.mark.browser
@needs_chromium
def test_pages_without_widget_do_not_pay_the_whole_watch(farm):
    from crawler.browser.gatherers import WATCH_MS
    got = dict(_late_sites(farm, ["no-chat", "no-chat-carousel"]))
    plain, carousel = got["no-chat"].home.rendered, got["no-chat-carousel"].home.rendered
    # nothing scheduled: a look or two and done (well under half the watch, even on a
    # loaded machine where one look costs a few hundred ms)
    assert plain.extra["watch"] == "idle", plain.extra
    assert plain.extra["timings"]["watch"] < WATCH_MS / 2, plain.extra
    # a carousel turning for ever and a 20 s timer: waited for what is due within the watch
    # (the page's clock), never for the 20 s timer, and never the real-time bound
    assert carousel.extra["watch"] == "idle", carousel.extra
    assert carousel.extra["timings"]["watch"] < WATCH_MS + 1500, carousel.extra
    for r in (plain, carousel):
        assert not r.extra["launchers"]
    assert cr.rendered_signals(got["no-chat"]) == []


@pytest.mark.browser
@needs_chromium
def test_no_watch_without_chat_hints(farm):
    got = capture_paths(farm, ["chat-late"], {Artifact.RENDERED}, hints=Hints())
    r = got["chat-late"].home.rendered
    assert "watch" not in r.extra and "watch" not in r.extra["timings"]
