"""The polite fetcher, one job per module (``crawler.fetch.fetcher`` tells the whole story).

``async with Fetcher(FetchConfig(...)) as f: resp = await f.fetch(url)`` returns a
``crawler.artifacts.Response`` and never raises: a failure is ``resp.error``, a ``FetchError``
whose cause comes from the closed set in ``crawler.causes``.

* ``config``     - ``FetchConfig``: every knob and its default.
* ``guard``      - the SSRF guard: public addresses only, checked in the network backend.
* ``errors``     - exceptions and statuses onto the closed cause set; retry rules.
* ``decoding``   - content codings (gzip, deflate, br, zstd, stacked) undone under the cap.
* ``encoding``   - the text encoding of a body.
* ``tls``        - TLS/certificate facts of an https response.
* ``robots``     - robots.txt rules per origin; what an origin is.
* ``politeness`` - per-host concurrency and delay.
* ``fetcher``    - ``Fetcher``: the client, retries, redirects, body cap, remembered failures.

Dependencies point one way: ``fetcher`` imports the others; ``errors`` imports ``guard`` (its
exception types); ``guard`` imports ``config``; the rest import no sibling. Nothing here
imports a probe, and probes never import ``crawler.fetch``.

This package re-exports the names importers use (``from crawler.fetch import ...``). To
monkeypatch a name, patch it in the module that uses it (e.g. ``crawler.fetch.guard``).
"""

from .config import DEFAULT_UA, MiB, FetchConfig
from .encoding import detect_encoding
from .errors import (RETRY_STATUSES, TRANSIENT, UNREACHABLE, classify, failure_of,
                     parse_retry_after)
from .fetcher import DNS_NEGATIVE_TTL, HOST_DOWN_AFTER, Fetcher
from .guard import (METADATA_ADDRESSES, DNSError, AddressGuard, PrivateAddressError,
                    is_public_address)
from .politeness import HostState
from .robots import ROBOTS_TOKEN, RobotsRule, origin_of, parse_robots
from .tls import tls_from_der, tls_from_ssl_object

__all__ = [
    "DEFAULT_UA", "DNS_NEGATIVE_TTL", "HOST_DOWN_AFTER", "METADATA_ADDRESSES", "MiB",
    "RETRY_STATUSES", "ROBOTS_TOKEN", "TRANSIENT", "UNREACHABLE",
    "DNSError", "FetchConfig", "Fetcher", "AddressGuard", "HostState",
    "PrivateAddressError", "RobotsRule",
    "classify", "detect_encoding", "failure_of", "is_public_address", "origin_of",
    "parse_retry_after", "parse_robots", "tls_from_der", "tls_from_ssl_object",
]
