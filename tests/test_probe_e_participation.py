"""e-participation probe: polls, draft-act discussion, open budget, petitions - linked."""

from __future__ import annotations


import pytest

from helpers import site_from_pages
from services_farm import cli_probe
from probes.base import Context, run_probe
from probes.e_participation import PROBE

HOME = "https://gov.test/oz/x"


def page(body):
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def judge(body):
    site = site_from_pages({HOME: page(body)}, gathered=("pages", "linked"))
    return run_probe(PROBE, site, Context())


@pytest.mark.parametrize("body,kind", [
    ('<a href="https://regulation.gov.uz/oz/d/114130">Loyiha muhokamasi</a>', "discussion"),
    ('<a href="https://openbudget.uz/">Очиқ бюджет</a>', "budget"),
    ('<a href="https://meningfikrim.uz/">Mening fikrim</a>', "petition"),
    ('<a href="/ru/x/obsuzhdenie">Общественное обсуждение</a>', "section"),
    ('<a href="/en/x/polls">Polls</a>', "section"),
    ('<h3>So‘rovnoma</h3><form action="/oz/x/vote"><label><input type="radio" name="a">Ha'
     '</label><label><input type="radio" name="a">Yo‘q</label><button>Ovoz berish</button>'
     '</form>', "poll"),
])
def test_present_in_four_forms(body, kind):
    f = judge(body)
    assert f.status == "pass" and kind in f.details["kinds"], f.summary


@pytest.mark.parametrize("body", [
    "<p>Tashabbuslar openbudget.uz saytida qabul qilinmoqda.</p>",  # named, not linked
    '<form action="/oz/x/search"><input type="checkbox" name="all"> Barchasi'
    '<input name="q"></form>',  # check boxes, but not a poll
    '<a href="/oz/x/news/77">Jamoatchilik muhokamasi natijalari haqida batafsil</a>',
    "<main><h1>Туман ҳокимлиги</h1></main>",
])
def test_absent_and_look_alikes_fail(body):
    assert judge(body).status == "fail"


def probe(farm, capsys, path):
    return cli_probe(farm, capsys, "e-participation", path)


@pytest.mark.parametrize("path,status", [
    ("/oz/ind-denov", "pass"), ("/uz/ind-denov", "pass"), ("/ru/ind-denov", "pass"),
    ("/en/ind-denov", "pass"), ("/oz/ind-nurota", "fail"), ("/ru/ind-kokand", "fail")])
def test_farm(farm, capsys, path, status):
    f = probe(farm, capsys, path)
    assert f["status"] == status, f["summary"]
