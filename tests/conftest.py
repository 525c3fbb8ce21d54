"""Shared fixtures: the loopback farm (one per test session) and capture builders; and the
hermetic guard: no test resolves a real host name."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket

import pytest

from crawler.farm import Farm


@pytest.fixture(scope="session")
def farm(tmp_path_factory):
    f = Farm(tmp_path_factory.mktemp("farm")).start()
    yield f
    f.stop()


@pytest.fixture
def today():
    return dt.date.today()


# --- hermetic guard (issue 12): no test may resolve or reach a real host --------------------
# Farm hosts reach the farm through resolve maps (--resolve, Chromium's host-resolver-rules),
# never through DNS. In this process every lookup of a name that is neither an IP literal nor
# localhost fails as "no such name" without asking DNS; a name outside the reserved test
# domains (RFC 2606/6761: .test, .invalid, .example, .localhost) also fails the test that
# looked it up, so a test that would reach a real host on a machine with internet is caught
# on a machine without it.
RESERVED_SUFFIXES = (".test", ".invalid", ".example", ".localhost")
_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname
_looked_up: list[str] = []


def _local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0].lower().rstrip(".")
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _refuse(host):
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    if not name.lower().rstrip(".").endswith(RESERVED_SUFFIXES):
        _looked_up.append(name)
    raise socket.gaierror(socket.EAI_NONAME, f"{name}: no DNS in tests (tests/conftest.py)")


def _getaddrinfo(host, *args, **kw):
    if _local(host):
        return _real_getaddrinfo(host, *args, **kw)
    _refuse(host)


def _gethostbyname(host):
    if _local(host):
        return _real_gethostbyname(host)
    _refuse(host)


socket.getaddrinfo = _getaddrinfo
socket.gethostbyname = _gethostbyname


@pytest.fixture(autouse=True)
def _no_real_host_lookups():
    """Fail a test whose process tried to resolve a real host name (see above)."""
    _looked_up.clear()
    yield
    if _looked_up:
        names = sorted(set(_looked_up))
        _looked_up.clear()
        pytest.fail(f"this test resolved real host names {names[:5]}: use the farm and a "
                    f"resolve map, or inject a resolver (tests must be hermetic)")
