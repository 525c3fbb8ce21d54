"""The probe contract: findings, evidence, and the registry.

A probe is a pure function from captured artifacts (``crawler.artifacts.SiteCapture``) to one
``Finding``. It never touches the network or the browser: the crawler gathers what the probe
declares in ``requires`` and the probe judges it. Probes can therefore be re-run on stored
captures, tested on saved pages and explained.

Shape (after Lighthouse audits and 18F domain-scan scanners): one module per indicator in
``probes/``, each defining ``PROBE = Probe(id=..., version=..., requires=..., judge=...)``.
``run_probe`` wraps ``judge`` so that an exception becomes an ``error`` finding with its cause:
one broken probe never sinks a site's scan and never turns into a silent ``fail``.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Callable, Iterable

from crawler.artifacts import BROWSER_ARTIFACTS, Artifact, Hints  # noqa: F401 - the vocabulary

from . import catalogue

if TYPE_CHECKING:  # pragma: no cover
    from crawler.artifacts import SiteCapture


class Status(StrEnum):
    """The closed set of finding statuses (indicators.md)."""

    PASS = "pass"  # the UN rule is met
    FAIL = "fail"  # the UN rule is not met
    WARN = "warn"  # met, but with a defect worth fixing, or only weak evidence
    ERROR = "error"  # could not be judged (network failure, crash): never a silent fail
    MANUAL = "manual"  # needs a person (login-only features, search-engine results)
    NOT_APPLICABLE = "not_applicable"


SNIPPET_MAX = 2000  # characters of HTML/text kept per evidence item


def _cap(text: str, limit: int = SNIPPET_MAX) -> str:
    if text and len(text) > limit:
        return text[:limit] + f"… [{len(text) - limit} more characters]"
    return text or ""


@dataclass(frozen=True)
class Evidence:
    """One thing an auditor can look at to check (or dispute) a finding."""

    url: str  # where it was seen
    kind: str  # element | link | header | redirect | certificate | text | date | message |
    #            request | screenshot | form | file ...
    snippet: str = ""  # HTML or text as seen (capped)
    selector: str = ""  # CSS selector of the element, when there is one
    message: str = ""  # what this item shows, in words
    data: dict[str, Any] = field(default_factory=dict)  # structured facts (status, dates...)

    def __post_init__(self):
        object.__setattr__(self, "snippet", _cap(self.snippet))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: v for k, v in d.items() if v not in ("", {}, None) or k in ("url", "kind")}


@dataclass
class Finding:
    """The judgement of one indicator on one target (or one URL)."""

    indicator: str
    status: Status
    url: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    decree: str = ""
    un_code: str = ""
    probe_version: str = ""
    found_at: str = ""

    def __post_init__(self):
        self.status = Status(self.status)
        ind = catalogue.get(self.indicator)
        self.decree = self.decree or ind.decree
        self.un_code = self.un_code or ind.un_code
        self.found_at = self.found_at or dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds")

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "status": str(self.status),
            "url": self.url,
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "details": self.details,
            "decree": self.decree,
            "un_code": self.un_code,
            "probe_version": self.probe_version,
            "found_at": self.found_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        ev = [Evidence(**e) for e in d.get("evidence", [])]
        return cls(d["indicator"], Status(d["status"]), d["url"], d["summary"], ev,
                   d.get("details") or {}, d.get("decree", ""), d.get("un_code", ""),
                   d.get("probe_version", ""), d.get("found_at", ""))


@dataclass
class Context:
    """What a probe may know besides the artifacts."""

    now: dt.date = field(default_factory=dt.date.today)  # "today" for freshness rules
    options: dict[str, Any] = field(default_factory=dict)  # e.g. exercise_post_search


Judge = Callable[["SiteCapture", Context], Finding]


@dataclass(frozen=True)
class Probe:
    id: str  # canonical indicator id
    version: str  # bump when the rule changes: stored with every finding
    requires: frozenset[Artifact]
    judge: Judge
    description: str = ""  # the rule, in one paragraph (defaults to judge's docstring)
    # gathered when possible (and not --no-render); their absence or failure never makes the
    # finding an error - the probe judges without them and says so in details
    optional: frozenset[Artifact] = frozenset()
    # what the capture should pay attention to for this probe (sections to fetch first,
    # elements whose boxes to record, page globals): see ``crawler.artifacts.Hints``
    hints: Hints = Hints()

    @property
    def needs_browser(self) -> bool:
        return bool((self.requires | self.optional) & BROWSER_ARTIFACTS)

    @property
    def rule(self) -> str:
        return self.description or (self.judge.__doc__ or "").strip()


def error_finding(indicator: str, url: str, cause: str, message: str,
                  version: str = "", **details: Any) -> Finding:
    """A finding that could not be judged. ``cause`` is a short machine word
    (a fetch failure cause, ``probe-crashed``...), ``message`` a sentence for people."""
    return Finding(indicator, Status.ERROR, url, message,
                   [Evidence(url, "message", message=message)],
                   {"cause": cause, **details}, probe_version=version)


def run_probe(probe: Probe, site: "SiteCapture", ctx: Context | None = None) -> Finding:
    """Run one probe; never raises. A crash becomes an ``error`` finding with the traceback's
    last line as cause, and a site whose start page could not be fetched at all gives ``error``
    with the fetch cause (nothing to judge is not a fail)."""
    ctx = ctx or Context()
    url = site.start_url
    fatal = site.fatal_error(probe.requires)
    if fatal is not None:
        return error_finding(probe.id, url, fatal.cause, fatal.message, probe.version)
    missing = sorted(str(a) for a in probe.requires & BROWSER_ARTIFACTS
                     if str(a) not in site.gathered)
    if missing:
        msg = (f"The {probe.id} probe needs a rendered page ({', '.join(missing)}) and none "
               f"was rendered in this run (--no-render, or no browser).")
        return error_finding(probe.id, url, "not-captured", msg, probe.version)
    try:
        finding = probe.judge(site, ctx)
    except Exception as exc:  # noqa: BLE001 - the contract: a crash is an error finding
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return error_finding(probe.id, url, "probe-crashed",
                             f"The {probe.id} probe crashed: {tb}", probe.version,
                             traceback=traceback.format_exc(limit=6))
    finding.probe_version = finding.probe_version or probe.version
    return finding


# --- the registry -------------------------------------------------------------------------

PROBE_MODULES: tuple[str, ...] = (
    "https",
    "search",
    "advanced_search",
    "sitemap",
    "last_updated",
    "contact_us",
    "contact_form",
    "chatbot",
    "wcag",
    "responsive",
    "browser_compat",
    "w3c_markup",
    "w3c_css",
    "legacy_redirect",
)

_REGISTRY: dict[str, Probe] | None = None


def registry() -> dict[str, Probe]:
    """All probes, keyed by indicator id, in catalogue order. A module listed in
    PROBE_MODULES that does not exist yet is skipped (the indicator stays unjudged)."""
    global _REGISTRY
    if _REGISTRY is None:
        import importlib

        found: dict[str, Probe] = {}
        for name in PROBE_MODULES:
            try:
                mod = importlib.import_module(f"probes.{name}")
            except ModuleNotFoundError as exc:
                if exc.name == f"probes.{name}":
                    continue
                raise
            probe = mod.PROBE
            catalogue.get(probe.id)  # the id must be canonical
            found[probe.id] = probe
        order = [i.id for i in catalogue.INDICATORS]
        _REGISTRY = {k: found[k] for k in order if k in found}
    return _REGISTRY


def select(ids: Iterable[str]) -> list[Probe]:
    """Probes for ``ids``; ``all`` means every registered probe."""
    reg = registry()
    ids = list(ids)
    if not ids or "all" in ids:
        return list(reg.values())
    out = []
    for i in ids:
        if i not in reg:
            catalogue.get(i)  # raises for an unknown id
            raise KeyError(f"indicator {i!r} has no automated probe yet")
        out.append(reg[i])
    return out


def required_artifacts(probes: Iterable[Probe], render: bool = True) -> frozenset[Artifact]:
    """What the crawler must gather for ``probes``: the union of their requirements and
    optional wishes; without ``render`` every browser artifact is left out."""
    out: set[Artifact] = {Artifact.PAGES}
    for p in probes:
        out |= p.requires | p.optional
    if not render:
        out -= BROWSER_ARTIFACTS
    return frozenset(out)
