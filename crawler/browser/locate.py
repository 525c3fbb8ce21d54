"""Finding what the browser gatherers run on: the Chromium executable, axe-core's source, and
the ``--host-resolver-rules`` that pin host names.

Which Chromium: env ``GOVSCAN_CHROMIUM``, else Playwright's own (``playwright install
chromium`` on machines that can download it), else ``/usr/bin/chromium`` or
``/usr/bin/chromium-browser`` (then ``chromium`` on ``$PATH``).

axe-core comes from ``node_modules/axe-core/axe.min.js`` at the repository root (pinned in
package.json, installed by ``npm ci``) or env ``GOVSCAN_AXE``.
"""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def chromium_candidates() -> list[str]:
    """Executables to try, in order: $GOVSCAN_CHROMIUM, Playwright's bundled Chromium,
    the Debian/Ubuntu packages."""
    out: list[str] = []
    env = os.environ.get("GOVSCAN_CHROMIUM")
    if env:
        out.append(env)
    try:  # Playwright's own download, if `playwright install chromium` was run
        from playwright._impl._driver import compute_driver_executable  # noqa: F401

        cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or
                     Path.home() / ".cache" / "ms-playwright")
        for pattern in ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/*/"
                        "headless_shell"):
            out += sorted(map(str, cache.glob(pattern)), reverse=True)
    except Exception:  # noqa: BLE001 - only a hint
        pass
    out += ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
    return out


def find_chromium() -> str | None:
    """The first candidate that exists and is executable, else ``chromium`` on $PATH."""
    for c in chromium_candidates():
        if c and Path(c).exists() and os.access(c, os.X_OK):
            return c
    return shutil.which("chromium") or shutil.which("chromium-browser")


def axe_path() -> Path:
    p = os.environ.get("GOVSCAN_AXE")
    return Path(p) if p else REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@lru_cache(maxsize=1)
def axe_source() -> str:
    """axe-core's source, wrapped so a page's AMD loader or CommonJS shim cannot capture it
    (axe then always lands on ``window.axe``). Cached: after changing ``GOVSCAN_AXE`` call
    ``axe_source.cache_clear()``."""
    src = axe_path().read_text(encoding="utf-8")
    return ("(function(define, module, exports){\n" + src +
            "\n})(undefined, undefined, undefined);")


def resolver_rules(resolve: dict[str, str] | None, only: bool = False) -> str:
    """``--host-resolver-rules`` value: ``MAP host ip, MAP host2 ip``; with ``only`` every
    other name fails to resolve (tests: the browser can never reach a real site)."""
    rules = [f"MAP {h} {ip}" for h, ip in (resolve or {}).items()]
    if only:
        rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)
