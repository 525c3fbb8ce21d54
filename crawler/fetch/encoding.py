"""The text encoding of a fetched body (``detect_encoding``).

Decoded from the Content-Type charset, a BOM, ``<meta charset>``, else detected by
charset_normalizer; codec labels are canonicalised (HTML's rule: latin-1/ascii labels mean
windows-1252).

One job: name the encoding of bytes. May import the standard library (and charset_normalizer,
lazily); nothing of govscan.
"""

from __future__ import annotations

import codecs
import re

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in ("utf8",):
        name = "utf-8"
    if name in ("x-user-defined",):
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # HTML's rule: latin-1/ascii labels mean windows-1252
    if info.name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return info.name


_CANON = {"cp1251": "windows-1251", "cp1252": "windows-1252", "utf-8": "utf-8"}


def detect_encoding(body: bytes, content_type: str = "", is_html: bool = True) -> str:
    """The encoding of a body: Content-Type charset, BOM, ``<meta charset>`` (first 4 KB),
    valid UTF-8, else charset_normalizer's best guess."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return enc
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.I)
    enc = _codec(m.group(1)) if m else None
    if enc:
        return _CANON.get(enc, enc)
    if is_html:
        m2 = _CHARSET_RE.search(body[:4096])
        enc = _codec(m2.group(1).decode("ascii", "ignore")) if m2 else None
        if enc:
            if enc.startswith("utf-16"):  # a meta tag readable as ASCII cannot be UTF-16
                enc = "utf-8"
            return _CANON.get(enc, enc)
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:65536]).best()
        if best is not None and best.encoding:
            enc = _codec(best.encoding) or best.encoding
            return _CANON.get(enc, enc)
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return "utf-8"
