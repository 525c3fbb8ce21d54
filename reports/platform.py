"""Platform defects: what the shared platform's operator must fix, not each hokimiyat.

About 220 hokimiyat sections live on one host (gov.uz), built from one template. A defect of
that template or of the host (its HTTPS, its markup) shows on every section; listed 220
times it hides what each hokimiyat must fix itself. The rule:

* a finding's **defect evidence** is each evidence item that points at something on the
  page: an element or markup (a snippet or selector), a validator message, a measurement,
  or a fact about the host (its URL lies outside the section). Plain notes ("checked 3
  pages") are not defects;
* an item's key is (indicator, kind, selector, snippet, message) with the section's own
  path written as ``{section}``, so the same header element on /oz/buxoro and /oz/xiva is
  one key;
* a key is a **platform defect** when it is found in failing (``fail``/``warn``) findings of
  at least two sections of one host and of more than half of the host's sections judged on
  that indicator;
* a finding whose every defect item is a platform defect is "the platform's to fix"; one
  with some is "partly the platform's"; the rest are "yours to fix".

Pure: finding rows and target rows in, defects out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FAILING = ("fail", "warn")


def host_of(url: str) -> str:
    return (urlsplit(url or "").hostname or "").lower()


def section_path(target: dict) -> str:
    """The section's own path on its host (``/oz/buxoro``), "" for a whole-host target."""
    path = urlsplit(target.get("scope") or target.get("start_url") or "").path.rstrip("/")
    return path


def is_defect_item(e: dict, section: str) -> bool:
    """An evidence item that points at something (element, markup, message of a
    validator, measurement, host-level fact), not a plain note."""
    if e.get("snippet") or e.get("selector"):
        return True
    if e.get("kind") in ("measurement", "redirect", "header", "certificate", "tls"):
        return True
    if (e.get("data") or {}).get("type") in ("error", "warning"):
        return True
    path = urlsplit(e.get("url") or "").path
    return bool(section) and not path.startswith(section) and e.get("kind") != "message"


def item_key(indicator: str, e: dict, section: str) -> tuple:
    def norm(s):
        s = str(s or "")
        return s.replace(section, "{section}") if section else s

    return (indicator, e.get("kind") or "", norm(e.get("selector")), norm(e.get("snippet")),
            norm(e.get("message")))


@dataclass
class Defect:
    host: str
    indicator: str
    items: list[dict]  # one evidence item per key (from the first section)
    sections: list[str]  # target ids
    of: int  # sections of the host judged on the indicator
    keys: set = field(default_factory=set)

    @property
    def id(self) -> str:
        return f"{self.host}-{self.indicator}".replace(".", "-")


def platform_defects(findings: list[dict], targets: dict[str, dict]) -> tuple[list[Defect],
                                                                              dict]:
    """The platform defects of a run and, per (target, indicator), ``"platform"``,
    ``"partly"`` or absent (yours). Only hosts with at least two sections count."""
    sections_of_host: dict[str, set[str]] = defaultdict(set)
    for tid, t in targets.items():
        if section_path(t):
            sections_of_host[host_of(t.get("start_url", ""))].add(tid)
    judged: dict[tuple[str, str], set[str]] = defaultdict(set)  # (host, ind) -> targets
    seen: dict[tuple, dict[str, dict]] = defaultdict(dict)  # key -> target -> item
    item_keys: dict[tuple[str, str], set] = {}
    for f in findings:
        t = targets.get(f["target_id"]) or {}
        host, section = host_of(t.get("start_url", "")), section_path(t)
        if len(sections_of_host.get(host, ())) < 2 or f["target_id"] not in \
                sections_of_host[host]:
            continue
        if f["status"] in ("pass", "warn", "fail"):
            judged[(host, f["indicator"])].add(f["target_id"])
        if f["status"] not in FAILING:
            continue
        keys = set()
        for e in f.get("evidence") or []:
            if is_defect_item(e, section):
                k = (host,) + item_key(f["indicator"], e, section)
                keys.add(k)
                seen[k].setdefault(f["target_id"], e)
        item_keys[(f["target_id"], f["indicator"])] = keys
    platform_keys = set()
    for k, by_target in seen.items():
        n = len(judged[(k[0], k[1])])
        if len(by_target) >= 2 and len(by_target) * 2 > n:
            platform_keys.add(k)
    grouped: dict[tuple, Defect] = {}
    for k in sorted(platform_keys, key=str):
        sections = tuple(sorted(seen[k]))
        gk = (k[0], k[1], sections)
        d = grouped.get(gk)
        if d is None:
            d = grouped[gk] = Defect(k[0], k[1], [], list(sections),
                                     len(judged[(k[0], k[1])]))
        d.keys.add(k)
        d.items.append(seen[k][sections[0]])
    marks = {}
    for key, keys in item_keys.items():
        shared = keys & platform_keys
        if shared:
            marks[key] = "platform" if shared == keys else "partly"
    return sorted(grouped.values(), key=lambda d: (d.host, d.indicator)), marks
