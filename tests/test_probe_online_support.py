"""online-support probe: a live chat, click-to-chat or a Telegram support account (the
chatbot probe's vendor data reused); a channel, a share link or a bare bot is not support."""

from __future__ import annotations

import pytest

from crawler.artifacts import Rendered
from helpers import site_from_pages
from probes import chatbot
from probes.base import Context, run_probe
from probes.online_support import PROBE, click_to_chat, label_before
from services_farm import ABSENT, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def site(body, rendered_dom=None, network=()):
    s = site_from_pages({HOME: f"<html><body>{body}</body></html>"})
    if rendered_dom is not None:
        from crawler.artifacts import NetRequest
        s.pages[0].rendered = Rendered(HOME, dom=rendered_dom,
                                       network=[NetRequest(u, "script") for u in network])
        s.gathered.add("rendered")
    return s


def judge(*a, **kw):
    return run_probe(PROBE, site(*a, **kw), Context())


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "online-support")


@pytest.mark.parametrize("lang,key", [("oz", "pass_link"), ("uz", "pass_link"),
                                      ("ru", "pass_chat"), ("en", "pass_link")])
def test_farm_support_in_four_languages(found, lang, key):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass" and f["message"]["id"] == f"online-support.{key}", \
        f["summary"]
    assert f["evidence"][0]["url"].endswith(PRESENT[lang])
    if key == "pass_chat":
        assert f["details"]["chat_widgets"]["items"] == ["JivoChat (live-chat)"]


def test_farm_without_a_render_nothing_found_is_not_a_fail(found):
    """A widget injected by JavaScript cannot be excluded from the served HTML alone."""
    for lang in ("oz", "ru", "en"):  # share links, a hidden analytics tag, nothing else
        f = found[ABSENT[lang]]
        assert f["status"] == "error" and f["details"]["cause"] == "not-captured"


def test_farm_a_telegram_appeal_bot_is_weak(found):
    f = found[ABSENT["uz"]]
    assert f["status"] == "warn"
    assert f["details"]["telegram_bots"]["items"] == ["zomin_murojaat_bot"]


def test_cli_probe_online_support(farm, capsys):
    assert cli_probe(farm, capsys, "online-support", PRESENT["uz"])["status"] == "pass"


def test_the_chatbot_vendor_data_is_reused_not_copied():
    assert PROBE.hints == chatbot.PROBE.hints


@pytest.mark.parametrize("href,host", [
    ("https://wa.me/998901234567", "wa.me"), ("https://api.whatsapp.com/send?phone=99890",
                                              "api.whatsapp.com"),
    ("viber://chat?number=%2B998901234567", "viber"),
    ("https://wa.me/?text=https://gov.uz/oz/x", ""),  # a share button: no number
    ("https://chat.whatsapp.com/AbCdEf", ""),  # a group invite
])
def test_click_to_chat(href, host):
    assert click_to_chat(href) == host


@pytest.mark.parametrize("body,status", [
    ('<p>Onlayn maslahat: <a href="https://t.me/tuman_admin">@tuman_admin</a></p>', "pass"),
    ('<a href="https://t.me/tuman_support">Telegram</a>', "pass"),  # the user name says it
    ('<p>Онлайн-консультант: <a href="https://t.me/tuman_konsultant">Telegram</a></p>',
     "pass"),
    ('<p>Telegram kanalimiz: <a href="https://t.me/tuman_yangiliklari">t.me/x</a></p>'
     '<p>Onlayn maslahat xizmati tez orada</p>', "fail"),  # a channel; the words elsewhere
    ('<a href="https://t.me/tuman_murojaat_bot">Bot</a>', "warn"),
])
def test_telegram_links(body, status):
    assert judge(body, rendered_dom="<html><body></body></html>").status == status


def test_rendered_widgets_count_and_a_bot_platform_is_not_staff():
    live = judge("", rendered_dom="<html><body></body></html>",
                 network=["https://code.jivosite.com/widget/abc"])
    assert live.status == "pass" and "JivoChat" in live.summary
    bot = judge("<df-messenger agent-id='x'></df-messenger>",
                rendered_dom="<html><body></body></html>")
    assert bot.status == "warn" and bot.message["id"] == "online-support.warn_bot"


def test_nothing_rendered_nothing_found_fails():
    f = judge('<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>',
              rendered_dom="<html><body><p>Hokimlik</p></body></html>")
    assert f.status == "fail"


def test_label_before_stops_at_another_link():
    from selectolax.lexbor import LexborHTMLParser
    t = LexborHTMLParser('<p>Onlayn maslahat: <a href="/a">A</a> <a id="b" href="/b">B</a>'
                         '</p>')
    assert label_before(t.css_first("#b")) == ""
    assert label_before(t.css_first("a")) == "Onlayn maslahat:"
