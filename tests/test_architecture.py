"""The shape of the code: data flows one way, and a probe is one module.

    targets -> gatherers (crawler/) -> artifacts -> probes (probes/) -> findings
            -> store (govscan/) -> report (reports/)

The import graph is read from the source (every ``import``, module-level or inside a
function), so a lazy import cannot hide a wrong direction.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("crawler", "probes", "pageread", "govscan", "reports")


def _modname(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (``from a import b`` gives ``a.b``,
    since ``b`` may be a submodule, and ``a`` too unless ``a`` is a package folder)."""
    mod = _modname(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if not (ROOT / name.replace(".", "/")).is_dir():  # a package: its __init__
                out.add(name)                                  # is checked on its own
            out.update(f"{name}.{a.name}" for a in node.names)
    return out


def project_imports(package: str) -> dict[str, set[str]]:
    """module -> the project modules it imports, for every module of ``package``."""
    out = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = {n for n in imports_of(path) if n.split(".")[0] in PROJECT}
        out[_modname(path)] = names
    return out


def _under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(package: str, allowed) -> list[str]:
    return [f"{mod} imports {name}" for mod, names in project_imports(package).items()
            for name in sorted(names) if not _under(name, allowed)]


def test_gatherers_never_import_probes_the_pipeline_or_the_report():
    """The capture side knows artifacts, not verdicts: crawler/ imports only itself and the
    neutral page-reading package."""
    assert violations("crawler", ("crawler", "pageread")) == []


def test_page_reading_is_neutral():
    assert violations("pageread", ("pageread",)) == []


def test_probes_read_artifacts_only():
    """Probes are pure functions of artifacts: no fetcher, browser, validator, capture or
    store - only the capture model and the cause vocabulary."""
    assert violations("probes", ("probes", "pageread", "crawler.artifacts",
                                 "crawler.causes")) == []


def test_the_report_reads_through_the_store():
    """The report never opens the database itself, nor reaches into the capture side; it
    may use the pure rules of scores and changes (``govscan.scores``, ``govscan.changes``),
    so that the report, ``govscan diff`` and the run summary count the same way."""
    assert violations("reports", ("reports", "probes.catalogue", "probes.base",
                                  "crawler.causes", "govscan.scores",
                                  "govscan.changes")) == []
    for path in (ROOT / "reports").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bad = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "db"]
        imported = imports_of(path)
        assert not bad, f"{path.name} uses store.db (line {bad[0].lineno})"
        assert not {"sqlite3", "sqlite_utils"} & imported, f"{path.name} opens SQLite"


def test_the_checker_catches_a_wrong_import(tmp_path, monkeypatch):
    """The graph walk itself: a lazy import inside a function is seen."""
    pkg = ROOT / "crawler"
    src = textwrap.dedent("""
        def f():
            from probes.search import judge
            from ..probes import base
    """)
    fake = tmp_path / "crawler" / "x.py"
    fake.parent.mkdir()
    fake.write_text(src)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert violations("crawler", ("crawler", "pageread")) == [
        "crawler.x imports probes", "crawler.x imports probes.base",
        "crawler.x imports probes.search", "crawler.x imports probes.search.judge"]
    assert pkg.exists()


# --- a probe is one module --------------------------------------------------------------

def test_every_module_in_probes_is_a_registered_probe():
    from probes import catalogue
    from probes.base import NOT_PROBES, registry

    import importlib

    reg = registry()
    modules = {p.stem for p in (ROOT / "probes").glob("*.py")} - NOT_PROBES - {"__init__"}
    # each module is one probe, or one family (PROBES) of indicators sharing one rule
    per_module = [getattr(m, "PROBES", None) or (m.PROBE,) for m in
                  (importlib.import_module(f"probes.{name}") for name in sorted(modules))]
    assert sorted(p.id for fam in per_module for p in fam) == sorted(reg)
    assert all(catalogue.get(i) for i in reg)


# --- a family of probes (one module, one shared rule, several indicators) --- i10-content
FAMILY = ("from probes.base import Artifact, Finding, Probe, Status\n"
          "def judge_for(ind):\n"
          "    return lambda s, c: Finding(ind, Status.MANUAL, s.start_url, 'x')\n"
          "PROBES = tuple(Probe(i, '1', frozenset({Artifact.PAGES}), judge_for(i))\n"
          "               for i in ({ids}))\n")


def test_a_module_may_define_a_family_of_probes(tmp_path, monkeypatch):
    """``PROBES = (...)`` registers every indicator of the family from one module."""
    import probes.base as base

    name = "family_" + "".join(c for c in tmp_path.name if c.isalnum())
    (tmp_path / f"{name}.py").write_text(FAMILY.replace(
        "{ids}", "'save-resume', 'own-data-edit'"))
    monkeypatch.syspath_prepend(str(tmp_path))
    found = base.discover(tmp_path, package="")
    assert sorted(found) == ["own-data-edit", "save-resume"]
    assert found["own-data-edit"] is not found["save-resume"]


@pytest.mark.parametrize("body,error", [
    (FAMILY.replace("{ids}", "'save-resume', 'no-such-indicator'"), "unknown indicator"),
    (FAMILY.replace("{ids}", "'save-resume', 'save-resume'"), "has two probes"),
    ("PROBES = ()\n", "non-empty tuple"),
    (FAMILY.replace("{ids}", "'save-resume',") + "PROBE = PROBES[0]\n", "both PROBE and PROBES"),
])
def test_a_broken_probe_family_fails_loudly(tmp_path, monkeypatch, body, error):
    import probes.base as base

    name = "family_" + "".join(c for c in tmp_path.name if c.isalnum())
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(Exception, match=error):
        base.discover(tmp_path, package="")
# --- end i10-content


@pytest.mark.parametrize("body,error", [
    ("X = 1\n", "defines no PROBE"),
    ("from probes.base import Artifact, Probe\n"
     "PROBE = Probe('no-such-indicator', '1', frozenset({Artifact.PAGES}), lambda s, c: None)\n",
     "unknown indicator"),
    ("import this_module_does_not_exist\n", "this_module_does_not_exist"),
])
def test_a_broken_probe_module_fails_loudly(tmp_path, monkeypatch, body, error):
    """A misspelt, broken or incomplete probe module stops the registry with an error; it is
    never skipped silently (the indicator would quietly go unjudged)."""
    import probes.base as base

    name = "probe_" + "".join(c for c in tmp_path.name if c.isalnum())  # fresh per case
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(Exception, match=error):
        base.discover(tmp_path, package="")
