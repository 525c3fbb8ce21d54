"""The https probe end to end through ``govscan probe https URL --json`` against the farm."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crawler.artifacts import Hop, Response, SiteCapture, TLSInfo
from govscan.cli import main
from crawler.targets import Target
from probes.base import Context, run_probe
from probes.https import PROBE, parse_hsts


def probe_json(capsys, url: str, *extra: str) -> tuple[int, list[dict]]:
    code = main(["probe", "https", url, "--json", "--no-render", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def farm_args(farm):
    return ["--ca-bundle", str(farm.ca_pem), "--allow-private"]


def test_valid_certificate_redirect_and_hsts_pass(farm, capsys):
    code, [f] = probe_json(capsys, farm.url("main", "/"), *farm_args(farm))
    assert f["status"] == "pass", f["summary"]
    assert code == 0
    assert f["indicator"] == "https" and f["un_code"] == "OSI #074"
    assert "9.6" in f["decree"]
    kinds = {e["kind"] for e in f["evidence"]}
    assert {"redirect", "certificate", "header"} <= kinds
    http_hop = next(e for e in f["evidence"] if e["kind"] == "redirect"
                    and e["data"]["endpoint"] == "http://bare")
    assert http_hop["data"]["hops"][0]["status"] == 301
    assert http_hop["data"]["final_url"].startswith("https://")
    cert = next(e for e in f["evidence"] if e["kind"] == "certificate")
    assert cert["data"]["verified"] is True and cert["data"]["days_left"] > 200
    assert f["details"]["hsts"]["max_age"] == 31536000


def test_no_http_to_https_redirect_fails(farm, capsys):
    code, [f] = probe_json(capsys, farm.url("no-redirect", "/oz/buxoro"), *farm_args(farm))
    assert f["status"] == "fail"
    assert code == 1
    assert "without a redirect" in f["summary"]
    assert f["details"]["strictly_forces_https"] is False


@pytest.mark.parametrize("profile,words", [
    ("expired", "expired"),
    ("self-signed", "issuer"),
    ("wrong-host", "mismatch"),
])
def test_invalid_certificates_fail(farm, capsys, profile, words):
    _, [f] = probe_json(capsys, farm.url(profile, "/"), *farm_args(farm))
    assert f["status"] == "fail", f["summary"]
    assert words in f["summary"]
    cert = next(e for e in f["evidence"] if e["kind"] == "certificate")
    assert cert["data"]["verified"] is False
    assert cert["data"]["subject"]  # which certificate was served is kept


def test_expired_certificate_evidence_has_dates(farm, capsys):
    _, [f] = probe_json(capsys, farm.url("expired", "/"), *farm_args(farm))
    cert = next(e for e in f["evidence"] if e["kind"] == "certificate")
    assert cert["data"]["days_left"] < 0


@pytest.mark.parametrize("profile,defect", [
    ("weak-hsts", "weak HSTS"),
    ("no-hsts", "no HSTS"),
    ("redirect-302", "temporary redirect (302)"),
])
def test_weak_deployments_warn(farm, capsys, profile, defect):
    code, [f] = probe_json(capsys, farm.url(profile, "/"), *farm_args(farm))
    assert f["status"] == "warn", f["summary"]
    assert defect in f["summary"]
    assert code == 0  # warn passes the UN rule


def test_unreachable_host_is_error_with_cause(farm, capsys):
    _, [f] = probe_json(capsys, f"https://127.0.0.1:{farm.closed_port()}/", "--allow-private")
    assert f["status"] == "error"
    assert f["details"]["cause"] == "refused"


def test_loopback_refused_without_allow_private(farm, capsys):
    _, [f] = probe_json(capsys, farm.url("main", "/"), "--ca-bundle", str(farm.ca_pem))
    assert f["status"] == "error"
    assert f["details"]["cause"] == "private-address"


def test_unresolvable_name_is_dns_error(capsys):
    _, [f] = probe_json(capsys, "https://no-such-host.invalid/")
    assert f["status"] == "error"
    assert f["details"]["cause"] == "dns"


def test_bare_and_www_hosts_are_both_checked(farm, capsys):
    url = farm.host_url("gov.test", "/oz/buxoro")
    res = [f"--resolve={h}:{ip}" for h, ip in farm.resolve.items()]
    _, [f] = probe_json(capsys, url, *farm_args(farm), *res)
    eps = {r["endpoint"] for r in f["details"]["endpoints"]["items"]}
    assert {"https://bare", "http://bare", "https://www", "http://www"} <= set(eps)
    assert f["status"] == "pass", f["summary"]


def test_console_script_prints_json(farm):
    out = subprocess.run([sys.executable, "-m", "govscan", "probe", "https",
                          farm.url("main", "/"), "--json", "--no-render", *farm_args(farm)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data[0]) >= {"indicator", "status", "url", "summary", "evidence", "details",
                            "decree", "un_code"}


# --- the predicates, on hand-made captures ----------------------------------------------

def test_parse_hsts():
    h = parse_hsts('max-age="63072000"; includeSubDomains; preload')
    assert h["max_age"] == 63072000 and h["include_subdomains"] and h["preload"]
    assert parse_hsts("includeSubDomains")["max_age"] is None


def _site(endpoints: dict[str, Response]) -> SiteCapture:
    s = SiteCapture(target=Target.for_url("https://example.uz/"))
    s.endpoints = endpoints
    s.gathered.add("endpoints")
    return s


def _ok(url, status=200, hsts="max-age=31536000", tls=None, redirects=()):
    return Response(url, url=url if not redirects else redirects[-1].location, status=status,
                    headers={"strict-transport-security": hsts} if hsts else {},
                    redirects=list(redirects), tls=tls)


def test_certificate_expiring_soon_warns(today):
    import datetime as dt

    soon = (today + dt.timedelta(days=5)).isoformat()
    tls = TLSInfo(True, subject="CN=example.uz", not_after=soon, version="TLSv1.3")
    site = _site({
        "https://bare": _ok("https://example.uz/", tls=tls),
        "http://bare": _ok("http://example.uz/", redirects=[Hop("http://example.uz/", 301,
                                                                "https://example.uz/")]),
    })
    f = run_probe(PROBE, site, Context(now=today))
    assert f.status == "warn" and "expires in 5 days" in f.summary


def test_old_tls_warns(today):
    tls = TLSInfo(True, subject="CN=example.uz", not_after="2099-01-01", version="TLSv1.1")
    site = _site({
        "https://bare": _ok("https://example.uz/", tls=tls),
        "http://bare": _ok("http://example.uz/", redirects=[Hop("http://example.uz/", 301,
                                                                "https://example.uz/")]),
    })
    f = run_probe(PROBE, site, Context(now=today))
    assert f.status == "warn" and "TLSv1.1" in f.summary
