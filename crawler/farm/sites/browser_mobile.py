"""Farm pages for ``responsive``, ``browser-compat`` and mixed content.

* ``/browser/responsive``: a fluid page with a viewport meta, 16 px text, 48 px targets.
* ``/browser/fixed-width``: a 2010-era template: no viewport meta, a 1200 px wide wrapper,
  11 px text and tightly packed small links.
* ``/browser/app-link``: the fixed-width page plus links to the official app in both stores.
* ``/browser/js-error``: a script throws on load and a broken menu script hides the nav.
* ``/browser/mixed``: an https page that loads a script, a style sheet and an image over
  plain http (from the farm's ``no-redirect`` port, which serves http as is).
"""

from __future__ import annotations

from crawler.farm.server import Reply

from ._html import page, paragraphs
from .browser_a11y import BASE, HOST, doc


def fixed_width(extra: str = "") -> str:
    links = " | ".join(f'<a href="{BASE}/fixed-width?p={i}" style="font-size:11px">'
                       f'Bo‘lim {i}</a>' for i in range(1, 25))
    body = ('<div id="wrapper" style="width:1200px;margin:0 auto;font-size:11px">'
            '<div id="top"><table width="1200"><tr><td><b>Samarqand viloyati hokimligi</b></td>'
            f'<td>{links}</td></tr></table></div>'
            f'<div id="content" style="font-size:11px">{paragraphs("oz", 4, 31)}</div>'
            f'{extra}<div id="footer" style="font-size:10px">© 2012 Samarqand viloyati '
            'hokimligi</div></div>')
    return page("Samarqand viloyati hokimligi", body, "oz", viewport=False)


APP_LINKS = ('<p style="font-size:11px">Mobil ilova: '
             '<a href="https://play.google.com/store/apps/details?id=uz.samarqand.gov">'
             'Google Play</a> · <a href="https://apps.apple.com/uz/app/samarqand-hokimligi/'
             'id1234567890">App Store</a></p>')


def install(farm) -> None:
    r = farm.routes
    text = paragraphs("oz", 4, 41)
    r.page(HOST, f"{BASE}/responsive", doc("Toshkent shahar hokimligi", text))
    r.page(HOST, f"{BASE}/fixed-width", fixed_width())
    r.page(HOST, f"{BASE}/app-link", fixed_width(APP_LINKS))
    r.page(HOST, f"{BASE}/js-error", doc(
        "Xizmatlar", text, head="<style>nav{display:none}</style><script>"
        "window.addEventListener('load',function(){undefinedMenuInit();});</script>"))

    def mixed(req):
        http = f"http://{HOST}:{farm.port('no-redirect')}{BASE}/static"
        body = (f'<img src="{http}/logo.png" alt="Gerb" width="40" height="40">'
                + text + f'<script src="{http}/counter.js"></script>')
        return Reply(body=doc("Yangiliklar", body,
                              head=f'<link rel="stylesheet" href="{http}/old.css">'))

    r.add(HOST, f"{BASE}/mixed", mixed)
    r.page(HOST, f"{BASE}/static/counter.js", "window.counted = 1;",
           content_type="application/javascript")
    r.page(HOST, f"{BASE}/static/old.css", "body{margin:0}", content_type="text/css")
