"""helpdesk-phone probe: a number beside a support label; a phone without one is not a
helpdesk."""

from __future__ import annotations

import pytest

from helpers import site_from_pages
from probes.base import Context, run_probe
from probes.helpdesk_phone import PROBE, labelled_numbers
from services_farm import ABSENT, LANGS, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def judge(body, url=HOME):
    return run_probe(PROBE, site_from_pages({url: f"<html><body>{body}</body></html>"},
                                            gathered=("pages", "linked")), Context())


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "helpdesk-phone")


@pytest.mark.parametrize("lang,label,number", [
    ("oz", "Ishonch telefoni", "1242"), ("uz", "Колл-марказ", "+998 67 225-00-00"),
    ("ru", "Телефон доверия", "+998 69 227 00 00"), ("en", "Hotline", "1093"),
])
def test_farm_support_numbers_with_their_labels(found, lang, label, number):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass", f["summary"]
    ev = f["evidence"][0]
    assert ev["data"] == {"label": label, "number": number}
    assert ev["url"].endswith(PRESENT[lang]) and ev["selector"]


@pytest.mark.parametrize("lang", LANGS)
def test_farm_phones_without_a_support_label_are_not_a_helpdesk(found, lang):
    """Qabulxona: (+998 66) ..., Телефон: ..., Phone: ... - phones, not support lines."""
    f = found[ABSENT[lang]]
    assert f["status"] == "fail", f["summary"]


def test_cli_probe_helpdesk_phone(farm, capsys):
    f = cli_probe(farm, capsys, "helpdesk-phone", PRESENT["oz"])
    assert f["status"] == "pass" and f["message"]["params"] == {"label": "Ishonch telefoni",
                                                                "number": "1242"}


@pytest.mark.parametrize("text,pairs", [
    ("Ishonch telefoni: 1242", [("Ishonch telefoni", "1242")]),
    ("Call-markaz — (+998 71) 200-00-00", [("Call-markaz", "(+998 71) 200-00-00")]),
    ("Ишонч телефони: 1093", [("Ишонч телефони", "1093")]),
    ("Горячая линия: (71) 239-11-22", [("Горячая линия", "(71) 239-11-22")]),
    ("Техническая поддержка: 1000", [("Техническая поддержка", "1000")]),
    ("Call center 1242", [("Call center", "1242")]),
    ("1242 — ishonch telefoni", [("ishonch telefoni", "1242")]),  # the number first
    ("+998 71 200-00-00 Call-markaz", [("Call-markaz", "+998 71 200-00-00")]),
    ("Ishonch telefoni 2024 yilda ishga tushirildi", []),  # a year, not a hotline
    ("2024 Ishonch telefoni", []),
    ("Qabulxona: (+998 66) 233-45-67", []),
    ("Telefon: +998 71 123 45 67", []),
    ("Ishonch telefoni orqali kelgan murojaatlar soni ortdi, jami 312 ta", []),  # too far
])
def test_labelled_numbers(text, pairs):
    assert labelled_numbers(text) == pairs


def test_a_tel_link_beside_its_label_counts_and_unlabelled_ones_are_listed():
    f = judge('<footer><p>Ishonch telefoni: <a href="tel:+998712000000">200-00-00</a></p>'
              '<p>Qabulxona: <a href="tel:+998712111111">211-11-11</a></p></footer>')
    assert f.status == "pass"
    assert f.details["unlabelled"]["items"] == ["+998712111111"]


def test_numbers_in_an_article_are_not_read():
    """Only the header, footer, contact blocks and contacts pages are read."""
    assert judge("<main><article><p>Ishonch telefoni: 1242</p></article></main>").status == \
        "fail"
    assert judge("<main><p>Ishonch telefoni: 1242</p></main>", HOME + "/contacts").status == \
        "pass"


def test_a_helpdesk_link_without_a_number_warns():
    f = judge('<nav><a href="/oz/x/call-markaz">Call-markaz</a></nav>')
    assert f.status == "warn" and f.details["found"] is True
