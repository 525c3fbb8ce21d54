"""social-media probe: official accounts (Telegram first); share buttons, posts, videos and
bots are not accounts."""

from __future__ import annotations

import pytest

from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.social_media import PROBE, classify
from services_farm import ABSENT, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "social-media")


@pytest.mark.parametrize("lang,networks", [
    ("oz", ["Telegram", "Facebook", "Instagram"]), ("uz", ["Instagram", "YouTube"]),
    ("ru", ["Telegram"]), ("en", ["Telegram", "Facebook", "X (Twitter)"]),
])
def test_farm_accounts_in_four_languages_telegram_first(found, lang, networks):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass", f["summary"]
    assert f["details"]["networks"] == networks
    assert [e["kind"] for e in f["evidence"]] == ["link"] * len(networks)
    assert all(e["url"].endswith(PRESENT[lang]) for e in f["evidence"])


def test_farm_share_buttons_are_not_accounts(found):
    for lang in ("oz", "ru", "en"):
        f = found[ABSENT[lang]]
        assert f["status"] == "fail" and f["message"]["id"] == \
            "social-media.fail_share_only", f["summary"]
        assert f["details"]["share_buttons"]["items"]
    # the Termiz section has share buttons too, next to its accounts: listed, not counted
    assert len(found[PRESENT["oz"]]["details"]["share_buttons"]["items"]) == 2


def test_farm_a_bot_and_a_video_are_not_accounts(found):
    f = found[ABSENT["uz"]]  # t.me/zomin_murojaat_bot, youtube.com/watch?v=...
    assert f["status"] == "fail" and f["details"]["found"] is False


def test_cli_probe_social_media(farm, capsys):
    assert cli_probe(farm, capsys, "social-media", PRESENT["en"])["status"] == "pass"


@pytest.mark.parametrize("href,expected", [
    ("https://t.me/buxoro_hokimligi", ("account", "telegram", "buxoro_hokimligi")),
    ("https://t.me/s/buxoro_hokimligi", ("account", "telegram", "buxoro_hokimligi")),
    ("https://t.me/share/url?url=https://gov.uz/oz/x", ("share", "telegram", "")),
    ("https://t.me/buxoro_murojaat_bot", ("", "telegram", "")),
    ("https://t.me/joinchat/AbCd", ("", "telegram", "")),
    ("https://www.facebook.com/sharer/sharer.php?u=https://gov.uz", ("share", "facebook", "")),
    ("https://m.facebook.com/buxoro.hokimligi", ("account", "facebook", "buxoro.hokimligi")),
    ("https://www.facebook.com/x/posts/123", ("", "facebook", "")),
    ("https://www.instagram.com/p/Cx1/", ("", "instagram", "")),
    ("https://www.youtube.com/@buxorotv", ("account", "youtube", "@buxorotv")),
    ("https://www.youtube.com/channel/UC12", ("account", "youtube", "channel/UC12")),
    ("https://www.youtube.com/watch?v=abc", ("", "youtube", "")),
    ("https://youtu.be/abc", ("", "", "")),
    ("https://twitter.com/intent/tweet?url=x", ("share", "x", "")),
    ("https://x.com/buxoro_gov/status/1", ("", "x", "")),
    ("https://vk.com/share.php?url=x", ("share", "vk", "")),
    ("https://connect.ok.ru/offer?url=x", ("share", "ok", "")),
    ("https://www.addthis.com/bookmark.php?v=300", ("share", "", "")),
    ("https://telegram.org/", ("", "", "")),
])
def test_classify(href, expected):
    assert classify(href) == expected


def test_order_is_telegram_first_whatever_the_page_order():
    html = ('<a href="https://x.com/a">X</a><a href="https://youtube.com/@a">YouTube</a>'
            '<a href="https://t.me/a_rasmiy">Telegram</a>')
    f = run_probe(PROBE, site_from_pages({HOME: f"<html><body>{html}</body></html>"}),
                  Context())
    assert f.details["networks"] == ["Telegram", "YouTube", "X (Twitter)"]
    assert f.details["telegram"] is True


def test_icons_added_by_javascript_are_read_on_the_rendered_home_page():
    from crawler.artifacts import Rendered

    site = site_from_pages({HOME: "<html><body><footer></footer></body></html>"})
    site.pages[0].rendered = Rendered(HOME, dom='<html><body><footer><a href="https://t.me/'
                                      'tuman_rasmiy" aria-label="Telegram"></a></footer>'
                                      '</body></html>')
    f = run_probe(PROBE, site, Context())
    assert f.status == "pass" and f.details["networks"] == ["Telegram"]
    assert f.evidence[0].snippet == '<a href="https://t.me/tuman_rasmiy">Telegram</a>'
