"""accessibility-mode probe: a version for the visually impaired that really changes the page
(static control; rendered: switched on, the look compared before/after)."""

from __future__ import annotations

import asyncio

import pytest

from crawler import browser
from crawler.artifacts import Rendered
from helpers import capture_urls, site_from_pages
from probes.accessibility_mode import PROBE, changes
from services_farm import cli_probe
from probes.base import Artifact, Context, run_probe
from test_render import fetch_config

HOME = "https://gov.test/oz/x"
needs_chromium = pytest.mark.skipif(browser.find_chromium() is None, reason="no Chromium")
PLAIN = {"filter": "", "font_mean": 16, "text_luminance": 0.05,
         "background_luminance": 1.0, "images": 4}


def page(body, head=""):
    return (f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body>"
            f"</html>")


def judge(body, facts=None, head=""):
    site = site_from_pages({HOME: page(body, head)})
    if facts is not None:
        site.gathered.add("a11y_mode")
        site.home.rendered = Rendered(HOME, extra={"a11y_mode": facts})
    return run_probe(PROBE, site, Context())


@pytest.mark.parametrize("body", [
    '<a href="/oz/x/special">Maxsus imkoniyatlar</a>',
    '<button type="button">Махсус имкониятлар</button>',
    '<a href="?special=1" title="Версия для слабовидящих"><img src="eye.svg" alt=""></a>',
    '<button aria-label="Version for the visually impaired"><i class="icon-eye"></i></button>',
    '<a href="#" class="bvi-open"><i class="fa-eye"></i></a>',
])
def test_static_control_in_four_forms_is_found(body):
    f = judge(body)
    assert f.status == "warn" and f.details["found"] is True  # not rendered: not verified


@pytest.mark.parametrize("body,head", [
    ("<main><h1>Hokimlik</h1></main>", ""),
    ('<p>Ko‘zi ojizlar uchun maxsus imkoniyatlar yaratish bo‘yicha tuman dasturi qabul '
     'qilindi va ijrosi boshlandi</p>', ""),  # an article sentence, not a control
    ('<span class="a11y-hidden">Skip</span>', ""),  # a screen-reader utility class
])
def test_absent_fails(body, head):
    assert judge(body, head=head).status == "fail"


def test_a_style_sheet_without_a_control_fails_with_the_hint():
    f = judge("<main>x</main>", head='<link rel="stylesheet" href="/css/specialView.css">')
    assert f.status == "fail" and "specialView" in f.summary


CONTROL = {"selector": "button", "text": "Maxsus imkoniyatlar", "word": "maxsus imkoniyatlar",
           "html": "<button>Maxsus imkoniyatlar</button>"}


@pytest.mark.parametrize("after,what", [
    ({**PLAIN, "filter": "grayscale(1)"}, "filter"),
    ({**PLAIN, "font_mean": 20}, "larger"),
    ({**PLAIN, "text_luminance": 1.0, "background_luminance": 0.0}, "colours"),
    ({**PLAIN, "images": 0}, "images"),
])
def test_rendered_changes_pass(after, what):
    facts = {"control": CONTROL, "before": PLAIN, "steps": [{"clicked": "x", "after": after}]}
    f = judge("<button>Maxsus imkoniyatlar</button>", facts)
    assert f.status == "pass" and what in f.summary


def test_rendered_control_that_changes_nothing_fails():
    facts = {"control": CONTROL, "before": PLAIN,
             "steps": [{"clicked": "x", "after": {**PLAIN, "font_mean": 16.3}}]}
    f = judge('<a href="#">Maxsus imkoniyatlar</a>', facts)
    assert f.status == "fail" and "changes nothing" in f.summary


def test_rendered_click_error_warns():
    facts = {"control": CONTROL, "before": PLAIN,
             "steps": [{"clicked": "x", "error": "element is not visible", "after": PLAIN}]}
    assert judge("<button>Maxsus imkoniyatlar</button>", facts).status == "warn"
    assert changes(PLAIN, {"error": "x"}) == []


def probe(farm, capsys, path):
    return cli_probe(farm, capsys, "accessibility-mode", path)


@pytest.mark.parametrize("path,status", [
    ("/oz/ind-denov", "warn"), ("/uz/ind-denov", "warn"), ("/ru/ind-denov", "warn"),
    ("/en/ind-denov", "warn"), ("/oz/ind-nurota", "warn"), ("/ru/ind-kokand", "fail")])
def test_farm_static(farm, capsys, path, status):
    """Without a browser the control is found and reported as not verified."""
    assert probe(farm, capsys, path)["status"] == status


@pytest.mark.browser
@needs_chromium
def test_rendered_switch_on_the_farm(farm):
    """In Chromium: a toggle (oz), a panel whose option switches (uz), and a
    "Maxsus imkoniyatlar" link that changes nothing (nurota, fails)."""
    paths = ["/oz/ind-denov", "/uz/ind-denov", "/oz/ind-nurota"]
    urls = [farm.host_url("gov.test", p) for p in paths]
    sites = asyncio.run(capture_urls(urls, {Artifact.A11Y_MODE}, fetch_config(farm),
                                     resolve_only=True))
    found = {p: run_probe(PROBE, s, Context()) for p, s in zip(paths, sites)}
    assert found["/oz/ind-denov"].status == "pass", found["/oz/ind-denov"].summary
    assert "grayscale" in found["/oz/ind-denov"].summary
    uz = found["/uz/ind-denov"]
    assert uz.status == "pass" and len(uz.details["steps"]["items"]) >= 2  # the option
    assert found["/oz/ind-nurota"].status == "fail"
    assert "changes nothing" in found["/oz/ind-nurota"].summary
    facts = sites[2].home.rendered.extra["a11y_mode"]
    assert facts["control"]["text"] == "Maxsus imkoniyatlar" and facts["steps"]
