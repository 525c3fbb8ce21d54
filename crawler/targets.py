"""Targets: what govscan scans, loaded from ``targets.toml``.

A target is a URL prefix, not a host: since March 2025 every hokimiyat is a section
``https://gov.uz/<lang>/<slug>`` of one host. A URL belongs to the target whose scope (or one
of its language variants) is its longest matching prefix, so the national ``gov.uz`` target
does not swallow the 220 sections below it.

``load_targets`` validates the file and reports a bad entry with its line and field.
``python -m crawler.targets CSV > targets.toml`` regenerates the file from the research CSV.
"""

from __future__ import annotations

import csv
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .artifacts import in_scope

LEVELS = ("national", "region", "district", "demo", "url")
LANGS = ("oz", "uz", "ru", "en", "qr")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
DEFAULT_TARGETS = Path(__file__).resolve().parent.parent / "targets.toml"


class TargetsError(ValueError):
    def __init__(self, path: str, line: int, field_name: str, message: str):
        self.path, self.line, self.field, self.msg = path, line, field_name, message
        where = f"{path}:{line}" if line else path
        fld = f" field '{field_name}'" if field_name else ""
        super().__init__(f"{where}:{fld} {message}")


@dataclass(frozen=True)
class Target:
    id: str
    name_uz: str
    name_ru: str
    level: str
    start_url: str
    scope: str
    region: str = ""
    languages: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    legacy_domains: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # more specific scopes that belong to other targets

    @property
    def host(self) -> str:
        return urlsplit(self.start_url).hostname or ""

    @property
    def scopes(self) -> tuple[str, ...]:
        """The scope and every language variant's prefix."""
        out = [self.scope]
        out += [u for u in self.languages.values() if u not in out]
        return tuple(out)

    def contains(self, url: str) -> bool:
        """True when ``url`` belongs to this target: under one of its scopes and not under a
        more specific scope owned by another target."""
        if not any(in_scope(url, s) for s in self.scopes):
            return False
        return not any(in_scope(url, x) for x in self.exclude)

    def language_of(self, url: str) -> str:
        """Which language variant ``url`` is in ("" when unknown)."""
        best, best_len = "", -1
        for lang, prefix in self.languages.items():
            if in_scope(url, prefix) and len(prefix) > best_len:
                best, best_len = lang, len(prefix)
        return best

    def to_dict(self) -> dict:
        return {"id": self.id, "name_uz": self.name_uz, "name_ru": self.name_ru,
                "level": self.level, "region": self.region, "start_url": self.start_url,
                "scope": self.scope, "languages": dict(self.languages),
                "legacy_domains": list(self.legacy_domains), "exclude": list(self.exclude)}

    @classmethod
    def from_dict(cls, d: dict) -> "Target":
        return cls(d["id"], d.get("name_uz", ""), d.get("name_ru", ""), d.get("level", ""),
                   d["start_url"], d.get("scope") or d["start_url"], d.get("region", ""),
                   dict(d.get("languages") or {}), tuple(d.get("legacy_domains") or ()),
                   tuple(d.get("exclude") or ()))

    @classmethod
    def for_url(cls, url: str) -> "Target":
        """An ad-hoc target for ``govscan probe URL``: the scope is the URL's directory-like
        prefix (the URL itself without query), so a gov.uz section stays a section."""
        parts = urlsplit(url)
        scope = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        slug = re.sub(r"[^a-z0-9._-]+", "-", f"{parts.hostname or 'url'}{parts.path}".lower())
        return cls(id=slug.strip("-") or "url", name_uz="", name_ru="", level="url",
                   start_url=url, scope=scope)


def _block_lines(text: str) -> list[int]:
    """Line numbers (1-based) of each ``[[target]]`` header, in order."""
    return [i + 1 for i, line in enumerate(text.splitlines())
            if line.strip().startswith("[[target]]")]


def _field_line(text: str, start: int, name: str) -> int:
    lines = text.splitlines()
    for i in range(start, len(lines)):  # ``start`` is the 1-based header line: begin below it
        if lines[i].strip().startswith("[["):
            break
        if re.match(rf"\s*{re.escape(name)}\s*=", lines[i]):
            return i + 1
    return start


def valid_url(u: object) -> bool:
    if not isinstance(u, str):
        return False
    p = urlsplit(u)
    return p.scheme in ("http", "https") and bool(p.hostname)


def load_targets(path: str | Path | None = None) -> list[Target]:
    """Load and validate a targets file; raise ``TargetsError`` naming line and field."""
    path = Path(path) if path else DEFAULT_TARGETS
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise TargetsError(str(path), int(m.group(1)) if m else 0, "", f"not valid TOML: {exc}")
    entries = data.get("target")
    if not isinstance(entries, list) or not entries:
        raise TargetsError(str(path), 1, "target", "no [[target]] entries")
    starts = _block_lines(text)
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for n, e in enumerate(entries):
        line = starts[n] if n < len(starts) else 0

        def bad(fld: str, msg: str):
            raise TargetsError(str(path), _field_line(text, line, fld) if line else 0, fld, msg)

        for req in ("id", "start_url"):
            if req not in e:
                bad(req, f"is required (entry {n + 1})")
        tid = e["id"]
        if not isinstance(tid, str) or not ID_RE.match(tid):
            bad("id", f"{tid!r} must be lower-case letters, digits, '.', '_' or '-'")
        if tid in seen:
            bad("id", f"{tid!r} is already used by the entry at line {seen[tid]}")
        seen[tid] = line
        for fld in ("start_url", "scope"):
            if fld in e and not valid_url(e[fld]):
                bad(fld, f"{e[fld]!r} is not an http(s) URL")
        level = e.get("level", "")
        if level and level not in LEVELS:
            bad("level", f"{level!r} is not one of {', '.join(LEVELS)}")
        langs = e.get("languages", {})
        if not isinstance(langs, dict):
            bad("languages", "must be a table like { oz = \"https://…\", ru = \"https://…\" }")
        for k, v in langs.items():
            if k not in LANGS:
                bad("languages", f"unknown language code {k!r} (use {', '.join(LANGS)})")
            if not valid_url(v):
                bad("languages", f"{k} = {v!r} is not an http(s) URL")
        legacy = e.get("legacy_domains", [])
        if not isinstance(legacy, list) or not all(isinstance(x, str) for x in legacy):
            bad("legacy_domains", "must be a list of host names")
        for k in e:
            if k not in ("id", "name_uz", "name_ru", "level", "region", "start_url", "scope",
                         "languages", "legacy_domains"):
                bad(k, "unknown field")
        scope = e.get("scope") or e["start_url"]
        if not in_scope(e["start_url"], scope):
            bad("scope", f"start_url {e['start_url']!r} is not under scope {scope!r}")
        targets.append(Target(tid, e.get("name_uz", ""), e.get("name_ru", ""), level,
                              e["start_url"], scope, e.get("region", ""), dict(langs),
                              tuple(legacy)))
    return with_exclusions(targets)


def with_exclusions(targets: list[Target]) -> list[Target]:
    """Give each target the more specific scopes of the others (longest prefix wins)."""
    by_host: dict[str, list[tuple[str, str, str]]] = {}  # host -> [(path, scope, owner)]
    for t in targets:
        for s in t.scopes:
            p = urlsplit(s)
            key = f"{(p.hostname or '').removeprefix('www.')}:{p.port}"
            by_host.setdefault(key, []).append((p.path.rstrip("/"), s, t.id))
    out = []
    for t in targets:
        excl: list[str] = []
        for mine in t.scopes:
            p = urlsplit(mine)
            path = p.path.rstrip("/")
            key = f"{(p.hostname or '').removeprefix('www.')}:{p.port}"
            for opath, oscope, owner in by_host.get(key, ()):
                if owner != t.id and len(opath) > len(path) and (
                        not path or opath.startswith(path + "/")) and oscope not in excl:
                    excl.append(oscope)
        out.append(Target(t.id, t.name_uz, t.name_ru, t.level, t.start_url, t.scope, t.region,
                          t.languages, t.legacy_domains, tuple(excl)))
    return out


def select_targets(targets: list[Target], only: list[str] | None) -> list[Target]:
    if not only:
        return targets
    by_id = {t.id: t for t in targets}
    unknown = [i for i in only if i not in by_id]
    if unknown:
        raise KeyError(f"unknown target id(s): {', '.join(unknown)}")
    return [by_id[i] for i in only]


# --- generating targets.toml from the research CSV ----------------------------------------

_DOMAIN_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:uz|gov\.uz))\b")


def _legacy(cell: str) -> list[str]:
    out = []
    for d in _DOMAIN_RE.findall(cell.lower()):
        if d not in out:
            out.append(d)
    return out


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def targets_toml_from_csv(csv_path: str) -> str:
    rows = list(csv.DictReader(open(csv_path, encoding="utf-8")))
    out = [
        "# govscan targets: the national portals, the 14 regional and the district/city",
        "# hokimiyat sections of gov.uz. Generated from research/targets-research.csv by",
        "#   python -m crawler.targets ../shared/research/targets-research.csv > targets.toml",
        "# then kept by hand. Fields: id, name_uz, name_ru, level (national|region|district),",
        "# region, start_url, scope (the URL prefix that belongs to the target), languages",
        "# (language variants of the same section), legacy_domains (pre-2025 domains that",
        "# must now redirect to gov.uz). Nothing here was checked live.",
        "",
    ]
    seen: set[str] = set()
    for r in rows:
        url = r["url"].strip().rstrip("/")
        if "api-portal" in url:
            out += ["# api-portal.gov.uz is the content API behind gov.uz, not a website:",
                    "# not a target.", ""]
            continue
        p = urlsplit(url)
        m = re.match(r"^/(oz|uz|ru|en)/([^/]+)$", p.path)
        if m:
            slug = m.group(2)
            tid = slug
            langs = {lg: f"{p.scheme}://{p.netloc}/{lg}/{slug}" for lg in ("oz", "uz", "ru", "en")}
            start = scope = url
        else:
            tid = p.hostname.replace(".", "-")
            start, scope = url + "/", url
            langs = {}
            if p.hostname in ("my.gov.uz", "gov.uz"):
                langs = {lg: f"{url}/{lg}" for lg in ("oz", "uz", "ru", "en")}
        if tid in seen:
            continue
        seen.add(tid)
        region = r["region"].strip()
        region = "" if region in ("—", "-") else region
        out.append("[[target]]")
        out.append(f"id = {_toml_str(tid)}")
        out.append(f"name_uz = {_toml_str(r['name_uz'].strip().rstrip('*'))}")
        name_ru = r["name_ru"].strip().rstrip("*")
        out.append(f"name_ru = {_toml_str('' if name_ru in ('—', '-') else name_ru)}")
        out.append(f"level = {_toml_str(r['level'].strip())}")
        if region:
            out.append(f"region = {_toml_str(region)}")
        out.append(f"start_url = {_toml_str(start)}")
        out.append(f"scope = {_toml_str(scope)}")
        if langs:
            inner = ", ".join(f"{k} = {_toml_str(v)}" for k, v in langs.items())
            out.append(f"languages = {{ {inner} }}")
        legacy = _legacy(r.get("legacy_domain", ""))
        if legacy:
            out.append("legacy_domains = [" + ", ".join(map(_toml_str, legacy)) + "]")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(targets_toml_from_csv(sys.argv[1]))
