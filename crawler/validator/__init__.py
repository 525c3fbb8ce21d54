"""Markup and CSS validation with a local Nu HTML Checker (vnu) service.

One job per module:

* ``service`` - vnu.jar as a long-lived local service (``VnuService``: find Java and the jar,
  spawn, wait for readiness, restart once, stop; orphan reaping; ``ValidatorUnavailable``);
* ``client`` - posting a document to the running service over HTTP (one retry/recovery loop
  for the blocking and the asyncio calls; ``ValidationFailed``; the Content-Type sent);
* ``css_sources`` - finding the CSS of a page (linked sheets, ``<style>``, ``@import``,
  ``style`` attributes, decoding a fetched sheet);
* ``gatherers`` - the ``vnu`` and ``css`` gatherers (``gather_vnu``, ``gather_css``) that
  ``crawler.capture`` runs, with the run's service started on first use.

The names other modules use are re-exported here.
"""

from .client import ValidationFailed, html_content_type
from .css_sources import (css_imports, decode_css, strip_charset_rule, style_attribute_sheet,
                          style_blocks, stylesheet_links)
from .gatherers import (CSS_LINKS_PER_PAGE, CSS_MAX_BYTES, CSS_SHEETS_PER_SITE, ensure_service,
                        gather_css, gather_vnu, not_checked)
from .service import (JVM_ARGS, MAIN_CLASS, MAX_DOCUMENT_BYTES, RUN_DIR, VNU_PROPERTIES,
                      ValidatorUnavailable, VnuService, find_jar, find_java, reap_orphans)

__all__ = [
    "CSS_LINKS_PER_PAGE", "CSS_MAX_BYTES", "CSS_SHEETS_PER_SITE", "JVM_ARGS", "MAIN_CLASS",
    "MAX_DOCUMENT_BYTES", "RUN_DIR", "VNU_PROPERTIES", "ValidationFailed",
    "ValidatorUnavailable", "VnuService", "css_imports", "decode_css", "ensure_service",
    "find_jar", "find_java", "gather_css", "gather_vnu", "html_content_type", "not_checked",
    "reap_orphans", "strip_charset_rule", "style_attribute_sheet", "style_blocks",
    "stylesheet_links",
]
