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
        """Return when this host's next request may start: ``delay`` after the previous
        one *actually* started. The turn is held while waiting, and the next turn counted
        from the moment this one woke: a waiter woken late by a busy event loop delays the
        ones after it instead of letting two requests go in a burst (issue 14: they had been
        scheduled ``delay`` apart in advance, and a late wake-up left 0.02 s between two)."""
        async with self.lock:
            wait = self.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            start = time.monotonic()
            self.last_start = start
            self.next_start = start + self.delay
        self.requests += 1

    def raise_delay(self, delay: float) -> None:
        """At least ``delay`` seconds between request starts from now on - counted from the
        last request that started (robots.txt's own, for a ``Crawl-delay``), so the very
        next request already waits for it."""
        if delay > self.delay:
            self.delay = delay
            self.next_start = max(self.next_start, self.last_start + delay)
