"""Politeness state of one host name (``HostState``): its concurrency and its delay.

At most ``per_host_concurrency`` requests in flight to one host name (``sem``) and at least
``per_host_delay`` seconds between request starts (``wait_turn``); robots.txt's
``Crawl-delay`` raises ``delay`` (``raise_delay``), from the very next request on. The
fetcher keeps one per host and adds a global limit.

One job: pace requests to one host. May import the standard library only.
"""

from __future__ import annotations

import asyncio
import time


class HostState:
    """Politeness state of one host name."""

    def __init__(self, concurrency: int, delay: float):
        self.sem = asyncio.Semaphore(concurrency)
        self.delay = delay
        self.next_start = 0.0
        self.last_start = float("-inf")
        self.lock = asyncio.Lock()
        self.requests = 0

    async def wait_turn(self):
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.last_start = start
            self.next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)
        self.requests += 1

    def raise_delay(self, delay: float) -> None:
        """At least ``delay`` seconds between request starts from now on - counted from the
        last request that started (robots.txt's own, for a ``Crawl-delay``), so the very
        next request already waits for it."""
        if delay > self.delay:
            self.delay = delay
            self.next_start = max(self.next_start, self.last_start + delay)
