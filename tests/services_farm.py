"""Shared by the tests of the service and content probes (help, helpdesk-phone,
online-support, usage-stats, business-info, privacy-policy, open-data, social-media): judge
farm sections through the pipeline of ``govscan probe`` (capture on the fly, then judge),
without a browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from crawler.farm.sites.services import ABSENT, PRESENT
from crawler.fetch import FetchConfig
from govscan.cli import main
from govscan.pipeline import probe_urls

LANGS = ("oz", "uz", "ru", "en")


def farm_config(farm) -> FetchConfig:
    return FetchConfig(ca_bundle=str(farm.ca_pem), allow_private=True,
                       resolve=dict(farm.resolve), per_host_delay=0.0, retries=0)


def farm_findings(farm, indicator: str, paths=None) -> dict[str, dict]:
    """path -> finding (as JSON) of ``indicator`` on each farm section of ``paths`` (default:
    the four present and the four absent sections of crawler/farm/sites/services.py)."""
    paths = list(paths or [*PRESENT.values(), *ABSENT.values()])
    urls = [farm.host_url("gov.test", p) for p in paths]
    found = asyncio.run(probe_urls(indicator, urls, farm_config(farm), dt.date.today(),
                                   render=False))
    return {p: f.to_dict() for p, f in zip(paths, found)}


def cli_probe(farm, capsys, indicator: str, path: str) -> dict:
    """``govscan probe INDICATOR URL --json --no-render`` on one farm section."""
    main(["probe", indicator, farm.host_url("gov.test", path), "--json", "--no-render",
          "--ca-bundle", str(farm.ca_pem), "--allow-private", "--per-host-delay", "0",
          *[f"--resolve={h}:127.0.0.1" for h in farm.resolve]])
    [f] = json.loads(capsys.readouterr().out)
    return f


__all__ = ["ABSENT", "LANGS", "PRESENT", "cli_probe", "farm_findings"]
