"""Farm sites. Each module here defines ``install(farm)`` that adds its routes to
``farm.routes``; they are all installed, in name order. A module may also define
``DEMO_TARGETS``: a function ``(farm) -> list[dict]`` of targets for ``govscan demo``.

Keep each site small and readable: it is test infrastructure. Pages should look like the
real sites (see research/peers-and-sites.md): Uzbek Latin and Cyrillic, Russian, English.
"""

from __future__ import annotations

import importlib
import pkgutil


def modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{__name__}.{info.name}")


def install_all(farm) -> None:
    for mod in modules():
        mod.install(farm)


def demo_targets(farm) -> list[dict]:
    out: list[dict] = []
    for mod in modules():
        fn = getattr(mod, "DEMO_TARGETS", None)
        if fn:
            out.extend(fn(farm))
    return out
