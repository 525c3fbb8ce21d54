"""Every knob of the fetcher in one dataclass, ``FetchConfig``, and its defaults.

One job: configuration values. Imports nothing from the rest of govscan, so every module of
the package (the guard, the fetcher) may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_UA = "govscan/0.1 (+https://github.com/govscan/govscan; compliance crawler for PP-308)"
MiB = 1024 * 1024


@dataclass
class FetchConfig:
    user_agent: str = DEFAULT_UA
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 45.0  # one attempt, headers + body
    max_body: int = 8 * MiB
    max_redirects: int = 10
    retries: int = 2  # extra attempts for transient failures
    backoff: float = 1.0  # first retry waits this long, then doubles
    max_retry_after: float = 30.0  # cap on a server's Retry-After
    per_host_concurrency: int = 2
    per_host_delay: float = 0.5  # seconds between request starts on one host
    max_crawl_delay: float = 30.0  # cap on robots.txt Crawl-delay
    global_concurrency: int = 16
    obey_robots: bool = True
    allow_private: bool = False
    ca_bundle: str | None = None
    resolve: dict[str, str] = field(default_factory=dict)  # host -> IP (tests, --resolve)
    accept_language: str = "uz,ru;q=0.8,en;q=0.6"
