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
from crawler.causes import Cause
from probes.https import PROBE, parse_hsts, serves_only_old_tls


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


# --- the TLS hosts (crawler/farm/tls_hosts.py) ------------------------------------------

from crawler.farm import Farm  # noqa: E402
from crawler.farm.tls_hosts import TLS_PROFILES, old_tls_served  # noqa: E402

needs_old_tls = pytest.mark.skipif(not old_tls_served(),
                                   reason="the local OpenSSL cannot serve TLS 1.0/1.1")


@pytest.fixture(scope="module")
def tls_farm(tmp_path_factory):
    profiles = TLS_PROFILES if old_tls_served() else \
        tuple(p for p in TLS_PROFILES if not p.tls.startswith("tls1."))
    f = Farm(tmp_path_factory.mktemp("tls-farm"), profiles=profiles).start()
    yield f
    f.stop()


def tls_args(farm):
    # politeness is tested elsewhere: no delay between the handshakes to one farm port
    return [*farm_args(farm), "--per-host-delay", "0"]


def _cert(f):
    return next(e for e in f["evidence"] if e["kind"] == "certificate")


def test_two_hsts_fields_only_the_first_counts(tls_farm, capsys):
    _, [f] = probe_json(capsys, tls_farm.url("hsts-twice", "/"), *tls_args(tls_farm))
    assert f["status"] == "pass", f["summary"]  # the second field (max-age=0) is ignored
    assert f["details"]["hsts"]["max_age"] == 31536000
    assert f["details"]["hsts"]["include_subdomains"] is True
    hdr = next(e for e in f["evidence"] if e["kind"] == "header")
    assert hdr["snippet"].count("Strict-Transport-Security:") == 2  # both fields shown
    assert "max-age=0" in hdr["snippet"] and "only the first counts" in hdr["message"]


def test_two_hsts_fields_weak_first_warns(tls_farm, capsys):
    _, [f] = probe_json(capsys, tls_farm.url("hsts-twice-weak-first", "/"),
                        *tls_args(tls_farm))
    assert f["status"] == "warn", f["summary"]
    assert "weak HSTS (max-age=600" in f["summary"]


@needs_old_tls
@pytest.mark.parametrize("profile,version", [("tls1.0", "TLSv1"), ("tls1.1", "TLSv1.1")])
def test_old_protocol_with_valid_certificate_warns(tls_farm, capsys, profile, version):
    code, [f] = probe_json(capsys, tls_farm.url(profile, "/"), *tls_args(tls_farm))
    assert f["status"] == "warn", f["summary"]
    assert code == 0
    assert f"offers only {version}," in f["summary"]
    assert "certificate" not in f["summary"]  # the certificate is fine: not blamed
    cert = _cert(f)
    assert cert["data"]["version"] == version and cert["data"]["failure"] == "protocol"
    assert cert["data"]["verified"] is True
    assert f["details"]["hsts_checked"] is False  # nothing was read over TLS 1.0


@needs_old_tls
@pytest.mark.parametrize("profile,words", [("tls1.0-expired", "expired on"),
                                           ("tls1.0-untrusted", "trusted authority")])
def test_old_protocol_with_bad_certificate_fails_naming_both(tls_farm, capsys, profile,
                                                            words):
    _, [f] = probe_json(capsys, tls_farm.url(profile, "/"), *tls_args(tls_farm))
    assert f["status"] == "fail"
    assert "offers only TLSv1," in f["summary"] and words in f["summary"]
    assert f["details"]["handshake_failure"] == "protocol"


def test_key_exchange_failure_is_not_blamed_on_the_certificate(tls_farm, capsys):
    _, [f] = probe_json(capsys, tls_farm.url("rsa-kex", "/"), *tls_args(tls_farm))
    assert f["status"] == "fail"
    assert "key exchange" in f["summary"] and "AES128-GCM-SHA256" in f["summary"]
    assert "TLSv1.2" in f["summary"] and "certificate" not in f["summary"]
    assert _cert(f)["data"]["verified"] is True  # the certificate itself is good


def test_self_signed_leaf_is_named(tls_farm, capsys):
    _, [f] = probe_json(capsys, tls_farm.url("self-signed-leaf", "/"), *tls_args(tls_farm))
    assert f["status"] == "fail"
    assert "self-signed (CN=gov.test)" in f["summary"]
    assert _cert(f)["data"]["cert_problem"] == "self-signed"


def test_certificate_without_subject_is_kept_in_evidence(tls_farm, capsys):
    _, [f] = probe_json(capsys, tls_farm.url("no-subject", "/"), *tls_args(tls_farm))
    assert f["status"] == "pass", f["summary"]  # a subject is not required (RFC 5280)
    cert = _cert(f)
    assert cert["data"]["subject"] == "" and "127.0.0.1" in cert["data"]["sans"]
    assert "no subject" in cert["message"] and "names " in cert["message"]


def test_https_redirecting_to_http_is_a_named_downgrade(tls_farm, capsys):
    _, [f] = probe_json(capsys, tls_farm.url("https-to-http", "/"), *tls_args(tls_farm))
    assert f["status"] == "fail"
    assert "redirects to plain http" in f["summary"]
    ep = next(e for e in f["evidence"] if e["kind"] == "redirect"
              and e["data"]["endpoint"] == "https://bare")
    assert ep["data"]["downgrade"] is True and "redirects to plain http" in ep["message"]
    cert = _cert(f)  # the TLS facts of the https hop are kept
    assert cert["data"]["verified"] is True and cert["data"]["version"].startswith("TLSv1.")


# --- stubbed facts: the rules without a server --------------------------------------------

def _tls_failed(url, tls):
    from crawler.causes import FetchError

    return Response(url, error=FetchError(Cause.TLS_INVALID, "handshake failed"), tls=tls)


def _http_to_https(http, https):
    return Response(http, url=https, status=200,
                    redirects=[Hop(http, 301, https)])


def test_old_protocol_rule_on_stubbed_facts(today):
    """The TLS < 1.2 warn on recorded facts (for an OpenSSL that cannot serve TLS 1.0)."""
    good = TLSInfo(True, verify_error="tlsv1 alert protocol version", version="TLSv1",
                   subject="CN=example.uz", not_after="2099-01-01", failure="protocol")
    site = _site({"https://bare": _tls_failed("https://example.uz/", good),
                  "http://bare": _http_to_https("http://example.uz/", "https://example.uz/")})
    f = run_probe(PROBE, site, Context(now=today))
    assert f.status == "warn" and "offers only TLSv1," in f.summary
    bad = TLSInfo(False, verify_error="x", version="TLSv1", subject="CN=example.uz",
                  not_after="2020-01-01", failure="protocol", cert_problem="expired")
    site.endpoints["https://bare"] = _tls_failed("https://example.uz/", bad)
    f = run_probe(PROBE, site, Context(now=today))
    assert f.status == "fail" and "expired on 2020-01-01" in f.summary
    # a failed handshake on a modern protocol is not "old TLS"
    modern = TLSInfo(False, verify_error="x", version="TLSv1.2", failure="protocol")
    assert not serves_only_old_tls(_tls_failed("https://example.uz/", modern))


@pytest.mark.parametrize("problem,words", [
    ("wrong-host", "is for other.example, not for example.uz"),
    ("untrusted", "trusted authority (issuer CN=Evil CA)"),
    ("not-yet-valid", "not valid before 2098-01-01"),
    ("revoked", "revoked"),
    ("mystery", "does not validate"),
])
def test_certificate_problems_are_worded(today, problem, words):
    t = TLSInfo(False, verify_error="openssl says no", version="TLSv1.3",
                subject="CN=other.example", issuer="CN=Evil CA", sans=["other.example"],
                not_before="2098-01-01", not_after="2099-01-01", failure="certificate",
                cert_problem=problem)
    site = _site({"https://bare": _tls_failed("https://example.uz/", t),
                  "http://bare": _http_to_https("http://example.uz/", "https://example.uz/")})
    f = run_probe(PROBE, site, Context(now=today))
    assert f.status == "fail" and words in f.summary and "openssl says no" in f.summary


def test_parse_hsts_first_field_only():
    h = parse_hsts("max-age=300\nmax-age=31536000; includeSubDomains")
    assert h["max_age"] == 300 and not h["include_subdomains"] and h["fields"] == 2
    assert parse_hsts("max-age=31536000, includeSubDomains")["max_age"] is None  # one bad field


def test_fetcher_keeps_hsts_fields_apart():
    from crawler.fetch.fetcher import _headers

    # the raw (name, value) byte pairs of a response, as the connection received them
    h = _headers([(b"Strict-Transport-Security", b"max-age=1"),
                  (b"strict-transport-security", b"max-age=2"), (b"Vary", b"a"), (b"Vary", b"b")])
    assert h["strict-transport-security"] == "max-age=1\nmax-age=2"
    assert h["vary"] == "a, b"


def test_handshake_failure_causes():
    import ssl

    from crawler.fetch.tls import cert_problem_of, failure_of_handshake

    def cert_err(code):
        e = ssl.SSLCertVerificationError(1, "certificate verify failed")
        e.verify_code = code
        return e

    def ssl_err(reason):
        e = ssl.SSLError(1, reason)
        e.reason = reason
        return e

    assert cert_problem_of(cert_err(10)) == "expired"
    assert cert_problem_of(cert_err(62)) == "wrong-host"
    assert cert_problem_of(cert_err(18)) == "self-signed"
    assert cert_problem_of(cert_err(20)) == "untrusted"
    assert failure_of_handshake(cert_err(10), "TLSv1.3") == "certificate"
    assert failure_of_handshake(ssl_err("TLSV1_ALERT_PROTOCOL_VERSION")) == "protocol"
    assert failure_of_handshake(ssl_err("SSLV3_ALERT_HANDSHAKE_FAILURE"), "TLSv1") == "protocol"
    assert failure_of_handshake(ssl_err("SSLV3_ALERT_HANDSHAKE_FAILURE"),
                                "TLSv1.2") == "key-exchange"
    assert failure_of_handshake(ssl_err("DH_KEY_TOO_SMALL")) == "key-exchange"
    # the permissive client could not connect either: nothing to say more than "handshake"
    assert failure_of_handshake(ssl_err("SSLV3_ALERT_HANDSHAKE_FAILURE")) == "handshake"
    assert failure_of_handshake(ConnectionResetError()) == "handshake"


@pytest.mark.parametrize("start,http_bare,http_start", [
    ("https://gov.uz/oz/buxoro", "http://gov.uz/", "http://gov.uz/oz/buxoro"),
    ("https://gov.uz:8443/oz/x", "http://gov.uz/", "http://gov.uz/oz/x"),
    ("https://www.site.uz:443/a", "http://site.uz/", "http://www.site.uz/a"),
    ("http://site.uz:8080/a", "http://site.uz:8080/", "http://site.uz:8080/a"),
    ("https://127.0.0.1:5555/a", "http://127.0.0.1:5555/", "http://127.0.0.1:5555/a"),
    ("https://gov.test:5555/", "http://gov.test:5555/", None),  # resolved to loopback
])
def test_plain_http_endpoints_go_to_port_80_unless_loopback(start, http_bare, http_start):
    from crawler.endpoints import endpoint_urls

    urls = endpoint_urls(start, {"gov.test": "127.0.0.1"})
    assert urls["http://bare"] == http_bare
    assert urls.get("http://start") == http_start
    if start.startswith("https://gov.uz:8443"):
        assert urls["https://bare"] == "https://gov.uz:8443/"  # https keeps its port
    if start.startswith("http://site.uz:8080"):
        assert urls["https://bare"] == "https://site.uz/"
