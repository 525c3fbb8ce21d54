"""legacy-redirect: old domains must redirect to the gov.uz section or be off."""

from __future__ import annotations

from crawler.artifacts import Hop, Page, Response, SiteCapture
from crawler.causes import Cause, FetchError
from crawler.targets import Target
from probes.base import Context, run_probe
from probes.legacy_redirect import PROBE, registered_domain

SECTION = "https://gov.uz/oz/buxoro"


def _site(*legacy: Response, domains=("buxoro.uz",)) -> SiteCapture:
    t = Target("buxoro", "Buxoro", "", "region", SECTION, SECTION,
               languages={"ru": "https://gov.uz/ru/buxoro"}, legacy_domains=tuple(domains))
    home = Page(Response(SECTION, status=200, headers={"content-type": "text/html"},
                         body=b"<html><title>Buxoro</title></html>"))
    s = SiteCapture(target=t, pages=[home], legacy=list(legacy))
    s.gathered.update({"pages", "legacy"})
    return s


def _redirect(src: str, dest: str) -> Response:
    return Response(src, url=dest, status=200, redirects=[Hop(src, 301, dest)])


def test_redirect_into_section_passes():
    f = run_probe(PROBE, _site(_redirect("http://buxoro.uz/", "https://gov.uz/ru/buxoro")),
                  Context())
    assert f.status == "pass"
    assert f.evidence[0].data["verdict"] == "redirects"


def test_domain_that_is_off_passes():
    off = Response("http://buxoro.uz/", error=FetchError(Cause.DNS, "NXDOMAIN"))
    assert run_probe(PROBE, _site(off), Context()).status == "pass"


def test_old_site_still_served_fails():
    own = Response("http://buxoro.uz/", status=200, body=b"<html>old CMS</html>")
    f = run_probe(PROBE, _site(own), Context())
    assert f.status == "fail" and "buxoro.uz" in f.summary


def test_redirect_to_platform_home_warns():
    f = run_probe(PROBE, _site(_redirect("http://buxoro.uz/", "https://gov.uz/oz")), Context())
    assert f.status == "warn"


def test_no_known_legacy_domain_is_not_applicable():
    assert run_probe(PROBE, _site(domains=()), Context()).status == "not_applicable"


def test_registered_domain_offline():
    assert registered_domain("www.buxoro.uz") == "buxoro.uz"
    assert registered_domain("old.my.gov.uz") == "gov.uz"


def test_unreachable_home_is_error_not_pass():
    """Offline, a legacy domain that does not resolve cannot be told from "off"."""
    off = Response("http://buxoro.uz/", error=FetchError(Cause.DNS, "NXDOMAIN"))
    s = _site(off)
    s.pages = [Page(Response(SECTION, error=FetchError(Cause.DNS, "NXDOMAIN")))]
    f = run_probe(PROBE, s, Context())
    assert f.status == "error" and f.details["cause"] == "dns"
