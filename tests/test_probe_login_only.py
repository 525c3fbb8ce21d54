"""The login-only family (one module, PROBES): always manual, what to check and how, with
the proxy facts (a OneID login, a personal cabinet)."""

from __future__ import annotations

import json

import pytest

from govscan.cli import main
from helpers import site_from_pages
from probes import login_only
from probes.base import Context, registry, run_probe

HOME = "https://gov.test/oz/x"
IDS = ("favourite-services", "transaction-history", "own-data-access", "own-data-edit",
       "business-data-access", "business-data-edit", "save-resume")


def judge(ind, body):
    site = site_from_pages({HOME: f"<html><body>{body}</body></html>"},
                           gathered=("pages", "linked"))
    return run_probe(registry()[ind], site, Context())


def test_the_family_registers_seven_indicators_from_one_module():
    assert tuple(p.id for p in login_only.PROBES) == IDS
    assert all(registry()[i] is p for i, p in zip(IDS, login_only.PROBES))


@pytest.mark.parametrize("ind", IDS)
def test_each_is_manual_and_says_what_to_check(ind):
    f = judge(ind, '<a href="https://id.egov.uz/?client_id=x">Kirish</a>'
                   '<a href="/oz/x/cabinet">Shaxsiy kabinet</a>')
    assert f.status == "manual" and f.indicator == ind
    assert f.details["how_to_check"] in f.summary
    assert f.details["oneid_login"] is True and f.details["personal_cabinet"] is True


@pytest.mark.parametrize("body,oneid,cabinet", [
    ('<a href="https://sso.egov.uz/login">Войти</a><a href="/ru/lk">Личный кабинет</a>',
     True, True),
    ('<a href="/uz/auth/oneid">OneID орқали кириш</a><a href="/uz/k">Шахсий кабинет</a>',
     True, True),
    ('<a href="/en/login">Sign in</a><a href="/en/account">My account</a>', False, True),
    ('<a href="https://t.me/x">Telegram</a>', False, False),
])
def test_proxy_facts_in_four_forms(body, oneid, cabinet):
    f = judge("save-resume", body)
    assert f.status == "manual"
    assert (f.details["oneid_login"], f.details["personal_cabinet"]) == (oneid, cabinet)


def test_farm_and_the_catalogue(farm, capsys):
    main(["probe", "own-data-edit", farm.host_url("gov.test", "/ru/ind-denov"), "--json",
          "--no-render", "--ca-bundle", str(farm.ca_pem), "--allow-private",
          "--per-host-delay", "0", *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    assert f["status"] == "manual" and f["details"]["oneid_login"] is True
    assert main(["indicators", "--json"]) == 0
    cat = {i["id"]: i for i in json.loads(capsys.readouterr().out)}
    assert all(cat[i]["automated"] == "manual" and cat[i]["probe"] for i in IDS)
    assert cat["findability"]["automated"] == "manual"

