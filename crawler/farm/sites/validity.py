"""Markup and CSS validity pages on ``gov.test`` under ``/validity/`` (w3c-markup, w3c-css).

* ``/validity/ok/`` (+ ``/validity/ok/about``): a valid section - valid HTML5, a linked sheet
  ``/validity/css/site.css`` that ``@import``s ``/validity/css/base.css``, a ``<style>``
  block and a ``style`` attribute, all valid CSS.
* ``/validity/broken/``: a template with defects real CMS themes have - the same ``id`` on
  two elements, a stray ``</div>``, a linked ``/validity/css/theme.css`` with a misspelt
  property (``colr``) and a ``style`` attribute with a bad value; its ``/validity/broken/news``
  page shares the template (the errors repeat on every page).
* ``/validity/cp1251``: a Russian page served as ``text/html; charset=windows-1251``.
* ``/validity/xhtml``: an XHTML page served as ``application/xhtml+xml`` (it is not valid
  when taken as text/html: the XML declaration and the self-closing tags).
"""

from __future__ import annotations

from ._html import esc, page, paragraphs

HOST = "gov.test"
BASE = "/validity"

SITE_CSS = """@import url("base.css");
/* site theme */
header { display: flex; justify-content: space-between; align-items: center; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li { display: inline-block; margin-right: 1rem; }
.news-item time { color: #555; font-size: .875rem; }
@media (max-width: 600px) { nav li { display: block; } }
"""

BASE_CSS = """html { font-family: "PT Sans", Arial, sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 72rem; padding: 0 1rem; color: #1a1a1a; }
a { color: #0b5394; }
footer { border-top: 1px solid #ccc; margin-top: 2rem; }
"""

THEME_CSS = """/* vendor theme, edited by hand */
.top-banner { background: #0b5394; colr: #fff; padding: 8px 16px; }
.menu-item { float: left; margin: 0 4px; }
.menu-item a:hover { text-decoration: underline; }
"""


def _nav(base: str) -> str:
    return (f'<nav aria-label="Asosiy menyu"><ul><li><a href="{base}/">Bosh sahifa</a></li>'
            f'<li><a href="{base}/about">Hokimlik haqida</a></li>'
            f'<li><a href="{base}/news">Yangiliklar</a></li></ul></nav>')


def _ok_page(title: str, base: str, seed: int) -> str:
    head = ('<link rel="stylesheet" href="/validity/css/site.css">\n'
            '<style>.lead { font-weight: 600; margin-bottom: 1.5rem; }</style>')
    body = (f'<header><a href="{base}/">Namangan viloyati hokimligi</a>{_nav(base)}</header>\n'
            f'<main><h1>{esc(title)}</h1>\n<p class="lead" style="color: #333">'
            f'Rasmiy veb-sayt</p>\n{paragraphs("oz", 3, seed)}</main>\n'
            f'<footer><p>© 2026 Namangan viloyati hokimligi</p></footer>')
    return page(title, body, "oz", head)


def _broken_page(title: str, base: str, seed: int) -> str:
    # the kind of template a CMS theme ships: an id reused for two widgets, a stray </div>
    # left from a removed wrapper, a hand-edited vendor sheet and an inline style typo
    head = ('<link rel="stylesheet" href="/validity/css/site.css">\n'
            '<link rel="stylesheet" href="/validity/css/theme.css">')
    body = (f'<div class="top-banner" id="search">Ishonch telefoni: 1083</div>\n'
            f'<header><a href="{base}/">Jizzax viloyati hokimligi</a>{_nav(base)}'
            f'<form id="search" role="search" action="{base}/search"><input type="search" '
            f'name="q" aria-label="Qidirish"><button>Qidirish</button></form></header>\n'
            f'</div>\n'
            f'<main><h1>{esc(title)}</h1>\n<p style="margin-top: 10pxx">Rasmiy veb-sayt</p>\n'
            f'{paragraphs("oz", 3, seed)}</main>\n'
            f'<footer><p>© 2026 Jizzax viloyati hokimligi</p></footer>')
    return page(title, body, "oz", head)


CP1251 = page("Хокимият Ферганской области",
              "<main><h1>Официальный сайт хокимията</h1>" + paragraphs("ru", 3, 7)
              + "<p>Телефон доверия: +998 (73) 244-00-00</p></main>", "ru"
              ).replace('charset="utf-8"', 'charset="windows-1251"')

XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="uz-Cyrl" xml:lang="uz-Cyrl">
<head>
<meta charset="UTF-8"/>
<title>Сурхондарё вилояти ҳокимлиги</title>
<link rel="stylesheet" href="/validity/css/site.css"/>
</head>
<body>
<header><a href="/validity/xhtml">Сурхондарё вилояти ҳокимлиги</a></header>
<main>
<h1>Расмий веб-сайт</h1>
<p>Вилоят ҳокимлиги аҳолининг мурожаатларини кўриб чиқади.<br/>Ишонч телефони: 1083</p>
<img src="/validity/gerb.png" alt="Герб" width="64" height="64"/>
</main>
</body>
</html>
"""


def install(farm) -> None:
    r = farm.routes
    css = "text/css; charset=utf-8"
    r.page(HOST, f"{BASE}/css/site.css", SITE_CSS, content_type=css)
    r.page(HOST, f"{BASE}/css/base.css", BASE_CSS, content_type=css)
    r.page(HOST, f"{BASE}/css/theme.css", THEME_CSS, content_type=css)
    ok = f"{BASE}/ok"
    r.page(HOST, f"{ok}/", _ok_page("Bosh sahifa", ok, 1))
    r.page(HOST, f"{ok}/about", _ok_page("Hokimlik haqida", ok, 2))
    r.page(HOST, f"{ok}/news", _ok_page("Yangiliklar", ok, 3))
    br = f"{BASE}/broken"
    r.page(HOST, f"{br}/", _broken_page("Bosh sahifa", br, 4))
    r.page(HOST, f"{br}/about", _broken_page("Hokimlik haqida", br, 5))
    r.page(HOST, f"{br}/news", _broken_page("Yangiliklar", br, 6))
    r.page(HOST, f"{BASE}/cp1251", CP1251.encode("cp1251"),
           content_type="text/html; charset=windows-1251")
    r.page(HOST, f"{BASE}/xhtml", XHTML.encode("utf-8"),
           content_type="application/xhtml+xml; charset=utf-8")
