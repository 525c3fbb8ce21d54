"""contact-form probe: appeal/feedback forms by their fields and words, appeal platforms,
Telegram appeal bots; look-alike forms that must not count."""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

from govscan.cli import main
from helpers import judge_home, page_html
from probes.contact_form import PROBE, platform_link
from pageread.forms import page_forms

HOME = "https://gov.test/oz/x"


page = page_html


def kinds(html):
    return [f.kind for f in page_forms(LexborHTMLParser(page(html)), HOME)]


@pytest.mark.parametrize("form", [
    '<form method="post"><input name="fio"><textarea name="t"></textarea>'
    '<button>Murojaat yuborish</button></form>',
    '<form method="post"><label>Мурожаат матни <textarea name="t"></textarea></label></form>',
    '<form method="post" action="/obrashcheniya"><textarea name="body"></textarea></form>',
    '<form method="post"><textarea name="t" placeholder="Ваш отзыв"></textarea></form>',
    '<form method="post"><input name="email" type="email"><textarea name="msg"></textarea>'
    '<button>Send</button></form>',  # contact fields + free text = feedback
    '<form method="post"><input name="fikr" placeholder="Fikr va takliflaringiz"></form>',
])
def test_appeal_forms(form):
    assert kinds(form) == ["appeal"]


@pytest.mark.parametrize("form,kind", [
    ('<form method="post"><input name="login"><input type="password" name="p">'
     '<textarea name="murojaat"></textarea></form>', "login"),
    ('<form method="post"><input type="email" name="email"><button>Obuna bo‘lish</button>'
     '</form>', "subscription"),
    ('<form><input type="search" name="q" placeholder="Qidirish"></form>', "search"),
    ('<form method="post"><input name="author"><textarea name="comment" placeholder='
     '"Izohingiz"></textarea></form>', "comment"),
    ('<form method="post"><textarea name="x"></textarea></form>', "other"),
])
def test_look_alike_forms(form, kind):
    assert kinds(form) == [kind]


@pytest.mark.parametrize("href,ok", [
    ("https://pm.gov.uz/uz#/", "pm.gov.uz"),
    ("https://my.gov.uz/oz/service/appeal", "my.gov.uz"),
    ("https://my.gov.uz/oz/service/123", ""),  # a service, not the appeal service
    ("https://pm.gov.uz.evil.example/", ""),
])
def test_platform_links(href, ok):
    assert platform_link(href) == ok


def judge(body, linked=None):
    return judge_home(PROBE, HOME, body, linked)


def test_telegram_appeal_bot_link_and_written_handle_pass():
    f = judge('<a href="https://t.me/buxoro_murojaat_bot">Telegram</a>')
    assert f.status == "pass" and f.details["telegram_bots"]["items"] == ["buxoro_murojaat_bot"]
    f = judge("<p>Murojaat qiling: (+998) 65-222-22-22, @buxorouzmurojaatbot</p>")
    assert f.status == "pass" and f.details["telegram_bots"]["items"] == ["buxorouzmurojaatbot"]


def test_telegram_channel_or_other_bot_is_not_an_appeal_channel():
    f = judge('<a href="https://t.me/buxoro_news">Kanal</a>'
              '<a href="https://t.me/weather_bot">Ob-havo</a>')
    assert f.status == "fail" and f.details["found"] is False


def test_appeal_form_on_linked_page_passes_with_fields():
    f = judge(f'<a href="{HOME}/murojaat">Murojaatlar</a>',
              {HOME + "/murojaat": '<form method="post"><input name="fio"><textarea '
                                   'name="matn"></textarea><button>Yuborish</button></form>'})
    assert f.status == "pass" and f.details["appeal_forms"] == 1
    ev = f.evidence[0]
    assert ev.kind == "form" and {x["name"] for x in ev.data["fields"]} >= {"fio", "matn"}
    assert f.details["submitted"] is False


def test_appeals_section_not_captured_warns():
    f = judge(f'<a href="{HOME}/murojaatlar">Virtual qabulxona</a>')
    assert f.status == "warn" and f.details["found"] is True


def test_faq_and_news_links_are_not_an_appeals_section():
    f = judge(f'<a href="{HOME}/faq">Ko‘p so‘raladigan savollar</a>'
              f'<a href="{HOME}/news">Yangiliklar</a>')
    assert f.status == "fail" and f.details["found"] is False


def test_only_login_and_newsletter_fail():
    f = judge('<form method="post"><input name="u"><input type="password" name="p"></form>'
              '<form method="post"><input type="email" name="e"><button>Подписаться</button>'
              '</form>')
    assert f.status == "fail"
    assert f.details["other_forms"]["items"] == {"login": 1, "subscription": 1}


def probe(farm, capsys, path):
    main(["probe", "contact-form", farm.host_url("gov.test", path), "--json", "--no-render",
          "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
          *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    return f


@pytest.mark.parametrize("path,key", [
    ("/oz/ind-qarshi", "appeal_forms"), ("/uz/ind-navoiy", "platform_links"),
    ("/ru/ind-fergana", "appeal_forms"), ("/en/ind-andijan", "appeal_forms"),
    ("/oz/buxoro", "telegram_bots"),
])
def test_farm_ways_to_appeal_in_four_languages(farm, capsys, path, key):
    f = probe(farm, capsys, path)
    assert f["status"] == "pass", f["summary"]
    value = f["details"][key]  # a count, or a list block
    assert value["items"] if isinstance(value, dict) else value


@pytest.mark.parametrize("path", ["/oz/ind-xonqa", "/ru/ind-kokand", "/oz/xiva"])
def test_farm_login_newsletter_comment_are_not_appeal_forms(farm, capsys, path):
    f = probe(farm, capsys, path)
    assert f["status"] == "fail", f["summary"]
    assert f["details"]["other_forms"]["items"]
    assert "appeal" not in f["details"]["other_forms"]["items"]
