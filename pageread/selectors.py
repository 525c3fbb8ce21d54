"""CSS selectors for elements of a parsed page: the one way govscan names an element.

Probes cite elements by these selectors (evidence), the browser gatherer records the boxes of
the elements they name (evidence pictures), and the validator maps ``style=""`` messages back
to their element with them. One function, so the three always agree.
"""

from __future__ import annotations


def ancestors(node, n: int):
    """Up to ``n`` ancestors of ``node``, nearest first, below ``<body>``."""
    p = node.parent
    while p is not None and n > 0 and p.tag not in ("body", "html"):
        yield p
        p = p.parent
        n -= 1


def css_selector(node, max_depth: int = 6) -> str:
    """A readable CSS path to ``node`` (stops at the nearest ancestor with an id)."""
    parts: list[str] = []
    n = node
    depth = 0
    while n is not None and n.tag not in ("html", "-text", None) and depth < max_depth:
        a = n.attributes or {}
        nid = (a.get("id") or "").strip()
        if nid and " " not in nid:
            parts.append(f"{n.tag}#{nid}")
            break
        part = n.tag
        cls = (a.get("class") or "").split()
        if cls:
            part += "." + ".".join(c for c in cls[:2] if c.replace("-", "").replace("_", "")
                                   .isalnum())
            part = part.rstrip(".")
        parent = n.parent
        if parent is not None and n.tag not in ("body",):
            # position among same-tag siblings, by walking back (capped: long lists of
            # siblings would make this quadratic; past the cap the selector stays generic)
            before, p, steps = 0, n.prev, 0
            while p is not None and steps < 60:
                if p.tag == n.tag:
                    before += 1
                p, steps = p.prev, steps + 1
            after, q = False, n.next
            for _ in range(60):
                if q is None:
                    break
                if q.tag == n.tag:
                    after = True
                    break
                q = q.next
            if (before or after) and p is None:
                part += f":nth-of-type({before + 1})"
        parts.append(part)
        if n.tag == "body":
            break
        n = parent
        depth += 1
    return " > ".join(reversed(parts))
