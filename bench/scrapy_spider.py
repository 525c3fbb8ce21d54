"""The Scrapy side of the static-crawl benchmark: crawl every farm site from its home page,
following in-site links, at most ``budget`` pages per site (the same budget govscan gets),
parsing links with Scrapy's own selectors. Politeness off like the govscan side
(no download delay, no autothrottle), robots.txt obeyed like govscan does.

    python bench/scrapy_spider.py FARM_DIR BUDGET   # prints {"pages": N} on stdout
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
import os
DEBUG = bool(os.environ.get("BENCH_DEBUG"))
from scrapy.crawler import CrawlerProcess


class FarmSpider(scrapy.Spider):
    name = "farm"

    def __init__(self, urls, budget, **kw):
        super().__init__(**kw)
        self.start_urls = urls
        self.budget = budget
        self.scheduled: Counter = Counter()
        self.seen: set[str] = set()
        self.pages = 0

    async def start(self):  # Scrapy >= 2.13
        for req in self.start_requests():
            yield req

    def start_requests(self):
        for u in self.start_urls:
            self.scheduled[urlsplit(u).netloc] += 1
            self.seen.add(u)
            yield scrapy.Request(u, callback=self.parse)

    def parse(self, response):
        self.pages += 1
        if DEBUG: print(response.status, response.url, file=sys.stderr)
        host = urlsplit(response.url).netloc
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            p = urlsplit(url)
            if p.scheme not in ("http", "https") or p.netloc != host:
                continue
            if self.scheduled[host] >= self.budget:
                break
            url = url.split("#", 1)[0]
            if url in self.seen:  # our own dupefilter, so the budget counts new URLs only
                continue
            self.seen.add(url)
            self.scheduled[host] += 1
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)


def main():
    farm, budget = Path(sys.argv[1]), int(sys.argv[2])
    conc = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    meta = json.loads((farm / "farm.json").read_text())
    proc = CrawlerProcess(settings={
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": conc,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False, "RETRY_ENABLED": False, "HTTPCACHE_ENABLED": False,
        "USER_AGENT": "govscan-bench-scrapy", "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    crawler = proc.create_crawler(FarmSpider)
    proc.crawl(crawler, urls=meta["urls"], budget=budget)
    proc.start()
    print(json.dumps({"pages": crawler.spider.pages}))


if __name__ == "__main__":
    main()
