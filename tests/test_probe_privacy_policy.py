"""privacy-policy probe: a privacy / personal-data policy linked AND a real page (fetched one
click away); a copyright line, a 404 and the home page again are not a policy."""

from __future__ import annotations

import pytest

from helpers import html_response, site_from_pages
from probes.base import Context, run_probe
from probes.privacy_policy import PROBE, linked_page
from services_farm import ABSENT, LANGS, PRESENT, cli_probe, farm_findings

HOME = "https://gov.test/oz/x"


def page(body, title="t"):
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


@pytest.fixture(scope="module")
def found(farm):
    return farm_findings(farm, "privacy-policy")


@pytest.mark.parametrize("lang", LANGS)
def test_farm_policies_are_linked_and_fetched(found, lang):
    f = found[PRESENT[lang]]
    assert f["status"] == "pass", f["summary"]
    link, fetched = f["evidence"][:2]
    assert link["kind"] == "link" and link["url"].endswith(PRESENT[lang])
    assert fetched["kind"] == "page" and fetched["url"] == link["data"]["href"]
    assert fetched["data"]["status"] == 200  # the crawler fetched it one click away


def test_farm_copyright_lines_and_terms_are_not_a_policy(found):
    for lang in ("oz", "en"):  # "Barcha huquqlar himoyalangan", "Mualliflik huquqi" link;
        f = found[ABSENT[lang]]  # "All rights reserved", "Terms of use" link
        assert f["status"] == "fail" and f["details"]["found"] is False, f["summary"]


def test_farm_a_policy_link_to_a_404_fails(found):
    f = found[ABSENT["ru"]]
    assert f["status"] == "fail" and f["details"]["found"] is True
    assert f["message"]["id"] == "privacy-policy.fail_broken"
    assert "HTTP 404" in f["summary"]


def test_farm_a_policy_link_to_the_home_page_again_fails(found):
    f = found[ABSENT["uz"]]  # a single-page shell: the same body for every path
    assert f["status"] == "fail" and "home page again" in f["summary"]


def test_cli_probe_privacy_policy(farm, capsys):
    assert cli_probe(farm, capsys, "privacy-policy", PRESENT["ru"])["status"] == "pass"


def _site(link, target_html=None, status=200, headers=None):
    site = site_from_pages({HOME: page(link)}, gathered=("pages", "linked"))
    if target_html is not None:
        from crawler.artifacts import Page
        site.linked.append(Page(html_response(HOME + "/privacy", target_html, status,
                                              headers), role="linked", depth=1))
    return site


@pytest.mark.parametrize("target,status,expected", [
    (page("<h1>Shaxsga doir maʼlumotlarni qayta ishlash siyosati</h1>"), 200, "pass"),
    (page("<p>Сайт собирает персональные данные только с согласия</p>", "Правила"), 200,
     "pass"),
    (page("<h1>Biz haqimizda</h1><p>Tuman tarixi</p>"), 200, "warn"),  # not about privacy
    (None, 200, "warn"),  # not fetched (the page budget): cannot be checked
    (page("<h1>Not found</h1>"), 404, "fail"),
    (page("<h1>Sahifa topilmadi</h1>"), 200, "fail"),  # a "soft 404"
    # the privacy link in every page's footer is not the page's own text
    (page("<main><h1>Biz haqimizda</h1><p>Tarix</p><footer><a href='/p'>Maxfiylik "
          "siyosati</a></footer></main>"), 200, "warn"),
    (b"%PDF-1.4", 200, "fail"),  # not an HTML page
])
def test_what_the_linked_page_must_be(target, status, expected):
    headers = {"content-type": "application/pdf"} if isinstance(target, bytes) else None
    site = _site('<footer><a href="/oz/x/privacy">Maxfiylik siyosati</a></footer>', target,
                 status, headers)
    assert run_probe(PROBE, site, Context()).status == expected


def test_the_home_page_again_is_not_a_policy():
    site = _site('<a href="/oz/x/privacy">Privacy policy</a>')
    from crawler.artifacts import Page
    same = html_response(HOME + "/privacy", site.home.response.body)
    site.linked.append(Page(same, role="linked", depth=1))
    kind, facts = linked_page(site, HOME + "/privacy")
    assert kind == "broken" and "home page again" in facts["why"]


@pytest.mark.parametrize("text", ["Barcha huquqlar himoyalangan", "Все права защищены",
                                  "Shaxsiy kabinet", "Mualliflik huquqi"])
def test_look_alike_links_are_not_a_policy(text):
    site = _site(f'<a href="/oz/x/p">{text}</a>')
    f = run_probe(PROBE, site, Context())
    assert f.status == "fail" and f.details["found"] is False


def test_a_policy_link_only_in_the_rendered_home_page_is_not_checked():
    from crawler.artifacts import Rendered

    site = _site("<footer></footer>")
    site.pages[0].rendered = Rendered(HOME, dom=page('<footer><a href="/oz/x/privacy">'
                                                     'Maxfiylik siyosati</a></footer>'))
    f = run_probe(PROBE, site, Context())
    assert f.status == "warn" and f.message["id"] == "privacy-policy.warn_unchecked"
