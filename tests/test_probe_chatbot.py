"""chatbot probe, static half: vendor fingerprints as data, Telegram bots as weak evidence,
the rendered half merged in; AI never verified."""

from __future__ import annotations

import json

import pytest

from crawler.artifacts import NetRequest, Rendered
from govscan.cli import main
from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.chatbot import PROBE, load_vendors, telegram_bot, vendor_of_url

HOME = "https://gov.test/oz/x"


def page(body, head=""):
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def judge(body, head="", rendered=True):
    site = site_from_pages({HOME: page(body, head)},
                           gathered=("pages", "rendered") if rendered else ("pages",))
    if rendered:
        site.pages[0].rendered = Rendered(HOME, dom=page(body, head))
    return run_probe(PROBE, site, Context())


@pytest.mark.parametrize("html,vendor", [
    ('<script src="//code.jivosite.com/widget/abc" async></script>', "JivoChat"),
    ('<script src="https://embed.tawk.to/5f/default"></script>', "tawk.to"),
    ("<script>window.__lc = {}; __lc.license = 123;</script>", "LiveChat"),
    ('<script>window.$crisp=[];window.CRISP_WEBSITE_ID="x";</script>', "Crisp"),
    ("<script>(function(w,d,u){})(window,document,'https://cdn-ru.bitrix24.ru/b1/crm/"
     "site_button/loader_2_x.js');</script>", "Bitrix24 Open Lines"),
    ('<script src="https://cdn.carrotquest.app/api.min.js"></script>', "Carrot quest"),
    ('<script src="//lcab.talk-me.ru/support/support.js?h=x"></script>', "Talk-Me"),
    ('<script src="https://lib.usedesk.ru/secure.usedesk.ru/widget_1.js"></script>',
     "UseDesk"),
    ("<script>window.ChatraID = 'x';</script>", "Chatra"),
    ('<script src="//code.tidio.co/abc.js"></script>', "Tidio"),
    ('<df-messenger agent-id="1" chat-title="Yordamchi"></df-messenger>',
     "Dialogflow Messenger"),
    ('<script src="https://cdn.botpress.cloud/webchat/v1/inject.js"></script>', "Botpress"),
    ('<script src="https://cdn.jsdelivr.net/npm/rasa-webchat/lib/index.js"></script>',
     "Rasa Webchat"),
    ('<iframe src="https://webchat.botframework.com/embed/gov-bot?s=x"></iframe>',
     "Microsoft Bot Framework Web Chat"),
    ('<script src="https://yastatic.net/s3/chat/widget.js"></script>',
     "Yandex Messenger chat widget"),
    ('<script src="https://widget.intercom.io/widget/x"></script>', "Intercom"),
    ('<script src="https://verbox.ru/support/support.js?h=x"></script>', "Verbox"),
])
def test_vendor_fingerprints(html, vendor):
    f = judge(html)
    assert f.status == "pass", f.summary
    assert f.details["vendors"]["items"] == [vendor]
    assert f.details["ai_verified"] is False
    assert "cannot be shown" in f.summary


@pytest.mark.parametrize("html", [
    '<script src="https://mc.yandex.ru/metrika/tag.js"></script>',  # analytics, not chat
    '<script src="https://www.gstatic.com/recaptcha/api.js"></script>',
    '<script src="https://cdn.jsdelivr.net/npm/jquery/dist/jquery.min.js"></script>',
    '<a href="https://t.me/buxoro_news">Telegram kanal</a>',  # a channel, not a bot
    '<p>Onlayn chat tez orada</p>',
])
def test_not_chat(html):
    f = judge(html)
    assert f.status == "fail", f.summary
    assert f.details["found"] is False


def test_telegram_bot_is_weak_evidence():
    f = judge('<a href="https://t.me/navoiy_murojaat_bot">Телеграм бот</a>'
              '<a href="https://t.me/HokimiyatBot">Bot</a>')
    assert f.status == "warn"
    assert f.details["telegram_bots"]["items"] == ["navoiy_murojaat_bot", "HokimiyatBot"]


@pytest.mark.parametrize("href,bot", [("https://t.me/xyzbot", "xyzbot"),
                                      ("https://t.me/xyz_bot?start=1", "xyz_bot"),
                                      ("https://t.me/xyz", ""), ("https://t.me/s/xyzbot", ""),
                                      ("https://t.me/joinchat/abcbot", ""),
                                      ("https://example.com/xyzbot", "")])
def test_telegram_bot_names(href, bot):
    assert telegram_bot(href) == bot


def test_without_a_render_nothing_found_is_error_but_static_vendor_passes():
    f = judge("<p>x</p>", rendered=False)
    assert f.status == "error" and f.details["cause"] == "not-captured"
    f = judge('<script src="//code.jivosite.com/widget/abc"></script>', rendered=False)
    assert f.status == "pass"
    f = judge('<a href="https://t.me/abc_bot">bot</a>', rendered=False)
    assert f.status == "warn"


def test_rendered_signals_count_like_static_ones():
    site = site_from_pages({HOME: page("<p>x</p>")}, gathered=("pages", "rendered"))
    site.pages[0].rendered = Rendered(HOME, dom=page("<p>x</p>"), network=[
        NetRequest("https://client.crisp.chat/l.js", "script")])
    f = run_probe(PROBE, site, Context())
    assert f.status == "pass" and f.details["vendors"]["items"] == ["Crisp"]
    assert f.details["rendered_signals"] >= 1 and f.details["static_signals"] == 0


def test_vendor_data_shape_for_the_rendered_half():
    vendors = load_vendors()
    assert len(vendors) >= 17
    for vid, v in vendors.items():
        assert v["name"] and v["kind"] in ("live-chat", "bot-framework")
        assert v["hosts"] or v["url_patterns"] or v["tags"], vid
        for h in v["hosts"]:
            assert "/" not in h and "." in h, (vid, h)  # hosts only, never a shared CDN path
    assert vendor_of_url("https://code.jivosite.com/x.js")[0] == "jivo"
    assert vendor_of_url("https://mc.yandex.ru/metrika/tag.js") == ("", "")


def probe(farm, capsys, path):
    main(["probe", "chatbot", farm.host_url("gov.test", path), "--json", "--no-render",
          "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
          *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path,status,vendor", [
    ("/oz/ind-qarshi", "pass", "JivoChat"),            # inline install snippet
    ("/ru/ind-fergana", "pass", "Bitrix24 Open Lines"),  # inline loader
    ("/en/ind-andijan", "pass", "tawk.to"),            # script src
    ("/uz/ind-navoiy", "warn", None),                  # Telegram appeal bot only
    ("/oz/ind-xonqa", "error", None),                  # a channel only, and no render
])
def test_farm_static_half(farm, capsys, path, status, vendor):
    f = probe(farm, capsys, path)
    assert f["status"] == status, f["summary"]
    if vendor:
        assert f["details"]["vendors"]["items"] == [vendor]
    assert f["details"]["ai_verified"] is False
