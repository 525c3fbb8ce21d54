"""The Uzbek (Latin) and Russian texts: ``probes/locales/<module>.toml`` (probe messages) and
``reports/locales/indicators.toml`` (the per-indicator guidance), checked against the code.

* every probe module with a locale file: each key of its ``UI = UIStrings(...)`` block is in
  ``[uz]`` and ``[ru]`` with the same ``{named}`` parameters (and the same format spec),
  and no key is there that the module does not have;
* every indicator of ``probes/catalogue.py`` has ``title``, ``checks`` and ``fix`` in uz,
  ru and en, and no unknown indicator is described;
* the scripts are right: Uzbek in Latin with oʻ/gʻ written with U+02BB (not an ASCII
  apostrophe), Russian in Cyrillic, and the texts are translations, not English copies.
"""

from __future__ import annotations

import importlib
import re
import string
import tomllib
from pathlib import Path

import pytest

from probes.catalogue import INDICATORS

ROOT = Path(__file__).resolve().parent.parent
PROBE_LOCALES = ROOT / "probes" / "locales"
INDICATOR_LOCALES = ROOT / "reports" / "locales" / "indicators.toml"
LANGS = ("uz", "ru")

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# oʻ / gʻ written with an ASCII or typographic apostrophe instead of U+02BB
_BAD_OKINA = re.compile(r"[oOgG]['‘’`]\w")
_WORD = re.compile(r"\b[a-z]{3,}\b")  # a word of prose (not an acronym such as WCAG)


def _params(template: str) -> set[tuple[str, str]]:
    """The ``{named}`` fields of a template, with their format spec (``{share:.0%}``)."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template)
            if name is not None}


def _locale_files() -> list[Path]:
    return sorted(PROBE_LOCALES.glob("*.toml"))


def _prose(template: str) -> str:
    """The words of a template outside its parameters."""
    return re.sub(r"\{[^}]*\}", "", template)


def test_locales_folder_is_data_not_a_package():
    assert PROBE_LOCALES.is_dir()
    assert not (PROBE_LOCALES / "__init__.py").exists()
    assert _locale_files(), "no probe locale file"


@pytest.mark.parametrize("path", _locale_files(), ids=lambda p: p.stem)
def test_probe_locale_matches_its_ui_block(path):
    module = importlib.import_module(f"probes.{path.stem}")
    english: dict[str, str] = module.UI.strings
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(data) == set(LANGS), f"{path.name}: tables must be exactly [uz] and [ru]"
    for lang in LANGS:
        table = data[lang]
        missing = sorted(set(english) - set(table))
        extra = sorted(set(table) - set(english))
        assert not missing, f"{path.name} [{lang}] lacks {missing}"
        assert not extra, f"{path.name} [{lang}] has keys the module does not: {extra}"
        for key, en in english.items():
            text = table[key]
            assert isinstance(text, str) and text.strip(), f"{path.name} [{lang}] {key} empty"
            assert _params(text) == _params(en), \
                f"{path.name} [{lang}] {key}: parameters {_params(text)} != {_params(en)}"
            # it formats with the English parameters
            text.format(**{n: 0.5 if spec else "x" for n, spec in _params(en)})


@pytest.mark.parametrize("path", _locale_files(), ids=lambda p: p.stem)
def test_probe_locale_scripts_and_real_translation(path):
    module = importlib.import_module(f"probes.{path.stem}")
    english: dict[str, str] = module.UI.strings
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for key, text in data["uz"].items():
        assert not _CYRILLIC.search(_prose(text)), f"uz {key}: Cyrillic in Uzbek Latin"
        assert not _BAD_OKINA.search(_prose(text)), f"uz {key}: write oʻ/gʻ with U+02BB"
    for key, text in data["ru"].items():
        if _WORD.search(_prose(english.get(key, ""))):
            assert _CYRILLIC.search(_prose(text)), f"ru {key}: no Russian words"
    for lang in LANGS:
        worded = [k for k, en in english.items() if _WORD.search(_prose(en))]
        same = [k for k in worded if data[lang][k].strip() == english[k].strip()]
        assert len(same) <= max(1, len(worded) // 10), \
            f"{path.name} [{lang}]: left in English: {same}"


def _cyrillic_share(text: str) -> float:
    letters = [c for c in re.sub(r"«[^»]*»", "", text) if c.isalpha()]
    return sum(1 for c in letters if _CYRILLIC.match(c)) / max(1, len(letters))


def _indicator_table() -> dict:
    return tomllib.loads(INDICATOR_LOCALES.read_text(encoding="utf-8"))


def test_every_indicator_has_title_checks_fix_in_three_languages():
    data = _indicator_table()
    ids = {i.id for i in INDICATORS}
    assert not ids - set(data), f"indicators without guidance: {sorted(ids - set(data))}"
    assert not set(data) - ids, f"guidance for unknown ids: {sorted(set(data) - ids)}"
    for ind in INDICATORS:
        entry = data[ind.id]
        assert set(entry) == {"title", "checks", "fix"}, f"{ind.id}: {sorted(entry)}"
        for field, texts in entry.items():
            assert set(texts) == {"uz", "ru", "en"}, f"{ind.id}.{field}: {sorted(texts)}"
            for lang, text in texts.items():
                assert isinstance(text, str) and text.strip(), f"{ind.id}.{field}.{lang}"
            # Uzbek Latin; quoting a Cyrillic phrase «in quotes» the check looks for is fine
            assert _cyrillic_share(texts["uz"]) < 0.05, f"{ind.id}.{field}.uz: Cyrillic"
            assert not _BAD_OKINA.search(texts["uz"]), f"{ind.id}.{field}.uz: oʻ/gʻ"
            assert _CYRILLIC.search(texts["ru"]), f"{ind.id}.{field}.ru: not Russian"
            assert field == "checks" or _cyrillic_share(texts["en"]) < 0.1, \
                f"{ind.id}.{field}.en: Cyrillic in English"
            assert texts["uz"] != texts["en"] and texts["ru"] != texts["en"], \
                f"{ind.id}.{field}: copied from English"
        # "checks" says what a machine cannot see, "fix" gives steps: not one-word stubs
        assert len(entry["checks"]["en"].split()) >= 12, f"{ind.id}: checks too short"
        assert len(entry["fix"]["en"].split()) >= 12, f"{ind.id}: fix too short"


def test_indicator_title_english_matches_the_catalogue():
    data = _indicator_table()
    for ind in INDICATORS:
        assert data[ind.id]["title"]["en"] == ind.title, ind.id
