"""A gov.uz-like host (``gov.test``): one host, many hokimiyat sections ``/<lang>/<slug>``.

* ``/oz/buxoro`` (+ ``/uz/``, ``/ru/``, ``/en/`` variants): a well-kept section - search box,
  sitemap page, contacts, an appeal form, dated news, a Telegram appeal bot link.
* ``/oz/xiva``: a neglected section - no search, no sitemap link, news from 2022, a
  copyright year and a "today" widget (which are not update stamps), a login form and a
  newsletter box (which are not a contact form / not search).
* ``buxoro-old.test``: the section's legacy domain, redirecting to the gov.uz section.
* ``legacy.test``: a legacy-CMS site (Russian, windows-1251) that was never moved.
"""

from __future__ import annotations

import datetime as dt

from ..server import Reply
from ._html import LANG_ATTR, esc, page, paragraphs

HOST = "gov.test"
GOV_CSS = '<link rel="stylesheet" href="/static/gov.css">'
GOV_CSS_TEXT = """body { font-family: Arial, sans-serif; margin: 0; color: #1a1a1a; }
header { display: flex; flex-wrap: wrap; gap: 1rem; padding: 1rem; background: #0b3d62; }
header a { color: #fff; }
nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem; }
.news-item .date { color: #555; font-size: 0.9em; }
@media (max-width: 600px) { header { flex-direction: column; } }
"""
# the neglected section's style sheet has the kind of errors real templates carry
XIVA_CSS_TEXT = """body { font-family: Tahoma; colr: #333; }
.menu { float: center; zoom: 1; }
"""

T = {
    "oz": dict(name="Buxoro viloyati hokimligi", search="Qidirish", sitemap="Sayt xaritasi",
               contacts="Bog‘lanish", appeals="Murojaatlar", news="Yangiliklar",
               about="Hokimlik haqida", address="Manzil", phone="Ishonch telefoni",
               send="Yuborish", message="Murojaat matni", fio="F.I.Sh.",
               pm="Prezidentga murojaat", edited="Tahrirlangan sana", views="Ko‘rishlar soni"),
    "uz": dict(name="Бухоро вилояти ҳокимлиги", search="Қидириш", sitemap="Сайт харитаси",
               contacts="Боғланиш", appeals="Мурожаатлар", news="Янгиликлар",
               about="Ҳокимлик ҳақида", address="Манзил", phone="Ишонч телефони",
               send="Юбориш", message="Мурожаат матни", fio="Ф.И.Ш.",
               pm="Президентга мурожаат", edited="Таҳрирланган сана", views="Кўришлар сони"),
    "ru": dict(name="Хокимият Бухарской области", search="Поиск", sitemap="Карта сайта",
               contacts="Контакты", appeals="Обращения", news="Новости",
               about="О хокимияте", address="Адрес", phone="Телефон доверия",
               send="Отправить", message="Текст обращения", fio="Ф.И.О.",
               pm="Обращение к Президенту", edited="Дата изменения", views="Просмотры"),
    "en": dict(name="Bukhara regional administration", search="Search", sitemap="Sitemap",
               contacts="Contacts", appeals="Appeals", news="News", about="About",
               address="Address", phone="Hotline", send="Send", message="Your message",
               fio="Full name", pm="Appeal to the President", edited="Date edited",
               views="Views"),
}


def _recent(days_ago: int) -> dt.datetime:
    now = dt.datetime.now().replace(second=0, microsecond=0)
    return now - dt.timedelta(days=days_ago, hours=3)


def _header(lang: str, base: str, search: bool = True) -> str:
    t = T[lang]
    langs = " ".join(f'<a href="/{lg}/buxoro" hreflang="{LANG_ATTR[lg]}">{lbl}</a>'
                     for lg, lbl in (("oz", "O‘z"), ("uz", "Ўз"), ("ru", "Ру"), ("en", "En")))
    box = (f'<form role="search" action="{base}/search" method="get" class="header-search">'
           f'<input type="search" name="q" placeholder="{t["search"]}..." '
           f'aria-label="{t["search"]}"><button type="submit">{t["search"]}</button></form>'
           if search else "")
    return (f'<header><a href="{base}" class="logo">{esc(t["name"])}</a>'
            f'<nav aria-label="main"><ul>'
            f'<li><a href="{base}/about">{t["about"]}</a></li>'
            f'<li><a href="{base}/news">{t["news"]}</a></li>'
            f'<li><a href="{base}/appeals">{t["appeals"]}</a></li>'
            f'<li><a href="{base}/contacts">{t["contacts"]}</a></li>'
            f'</ul></nav><div class="langs">{langs}</div>{box}</header>')


def _footer(lang: str, base: str) -> str:
    t = T[lang]
    return (f'<footer><a href="{base}/sitemap">{t["sitemap"]}</a> · '
            f'<a href="https://pm.gov.uz/uz#/">{t["pm"]}</a> · '
            f'<a href="https://t.me/buxorouzmurojaatbot">Telegram: @buxorouzmurojaatbot</a>'
            f'<p>{t["phone"]}: (+998 65) 222-22-22 · buxoro@exat.uz</p>'
            f'<p>© 2010 – 2026 {esc(t["name"])}</p></footer>')


def _news_items(lang: str, base: str, n: int = 6, newest_days_ago: int = 2,
                level: int = 3) -> str:
    t = T[lang]
    out = []
    for i in range(n):
        d = _recent(newest_days_ago + i * 5)
        out.append(f'<article class="news-item"><h{level}><a href="{base}/news/{100 - i}">'
                   f'{t["news"]} #{100 - i}</a></h{level}>'
                   f'<span class="date">{d:%d.%m.%Y %H:%M}</span></article>')
    return "\n".join(out)


def buxoro(lang: str):
    base = f"/{lang}/buxoro"
    t = T[lang]

    def home(req):
        body = (_header(lang, base) + "<main><h1>" + esc(t["name"]) + "</h1>"
                + paragraphs(lang, 3, 1) + f'<section><h2>{t["news"]}</h2>'
                + _news_items(lang, base) + "</section></main>" + _footer(lang, base))
        return Reply(body=page(t["name"], body, lang, head=GOV_CSS))

    def news_page(req):
        n = req.path_only.rsplit("/", 1)[-1]
        d = _recent(2 + (100 - int(n)) * 5 if n.isdigit() else 2)
        body = (_header(lang, base) + f"<main><article><h1>{t['news']} #{esc(n)}</h1>"
                + f'<p class="meta">{t["edited"]}: {d:%d/%m/%Y %H:%M}. {t["views"]}: 72</p>'
                + paragraphs(lang, 4, 7) + "</article></main>" + _footer(lang, base))
        return Reply(body=page(f'{t["news"]} #{n}', body, lang,
                               head=GOV_CSS + f'<meta property="article:modified_time" '
                                    f'content="{d.isoformat()}+05:00">'))

    def simple(title, content):
        def h(req):
            return Reply(body=page(title, _header(lang, base) + f"<main><h1>{esc(title)}</h1>"
                                   + content + "</main>" + _footer(lang, base), lang,
                                   head=GOV_CSS))
        return h

    contacts = (f'<address><p>{t["address"]}: Buxoro shahri, Mustaqillik ko‘chasi, 1</p>'
                f'<p>{t["phone"]}: <a href="tel:+998652222222">+998 65 222-22-22</a></p>'
                f'<p>E-mail: <a href="mailto:buxoro@exat.uz">buxoro@exat.uz</a></p></address>')
    appeal_form = (f'<form action="{base}/appeals/send" method="post" class="appeal-form">'
                   f'<input type="hidden" name="_csrf" value="x1">'
                   f'<label>{t["fio"]} <input name="fio" required></label>'
                   f'<label>E-mail <input type="email" name="email"></label>'
                   f'<label>Tel <input type="tel" name="phone"></label>'
                   f'<label>{t["message"]} <textarea name="text" rows="6"></textarea></label>'
                   f'<button type="submit">{t["send"]}</button></form>')
    sitemap_html = "<ul>" + "".join(
        f'<li><a href="{base}/{p}">{lbl}</a></li>'
        for p, lbl in (("about", t["about"]), ("news", t["news"]),
                       ("appeals", t["appeals"]), ("contacts", t["contacts"]))) + "</ul>"

    def search(req):
        from urllib.parse import parse_qs

        q = parse_qs(req.query).get("q", [""])[0]
        results = "".join(f'<li><a href="{base}/news/{100 - i}">{esc(q)} – {t["news"]} '
                          f'#{100 - i}</a></li>' for i in range(5)) if q else ""
        adv = (f'<form action="{base}/search" method="get"><input type="search" name="q" '
               f'value="{esc(q)}" aria-label="{t["search"]}"><label>from <input type="date" '
               f'name="from"></label><label>to <input type="date" name="to"></label>'
               f'<select name="section" aria-label="section"><option value="">*</option>'
               f'<option value="news">{t["news"]}</option></select>'
               f'<button>{t["search"]}</button></form>')
        return Reply(body=page(t["search"], _header(lang, base) + f"<main><h1>{t['search']}"
                               f"</h1>{adv}<ol class='search-results'>{results}</ol></main>"
                               + _footer(lang, base), lang, head=GOV_CSS))

    return {
        base: home,
        f"{base}/news": simple(t["news"], _news_items(lang, base, 10, level=2)),
        f"{base}/about": simple(t["about"], paragraphs(lang, 5, 3)),
        f"{base}/contacts": simple(t["contacts"], contacts),
        f"{base}/appeals": simple(t["appeals"], appeal_form),
        f"{base}/sitemap": simple(t["sitemap"], sitemap_html),
        f"{base}/search": search,
    }, news_page


def xiva():
    """A neglected Uzbek-Latin section: nothing the decree asks for except HTTPS."""
    base = "/oz/xiva"
    name = "Xiva tumani hokimligi"
    header = (f'<header><a href="{base}">{name}</a><nav><a href="{base}/news">Yangiliklar</a> '
              f'<a href="{base}/cabinet">Kabinet</a></nav>'
              f'<p class="today">bugun : {dt.date.today():%d.%m.%Y}</p></header>')
    login = ('<form action="/oz/xiva/login" method="post"><input name="login" '
             'aria-label="Login"><input type="password" name="password" aria-label="Parol">'
             '<button>Kirish</button></form>')
    newsletter = ('<form action="/oz/xiva/subscribe" method="post" class="subscribe">'
                  '<input type="email" name="email" placeholder="E-mail" aria-label="E-mail">'
                  '<button>Obuna bo‘lish</button></form>')
    footer = ("<footer>" + newsletter + "<p>Copyright © 2010 – 2018 Xiva tumani</p></footer>")
    old_news = ('<article><h2><a href="/oz/xiva/news/1">Tuman yangiliklari</a></h2>'
                '<span>Mart 29, 2022</span> / Muharrir: admin / Ko‘rishlar soni: 640 marta'
                '</article>')

    def h(title, content):
        return lambda req: Reply(body=page(title, header + f"<main><h1>{title}</h1>{content}"
                                           "</main>" + footer, "oz",
                                           head='<link rel="stylesheet" href="/static/xiva.css">'))

    return {
        base: h(name, paragraphs("oz", 2, 5) + old_news),
        f"{base}/news": h("Yangiliklar", old_news),
        f"{base}/news/1": h("Tuman yangiliklari", paragraphs("oz", 3, 9)),
        f"{base}/cabinet": h("Shaxsiy kabinet", login),
    }


def install(farm) -> None:
    r = farm.routes
    for lang in ("oz", "uz", "ru", "en"):
        pages, news = buxoro(lang)
        for path, handler in pages.items():
            r.add(HOST, path, handler)
        r.add(HOST, f"/{lang}/buxoro/news/", news, prefix=True)
    for path, handler in xiva().items():
        r.add(HOST, path, handler)
    r.page(HOST, "/", page("gov.test", '<main><h1>Hukumat portali</h1><ul>'
                                      '<li><a href="/oz/buxoro">Buxoro</a></li>'
                                      '<li><a href="/oz/xiva">Xiva</a></li></ul></main>'))
    r.add(HOST, "/robots.txt", lambda req: Reply(
        body=f"User-agent: *\nDisallow: /oz/xiva/cabinet\n"
             f"Sitemap: https://{req.headers.get('host', HOST)}/sitemap.xml\n",
        content_type="text/plain"))

    def sitemap_xml(req):
        host = req.headers.get("host", HOST)
        d = _recent(1)
        urls = "".join(f"<url><loc>https://{host}{p}</loc><lastmod>{d:%Y-%m-%d}</lastmod></url>"
                       for p in ("/oz/buxoro", "/oz/buxoro/news", "/oz/buxoro/contacts",
                                 "/oz/buxoro/about", "/oz/xiva"))
        return Reply(body='<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://'
                          f'www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                     content_type="application/xml")

    r.add(HOST, "/sitemap.xml", sitemap_xml)
    r.page(HOST, "/static/gov.css", GOV_CSS_TEXT, content_type="text/css; charset=utf-8")
    r.page(HOST, "/static/xiva.css", XIVA_CSS_TEXT, content_type="text/css; charset=utf-8")
    # the legacy domain of Buxoro redirects to its gov.uz section, as the 2025 rule asks
    r.add("buxoro-old.test", "/", lambda req: Reply(
        301, b"", {"Location": f"https://gov.test:{req.port}/oz/buxoro"}), prefix=True)
    # a legacy CMS never moved: Russian in windows-1251
    legacy = page("Хокимият района", "<main><h1>Официальный сайт хокимията района</h1>"
                  + paragraphs("ru", 3, 4) + "<p>Телефон: +998 (71) 123-45-67</p></main>",
                  "ru").replace('charset="utf-8"', 'charset="windows-1251"')
    r.page("legacy.test", "/", legacy.encode("cp1251"),
           content_type="text/html; charset=windows-1251")


def DEMO_TARGETS(farm) -> list[dict]:
    port = farm.port("main")
    g = f"https://gov.test:{port}"
    return [
        {"id": "buxoro", "name_uz": "Buxoro viloyati hokimligi",
         "name_ru": "Хокимият Бухарской области", "level": "region",
         "region": "Buxoro viloyati", "start_url": f"{g}/oz/buxoro", "scope": f"{g}/oz/buxoro",
         "languages": {lg: f"{g}/{lg}/buxoro" for lg in ("oz", "uz", "ru", "en")},
         "legacy_domains": [f"buxoro-old.test:{port}"]},
        {"id": "xiva", "name_uz": "Xiva tumani hokimligi", "name_ru": "Хивинский район",
         "level": "district", "region": "Xorazm viloyati", "start_url": f"{g}/oz/xiva",
         "scope": f"{g}/oz/xiva"},
        {"id": "legacy-cms", "name_uz": "Eski sayt", "name_ru": "Старый сайт",
         "level": "district", "start_url": f"https://legacy.test:{port}/",
         "scope": f"https://legacy.test:{port}/"},
    ]
