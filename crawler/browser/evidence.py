"""What the evidence pictures need, decided in Python: which elements to measure on a rendered
page, and where a screenshot is stored.

Evidence pictures are cut from the full-page screenshot taken while the page was rendered,
never re-rendered. So the RENDERED visit records, next to its screenshot, the box of every
element a finding may cite (``Rendered.boxes``: selector -> [x, y, w, h]). The selectors are
those a probe would write for the element - ``pageread.selectors.css_selector`` - of:

* the selectors given with ``--outline`` (``options.extra["outline"]``: a list, or
  ``{url: [selectors]}``);
* the chat launchers the page facts found (their own selector strings);
* every element matching a CSS query of ``Hints.boxes`` (merged by the pipeline) in the
  static tree (``Page.tree``, the HTML as served), then in the rendered DOM
  (``Rendered.tree``): at most ``PER_QUERY`` elements per query and tree;
* later, when axe runs on the page, the ``target`` of each violation (then incomplete) node
  (axe's selector strings; frame and shadow-DOM paths are skipped: they cannot be looked up
  with one ``document.querySelector``).

De-duplicated and capped, in that order: ``MAX_BOXES`` selectors per page for the first three,
``MAX_AXE_BOXES`` more for axe's nodes.

Screenshots are content-addressed under the captures root (shared by every run):
``shots/<sha256[:2]>/<sha256>.png``, so the same picture taken on two nights is stored once
and a re-judged run points at the same file.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any, Iterable

from pageread.selectors import css_selector

MAX_BOXES = 400  # hinted + outlined + launcher selectors measured per page
MAX_AXE_BOXES = 200  # axe node targets measured per page, on top
PER_QUERY = 50  # elements per Hints.boxes query and tree


def hinted_selectors(tree, queries: Iterable[str], per_query: int = PER_QUERY) -> list[str]:
    """``css_selector`` of the elements of ``tree`` (a lexbor tree) matching each query."""
    out: list[str] = []
    if tree is None:
        return out
    for q in queries:
        try:
            nodes = tree.css(q)
        except Exception:  # noqa: BLE001 - a query lexbor cannot parse: nothing to measure
            continue
        for node in nodes[:per_query]:
            sel = css_selector(node)
            if sel:
                out.append(sel)
    return out


def outline_selectors(outline: Any, *urls: str) -> list[str]:
    """The ``--outline`` selectors for a page (``outline`` is a list for every page, or a
    dict url -> list; any of ``urls`` - final and requested - may be the key)."""
    if not outline:
        return []
    if isinstance(outline, dict):
        out: list[str] = []
        for u in urls:
            out += list(outline.get(u) or [])
        return out
    if isinstance(outline, str):
        return [outline]
    return list(outline)


def capped(selectors: Iterable[str], limit: int, skip: Iterable[str] = ()) -> list[str]:
    """``selectors`` without repeats (nor any of ``skip``), at most ``limit``."""
    seen = set(skip)
    out: list[str] = []
    for s in selectors:
        s = (s or "").strip()
        if not s or s in seen:
            continue
        seen.add(s)
        out.append(s)
        if len(out) >= limit:
            break
    return out


def launcher_selectors(rendered) -> list[str]:
    return [lnk.get("selector", "") for lnk in rendered.extra.get("launchers") or []]


def axe_selectors(axe: dict | None) -> list[str]:
    """The ``target`` of each violation node, then each incomplete node: the selector string
    of a single-part target; multi-part (iframe path) and nested (shadow DOM) targets are
    skipped."""
    out: list[str] = []
    if not axe or "error" in axe:
        return out
    for group in ("violations", "incomplete"):
        for rule in axe.get(group) or []:
            for node in rule.get("nodes") or []:
                t = node.get("target")
                if isinstance(t, str):
                    out.append(t)
                elif isinstance(t, list) and len(t) == 1 and isinstance(t[0], str):
                    out.append(t[0])
    return out


def store_png(data: bytes, root: str | Path) -> str:
    """Store a PNG content-addressed under ``root`` and return its path relative to
    ``root`` (``shots/ab/ab12....png``). A picture already stored is not written again."""
    sha = hashlib.sha256(data).hexdigest()
    rel = f"shots/{sha[:2]}/{sha}.png"
    dest = Path(root) / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{sha}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)  # atomic: a concurrent writer of the same picture is harmless
    return rel
