"""Finding the CSS of a page: its ``<link rel=stylesheet>`` URLs, ``<style>`` blocks, the
``@import`` rules of a sheet, a fetched sheet's text (``decode_css``), and its ``style``
attributes as one synthetic sheet whose messages map back to the elements.

Pure functions of a parsed ``Page`` or of text: no network, no validator. The gatherer that
fetches and checks the sheets is ``crawler.validator.gatherers.gather_css``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from pageread.selectors import css_selector

if TYPE_CHECKING:  # pragma: no cover
    from ..artifacts import Page

_IMPORT_RE = re.compile(
    r"""@import\s+(?:url\(\s*(?P<q1>["']?)(?P<u1>[^"')]+)(?P=q1)\s*\)|(?P<q2>["'])(?P<u2>[^"']+)(?P=q2))""",
    re.I)
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


def css_imports(text: str, base: str) -> list[str]:
    """Absolute URLs of the ``@import`` rules of a style sheet (comments ignored)."""
    out = []
    for m in _IMPORT_RE.finditer(_COMMENT_RE.sub("", text)):
        u = (m.group("u1") or m.group("u2") or "").strip()
        if u:
            try:
                out.append(urljoin(base, u).split("#", 1)[0])
            except ValueError:
                continue
    return list(dict.fromkeys(out))


def base_url(page: Page) -> str:
    """The URL the page's relative links resolve against (its ``<base href>``, else its URL)."""
    base_el = page.tree.css_first("base[href]")
    if base_el is not None:
        try:
            return urljoin(page.url, base_el.attributes.get("href") or "")
        except ValueError:
            pass
    return page.url


def stylesheet_links(page: Page) -> list[str]:
    """Absolute URLs of the page's ``<link rel=stylesheet href>`` (not alternate sheets), in
    document order, de-duplicated."""
    base = base_url(page)
    out = []
    for node in page.tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "stylesheet" not in rel or "alternate" in rel:
            continue
        href = (node.attributes.get("href") or "").strip()
        if not href:
            continue
        try:
            u = urljoin(base, href).split("#", 1)[0]
        except ValueError:
            continue
        if urlsplit(u).scheme in ("http", "https"):
            out.append(u)
    return list(dict.fromkeys(out))


def style_blocks(page: Page) -> list[str]:
    """The text of each ``<style>`` element whose type is CSS (absent, empty or text/css)."""
    out = []
    for node in page.tree.css("style"):
        t = (node.attributes.get("type") or "").strip().lower()
        if t and t != "text/css":
            continue
        out.append(node.text(deep=True) or "")
    return out


def style_attribute_sheet(page: Page) -> tuple[str, list[dict]]:
    """The page's ``style`` attributes as one synthetic sheet, one ``x{...}`` rule per line,
    and for each line (1-based index = position + 1) the element it came from."""
    lines, where = [], []
    for node in page.tree.css("[style]"):
        value = node.attributes.get("style")
        if value is None or not value.strip():
            continue
        value = " ".join(value.split())
        lines.append("x{" + value + "}")
        attrs = " ".join(f'{k}="{v}"' if v is not None else k
                         for k, v in list(node.attributes.items())[:4])
        where.append({"element": css_selector(node), "snippet": f"<{node.tag} {attrs}>"[:300]})
    return "\n".join(lines), where


def map_attribute_messages(msgs: list[dict], where: list[dict]) -> list[dict]:
    """Give each message on the ``style_attribute_sheet`` the ``element``/``snippet`` of the
    line it is on (in place; returns ``msgs``)."""
    for m in msgs:
        line = m.get("lastLine") or m.get("firstLine")
        if isinstance(line, int) and 1 <= line <= len(where):
            m.update(where[line - 1])
    return msgs


def decode_css(raw: bytes, content_type: str = "", fallback: str = "utf-8") -> str:
    """A style sheet's text, decoded as CSS Syntax 3 says: a BOM, else the Content-Type
    charset, else a leading ``@charset "...";``, else ``fallback`` (the referring page's
    encoding), UTF-8 when that fails."""
    import codecs

    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(enc, errors="replace")
    candidates = []
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    if m:
        candidates.append(m.group(1))
    m2 = re.match(rb'@charset "([^"]{1,40})";', raw)
    if m2:
        candidates.append(m2.group(1).decode("ascii", "replace"))
    candidates += [fallback or "utf-8", "utf-8"]
    for enc in candidates:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


def strip_charset_rule(text: str) -> str:
    """The sheet is re-sent as UTF-8, so a leading ``@charset "...";`` is replaced by the
    same number of spaces (line and column numbers do not move)."""
    m = re.match(r'\ufeff?@charset\s+"[^"]*"\s*;', text)
    return " " * m.end() + text[m.end():] if m else text


