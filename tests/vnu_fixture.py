"""One Nu HTML Checker service for the whole test session (Java start-up is slow).

Test modules do ``from vnu_fixture import vnu, farm_capture`` (pytest registers the imported
fixture in each module, but they all get the same running service: the singleton below). The
service is stopped at interpreter exit by ``crawler.validator.service``'s atexit hook; tests of the
lifecycle itself start their own services.
"""

from __future__ import annotations

import asyncio

import pytest

from crawler.capture import CaptureEnv, CaptureOptions, capture_site
from crawler.fetch import Fetcher, FetchConfig
from crawler.validator import VnuService, find_jar, find_java

_SHARED: VnuService | None = None

HAVE_JAVA = find_java() is not None and find_jar() is not None


def shared_vnu() -> VnuService:
    global _SHARED
    if _SHARED is None or not _SHARED.alive():
        _SHARED = VnuService().start()
    return _SHARED


@pytest.fixture(scope="session")
def vnu() -> VnuService:
    if not HAVE_JAVA:
        pytest.skip("Java or vnu.jar missing (run `npm ci`)")
    return shared_vnu()


def fetch_config(farm) -> FetchConfig:
    return FetchConfig(allow_private=True, ca_bundle=str(farm.ca_pem), resolve=farm.resolve,
                       per_host_delay=0.0, per_host_concurrency=4, retries=0)


def farm_capture(farm, target, artifacts, validator, **opts):
    """Capture ``target`` from the farm with ``validator`` as the run's vnu service. A browser
    the capture started is closed (the validator is the caller's): a pool left open keeps
    Chromium and its renderer watchdog running for the rest of the test session."""
    async def go():
        async with Fetcher(fetch_config(farm)) as f:
            env = CaptureEnv(f, CaptureOptions(**opts), resolve=f.config.resolve,
                             validator=validator)
            try:
                return await capture_site(target, list(artifacts), env)
            finally:
                if env.renderer is not None:
                    await env.renderer.close()

    return asyncio.run(go())
