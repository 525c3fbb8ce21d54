"""org-structure probe: the body's structure is published."""

from __future__ import annotations


import pytest

from helpers import judge_home, page_html
from services_farm import cli_probe
from probes.org_structure import PROBE

HOME = "https://gov.test/oz/x"


page = page_html


def judge(body, linked=None):
    return judge_home(PROBE, HOME, body, linked)


@pytest.mark.parametrize("text", ["Tashkiliy tuzilma", "Ташкилий тузилма",
                                  "Подведомственные организации", "Organisational structure"])
def test_structure_page_in_four_forms_passes(text):
    url = HOME + "/s"
    f = judge(f'<nav><a href="{url}">{text}</a></nav>',
              {url: "<main><h1>x</h1><ul><li>Moliya bo‘limi</li></ul></main>"})
    assert f.status == "pass", f.summary
    assert f.evidence[0].kind == "link"


def test_org_chart_document_passes_and_uncaptured_page_warns():
    assert judge('<a href="/oz/x/files/tuzilma.pdf">Tuzilma</a>').status == "pass"
    assert judge('<a href="/oz/x/tuzilma">Tuzilma</a>').status == "warn"


@pytest.mark.parametrize("body", [
    "<main><h1>Hokimlik</h1><p>Matn</p></main>",
    '<a href="/oz/x/news/5">Yangi tuzilma tashkil etildi</a>',  # a news item
    '<a href="/ru/x/infrastructure">Инфраструктура региона</a>',
])
def test_absent_and_look_alikes_fail(body):
    assert judge(body).status == "fail"


def probe(farm, capsys, path):
    return cli_probe(farm, capsys, "org-structure", path)


@pytest.mark.parametrize("path,status", [
    ("/oz/ind-denov", "pass"), ("/uz/ind-denov", "pass"), ("/ru/ind-denov", "pass"),
    ("/en/ind-denov", "pass"), ("/oz/ind-nurota", "fail"), ("/uz/ind-bare", "fail")])
def test_farm(farm, capsys, path, status):
    f = probe(farm, capsys, path)
    assert f["status"] == status, f["summary"]
