"""The report's languages: Uzbek (Latin, the default), Russian, English.

Three catalogues, all data (TOML), none in templates:

* ``reports/locales/ui.toml`` - every label, heading, status, band, explanation and cause
  sentence the report itself writes: tables ``[uz]``, ``[ru]``, ``[en]`` with the same keys
  (``tests/test_report.py`` compares them). The English of a cause is
  ``crawler.causes.EXPLANATIONS`` (one place); the catalogue holds its Uzbek and Russian.
* ``reports/locales/indicators.toml`` - per indicator ``title``, ``checks``, ``fix``, each
  ``{ uz = "...", ru = "...", en = "..." }``; an entry or language missing falls back to the
  English title of ``probes/catalogue.py`` (and nothing for ``checks``/``fix``).
* ``probes/locales/<module>.toml`` - the probes' messages, ``[uz]``/``[ru]`` keyed by the
  keys of the module's ``UI = UIStrings(namespace, ...)``. A stored finding keeps its message
  id (``<namespace>.<key>``), parameters and English text; ``message`` renders it in the
  report's language, and falls back to the stored English text when no translation exists
  (a locale file not written yet, a key missing, a template whose parameters do not fit).
  Each fallback is counted (``Catalogue.fallbacks``).

Namespaces are mapped to modules from the probe registry (``probes.base.registry()``): the
``UI`` block of the module that defines a probe's judge names its namespace (``contact-form``
is ``contact_form.py``). ``run.*`` (what ``run_probe`` itself says, ``probes/base.py``) and
``cause.*`` (a capture failure; its sentence is the cause's explanation) are rendered from
this catalogue when ``probes/locales/base.toml`` does not hold them.
"""

from __future__ import annotations

import string
import sys
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path

from crawler.causes import EXPLANATIONS, Cause
from probes import catalogue

LANGS = ("uz", "ru", "en")
DEFAULT = "uz"
HTML_LANG = {"uz": "uz-Latn", "ru": "ru", "en": "en"}
LANG_NAMES = {"uz": "Oʻzbekcha", "ru": "Русский", "en": "English"}
LOCALES = Path(__file__).parent / "locales"
PROBE_LOCALES = Path(__file__).resolve().parent.parent / "probes" / "locales"


def _load(path: Path) -> dict:
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def ui_catalogue() -> dict[str, dict[str, str]]:
    """``ui.toml``: language -> key -> text."""
    return _load(LOCALES / "ui.toml")


@lru_cache(maxsize=1)
def indicator_guidance() -> dict[str, dict]:
    """``indicators.toml`` (written by the indicator guidance's author; may be absent)."""
    return _load(LOCALES / "indicators.toml")


@lru_cache(maxsize=1)
def namespaces() -> dict[str, str]:
    """Message namespace -> probe module name (``contact-form`` -> ``contact_form``), read
    from the registry: each probe module's ``UI`` block names its namespace."""
    from probes.base import UI as RUN_UI, UIStrings, registry

    out = {RUN_UI.namespace: "base"}
    for probe in registry().values():
        modname = probe.judge.__module__
        ui = getattr(sys.modules.get(modname), "UI", None)
        if isinstance(ui, UIStrings):
            out[ui.namespace] = modname.rsplit(".", 1)[-1]
    return out


@lru_cache(maxsize=None)
def probe_locale(module: str) -> dict[str, dict[str, str]]:
    """``probes/locales/<module>.toml`` (``{}`` when it does not exist yet)."""
    return _load(PROBE_LOCALES / f"{module}.toml")


def _format(template: str, params: dict) -> str | None:
    """``template.format(**params)``, or None when its fields do not match the parameters
    (a translation must not crash the report, nor show ``{n}``)."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        if not fields <= set(params):
            return None
        return template.format(**params)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None


class Catalogue:
    """The words of one language of the report. ``t(key, **params)`` for the report's own
    labels; ``message(msg, text)`` for a stored probe message; ``indicator(id, field)``
    for the guidance. Misses are counted in ``fallbacks`` (kind -> count) and
    ``missing`` (the keys)."""

    def __init__(self, lang: str):
        if lang not in LANGS:
            raise ValueError(f"language must be one of {LANGS}")
        self.lang = lang
        ui = ui_catalogue()
        self.labels: dict[str, str] = ui.get(lang, {})
        self.english: dict[str, str] = ui.get("en", {})
        self.fallbacks: Counter = Counter()
        self.missing: set[str] = set()
        self.html_lang = HTML_LANG[lang]

    def _miss(self, kind: str, key: str) -> None:
        self.fallbacks[kind] += 1
        self.missing.add(key)

    def t(self, key: str, **params) -> str:
        """A label of the report: this language, else English, else the key (counted)."""
        text = self.labels.get(key)
        if text is None:
            self._miss("label", key)
            text = self.english.get(key, key)
        return (_format(text, params) or text) if params else text

    def has(self, key: str) -> bool:
        return key in self.labels

    def status(self, status: str) -> str:
        return self.t(f"status.{status or 'none'}")

    def band(self, band: str) -> str:
        return self.t(f"band.{band}") if band else "-"

    def cause(self, cause: str) -> str:
        """The sentence for a failure cause: English from ``crawler.causes``."""
        if cause not in Cause._value2member_map_:
            return ""
        if self.lang == "en":
            return EXPLANATIONS.get(Cause(cause), "")
        return self.t(f"cause.{cause}")

    def indicator(self, ind_id: str, field: str = "title") -> str:
        """``title``, ``checks`` or ``fix`` of an indicator in this language; the English
        catalogue title when the guidance has no entry (``""`` for checks/fix)."""
        entry = (indicator_guidance().get(ind_id) or {}).get(field)
        if isinstance(entry, dict) and entry.get(self.lang):
            return entry[self.lang]
        if isinstance(entry, str) and entry:
            return entry
        self._miss(f"indicator-{field}", f"{ind_id}.{field}")
        if isinstance(entry, dict) and entry.get("en"):
            return entry["en"]
        if field == "title":
            try:
                return catalogue.get(ind_id).title
            except KeyError:
                return ind_id
        return ""

    def message(self, msg: dict | None, text: str) -> str:
        """A stored message (``{id, params}``) in this language; ``text`` (the stored
        English) when it cannot be rendered."""
        if not msg or not msg.get("id"):
            return text
        if self.lang == "en":
            return text
        mid = str(msg["id"])
        params = msg.get("params") or {}
        ns, _, key = mid.partition(".")
        if ns == "cause":
            sentence = self.cause(key)
            if sentence:
                detail = params.get("detail")
                return f"{sentence} ({detail})" if detail else sentence
            self._miss("message", mid)
            return text
        module = namespaces().get(ns)
        template = (probe_locale(module).get(self.lang) or {}).get(key) if module else None
        if template is None:
            template = self.labels.get(f"msg.{mid}")  # run.* kept here too
        out = _format(template, params) if template is not None else None
        if out is None:
            self._miss("message", mid)
            return text
        return out


def used_label_keys(text: str) -> set[str]:
    """The literal label keys a template or module calls ``t("...")`` with."""
    import re

    return set(re.findall(r"""\bt\(\s*["']([a-z0-9_.\-]+)["']""", text))
