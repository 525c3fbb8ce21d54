"""business-info probe: a section for entrepreneurs; a business headline is not a section."""

from __future__ import annotations

import pytest

from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.business_info import PROBE
from services_farm import ABSENT, LANGS, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def judge(body):
    return run_probe(PROBE, site_from_pages({HOME: page(body)}), Context())


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "business-info")


@pytest.mark.parametrize("lang,text", [("oz", "Tadbirkorlik"), ("uz", "Тадбиркорлик ва бизнес"),
                                       ("ru", "Предпринимательство"),
                                       ("en", "Investment potential")])
def test_farm_business_sections_in_four_languages(found, lang, text):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass", f["summary"]
    assert f["evidence"][0]["data"]["text"] == text
    assert f["evidence"][0]["url"].endswith(PRESENT[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_farm_business_words_in_headlines_and_text_are_not_a_section(found, lang):
    f = found[ABSENT[lang]]
    assert f["status"] == "fail", f["summary"]


def test_cli_probe_business_info(farm, capsys):
    assert cli_probe(farm, capsys, "business-info", PRESENT["ru"])["status"] == "pass"


@pytest.mark.parametrize("body,status", [
    ('<a href="/oz/x/b">Biznes</a>', "pass"),
    ('<a href="/uz/x/i">Инвестицион салоҳият</a>', "pass"),
    ('<a href="/oz/x/tadbirkorlik"><i class="icon"></i></a>', "pass"),
    ('<a href="/oz/x/n/1">Viloyatda kichik biznes subyektlari soni 12 foizga oshdi</a>', "fail"),
    ("<p>Тадбиркорликни қўллаб-қувватлаш</p>", "fail"),
])
def test_business_links(body, status):
    assert judge(body).status == status
