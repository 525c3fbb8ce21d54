"""Farm pages for the browser probes: accessibility (wcag).

All on ``gov.test`` under ``/browser/``: one accessible page in the gov.uz section style, and
pages that each break one WCAG 2.0 rule the way real CMS pages do (a logo without alt, a
newsletter field without a label, pale grey text, a page without ``lang``), plus a page whose
defect sits inside an iframe, one whose defect sits inside an open shadow root, and one whose
own script defines a global ``axe``.
"""

from __future__ import annotations

from crawler.farm.server import Reply

from ._html import esc, page, paragraphs

HOST = "gov.test"
BASE = "/browser"

CSS = ("<style>body{font:16px/1.5 sans-serif;color:#1a1a1a;background:#fff;margin:0}"
       "header,main,footer{padding:12px 16px}nav a{display:inline-block;padding:12px 10px;"
       "color:#0b4f8a}a{color:#0b4f8a;display:inline-block;min-height:48px;line-height:48px}"
       "footer{border-top:1px solid #ccc}"
       "input,button{font-size:16px;padding:10px;min-height:48px}</style>")


def header(title: str = "Namangan viloyati hokimligi") -> str:
    return (f'<header><a href="{BASE}/accessible">{esc(title)}</a>'
            f'<nav aria-label="Asosiy menyu"><a href="{BASE}/accessible">Bosh sahifa</a> '
            f'<a href="{BASE}/news">Yangiliklar</a> <a href="{BASE}/contacts">Bog‘lanish</a>'
            f'</nav></header>')


FOOTER = ('<footer><p>Ishonch telefoni: <a href="tel:+998692222222">+998 69 222-22-22</a></p>'
          '<p>© 2026 Namangan viloyati hokimligi</p></footer>')


def doc(title: str, main: str, lang: str = "oz", head: str = "", **kw) -> str:
    return page(title, header() + f"<main><h1>{esc(title)}</h1>{main}</main>" + FOOTER, lang,
                head=CSS + head, **kw)


SEARCH_OK = ('<form role="search" action="/browser/search" method="get">'
             '<label for="q">Qidiruv</label> <input id="q" type="search" name="q">'
             '<button type="submit">Izlash</button></form>')


def pages() -> dict[str, str]:
    text = paragraphs("oz", 3, 11)
    return {
        "accessible": doc("Namangan viloyati hokimligi",
                          SEARCH_OK + text + '<img src="/browser/static/gerb.png" '
                          'alt="O‘zbekiston Respublikasi gerbi" width="80" height="80">'),
        # the logo of many old CMS templates: an <img> with no alt at all
        "no-alt": doc("Yangiliklar", text + '<a href="/browser/news/1"><img '
                      'src="/browser/static/news1.png" width="120" height="80"></a>'
                      '<img src="/browser/static/banner.png" width="300" height="60">'),
        # a newsletter subscription box whose only hint is a placeholder-less input
        "unlabelled": doc("Obuna", text + '<form action="/browser/subscribe" method="post">'
                          '<input type="email" name="email"><input type="text" name="fio">'
                          '<button type="submit">Obuna bo‘lish</button></form>'),
        # pale grey small print on white (contrast about 1.9:1)
        "low-contrast": doc("Hujjatlar", '<p style="color:#b5b5b5">' + paragraphs("oz", 1, 3)
                            [3:-4] + '</p><p style="color:#c8c8c8;font-size:13px">Oxirgi '
                            'o‘zgarish: 12.03.2026</p>'),
        # no lang attribute on <html>
        "no-lang": doc("Hokimlik haqida", text).replace('<html lang="uz-Latn">', "<html>"),
        # the defect lives in an embedded document (a map/widget iframe)
        "iframe": doc("Xarita", text + '<iframe src="/browser/framed" title="Viloyat '
                      'xaritasi" width="400" height="200"></iframe>'),
        "framed": page("Xarita", '<main><h1>Xarita</h1><img src="/browser/static/map.png" '
                       'width="300" height="150"></main>', "oz"),
        # the defect lives in an open shadow root built by a web component
        "shadow": doc("Xizmatlar", text + '<gov-card></gov-card><script>'
                      'customElements.define("gov-card", class extends HTMLElement{'
                      'connectedCallback(){const r=this.attachShadow({mode:"open"});'
                      'r.innerHTML=\'<div><img src="/browser/static/card.png" width="60" '
                      'height="60"><input type="text" name="code"></div>\';}});</script>'),
        # the site's own global named ``axe`` (a bundled dev copy, a gallery script): the
        # scan's axe must not be confused with it, and the logo still has no alt
        "own-axe": doc("Fotogalereya", text + '<img src="/browser/static/logo.png" width="90" '
                       'height="90"><script>window.axe = {version: "1.0-site", run: () => '
                       'Promise.resolve({violations: [], incomplete: [], passes: [], '
                       'inapplicable: []})};</script>'),
        "news": doc("Yangiliklar", text),
        "contacts": doc("Bog‘lanish", '<address>Namangan shahri, Islom Karimov ko‘chasi, 1'
                        '</address>'),
    }


PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049"
                        "454e44ae426082")


def install(farm) -> None:
    r = farm.routes
    for name, html in pages().items():
        r.page(HOST, f"{BASE}/{name}", html)
    r.add(HOST, f"{BASE}/static/", lambda req: Reply(body=PNG_1PX, content_type="image/png"),
          prefix=True)
