"""Farm sections where the static indicators are PRESENT, each language in another style
(host ``gov.test``; probes: search, advanced-search, sitemap, last-updated, contact-us,
contact-form, chatbot):

* ``/oz/ind-qarshi`` (Uzbek Latin) - the real gov.uz pattern: a POST search form with a hidden
  CSRF token behind a search toggle; "Sayt xaritasi"; news dated "Noyabr 20, 2026" and an
  "Oxirgi yangilanish" stamp; "Bog‘lanish" page with (+998 75) numbers and a short hotline;
  an appeal form ("Murojaat yuborish"); a JivoChat install snippet.
* ``/uz/ind-navoiy`` (Uzbek Cyrillic) - a GET form whose only sign is the placeholder
  "Қидириш..." and the action ``/qidiruv``; results with a section filter; "Сайт харитаси";
  "Янгиланган: 29 ноябр 2026"; "Боғланиш" with a "Манзил:"; pm.gov.uz and a Telegram appeal
  bot; no chat widget (chatbot: the Telegram bot is only weak evidence).
* ``/ru/ind-fergana`` (Russian) - ``role=search`` "Поиск" + a "Расширенный поиск" link;
  "Карта сайта"; news "29 марта 2026"; JSON-LD ``dateModified``; "Контакты" with "Адрес:" and
  "Колл-центр: 1000"; an "Обратная связь" form; Bitrix24 Open Lines.
* ``/en/ind-andijan`` (English) - a Next.js-like page: dates only in ``self.__next_f.push``
  payloads; a search toggle revealing a hidden GET form; "Sitemap" in the footer; "Contacts";
  a "Feedback" form; a tawk.to script.

Dates are computed from today on every request, so freshness tests never go stale.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs

from ..server import Reply
from ._html import esc, page, paragraphs

HOST = "gov.test"

MONTHS = {
    "oz": ["Yanvar", "Fevral", "Mart", "Aprel", "May", "Iyun", "Iyul", "Avgust", "Sentabr",
           "Oktabr", "Noyabr", "Dekabr"],
    "uz": ["январ", "феврал", "март", "апрел", "май", "июн", "июл", "август", "сентябр",
           "октябр", "ноябр", "декабр"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"],
}


def ago(days: int, hours: int = 3) -> dt.datetime:
    now = dt.datetime.now().replace(second=0, microsecond=0)
    return now - dt.timedelta(days=days, hours=hours)


def _layout(lang, title, base, header_extra, main, footer, head=""):
    body = (f'<header class="site-header"><a class="logo" href="{base}">{esc(title)}</a>'
            f'{header_extra}</header><main>{main}</main><footer class="site-footer">{footer}'
            f'</footer>')
    return page(title, body, lang, head=head)


def _results_list(base, q, n=4, prefix="news"):
    return "".join(f'<li class="result"><a href="{base}/{prefix}/{i}">{esc(q)} - '
                   f'{i}</a></li>' for i in range(1, n + 1))


# --- oz: POST search with CSRF, Jivo ------------------------------------------------------

def qarshi():
    lang, base, name = "oz", "/oz/ind-qarshi", "Qarshi shahar hokimligi"
    nav = (f'<nav class="main-menu"><a href="{base}/yangiliklar">Yangiliklar</a> '
           f'<a href="{base}/murojaat">Murojaat yuborish</a> '
           f'<a href="{base}/boglanish">Bog‘lanish</a></nav>'
           f'<button class="btn-search-toggle" aria-label="Qidirish" '
           f'aria-controls="top-search"><i class="icon-search"></i></button>'
           f'<div id="top-search" class="search-panel" hidden>'
           f'<form action="{base}/search" method="POST">'
           f'<input type="hidden" name="_csrf" value="dGVzdC1jc3JmLXRva2Vu">'
           f'<input type="text" name="SearchForm[text]" placeholder="Qidirish...">'
           f'<button type="submit">Izlash</button></form></div>')
    foot = (f'<a href="{base}/sayt-xaritasi">Sayt xaritasi</a>'
            f'<p>Ishonch telefoni: 1093 · (+998 75) 221-12-34</p>'
            f'<p>© 2012 – {dt.date.today().year} Qarshi shahar hokimligi</p>')
    jivo = ("<script>(function(){var s=document.createElement('script');s.async=true;"
            "s.src='//code.jivosite.com/widget/Ab3dEf9';document.head.appendChild(s);})();"
            "</script>")

    def news_items(n=5):
        out = []
        for i in range(n):
            d = ago(1 + i * 6)
            out.append(f'<div class="post-card"><a href="{base}/yangiliklar/{i + 1}">'
                       f'Hokim aholi bilan uchrashdi #{i + 1}</a><span class="post-date">'
                       f'{MONTHS["oz"][d.month - 1]} {d.day}, {d.year}</span></div>')
        return "".join(out)

    def home(req):
        stamp = ago(3)
        main = (f"<h1>{name}</h1>" + paragraphs(lang, 2, 11) + news_items()
                + f'<p class="updated">Oxirgi yangilanish: {stamp:%d.%m.%Y %H:%M}</p>')
        return Reply(body=_layout(lang, name, base, nav, main, foot + jivo))

    def search(req):
        form = parse_qs(req.body.decode("utf-8", "replace")) if req.method == "POST" else {}
        q = (form.get("SearchForm[text]") or [""])[0]
        if req.method == "POST" and not form.get("_csrf"):
            return Reply(400, page("Xato", "<h1>Bad Request (#400)</h1>", lang))
        items = _results_list(base, q, 6, "yangiliklar") if q else ""
        main = (f"<h1>Qidiruv natijalari</h1><a href='{base}/search?advanced=1'>"
                f"Kengaytirilgan qidiruv</a><ul class='search-results'>{items}</ul>")
        return Reply(body=_layout(lang, name, base, nav, main, foot))

    contacts = ('<h1>Bog‘lanish</h1><div class="contact-info">'
                '<p>Manzil: Qarshi shahri, Islom Karimov ko‘chasi, 12-uy</p>'
                '<p>Qabulxona: (+998 75) 221-12-34</p><p>Ishonch telefoni: 1093</p>'
                '<p>E-pochta: <a href="mailto:info@qarshi.uz">info@qarshi.uz</a></p></div>')
    appeal = (f'<h1>Murojaat yuborish</h1><form action="{base}/murojaat/send" method="post" '
              f'class="murojaat-form"><input type="hidden" name="_csrf" value="x">'
              f'<label for="fio">F.I.Sh.</label><input id="fio" name="Appeal[fio]">'
              f'<label for="tel">Telefon</label><input id="tel" type="tel" name="Appeal[phone]">'
              f'<label for="txt">Murojaat matni</label><textarea id="txt" name="Appeal[text]">'
              f'</textarea><button>Yuborish</button></form>')
    smap = (f'<h1>Sayt xaritasi</h1><ul><li><a href="{base}/yangiliklar">Yangiliklar</a></li>'
            f'<li><a href="{base}/murojaat">Murojaat</a></li>'
            f'<li><a href="{base}/boglanish">Bog‘lanish</a></li></ul>')

    def static(main):
        return lambda req: Reply(body=_layout(lang, name, base, nav, main, foot))

    return {base: home, f"{base}/search": search, f"{base}/boglanish": static(contacts),
            f"{base}/murojaat": static(appeal), f"{base}/sayt-xaritasi": static(smap),
            f"{base}/yangiliklar": lambda req: Reply(body=_layout(
                lang, name, base, nav, "<h1>Yangiliklar</h1>" + news_items(8), foot))}


# --- uz (Cyrillic): placeholder-only GET search, pm.gov.uz, Telegram appeal bot -------------

def navoiy():
    lang, base, name = "uz", "/uz/ind-navoiy", "Навоий вилояти ҳокимлиги"
    nav = (f'<div class="top-bar"><form action="{base}/qidiruv" class="top-form">'
           f'<input type="text" name="text" placeholder="Қидириш..."></form></div>'
           f'<ul class="menu"><li><a href="{base}/contact">Боғланиш</a></li>'
           f'<li><a href="https://pm.gov.uz/uz#/">Президентга мурожаат</a></li></ul>')
    foot = (f'<a href="{base}/sitemap">Сайт харитаси</a>'
            f'<p>Мурожаатлар учун: <a href="https://t.me/navoiy_murojaat_bot">Телеграм бот'
            f'</a></p><p>© 2010 – 2018 Навоий вилояти ҳокимлиги</p>')

    def home(req):
        d = ago(5)
        main = (f"<h1>{name}</h1>" + paragraphs(lang, 3, 12)
                + f'<div class="page-meta">Янгиланган: {d.day} {MONTHS["uz"][d.month - 1]} '
                  f'{d.year} йил</div>')
        return Reply(body=_layout(lang, name, base, nav, main, foot))

    def search(req):
        q = parse_qs(req.query).get("text", [""])[0]
        filt = (f'<form action="{base}/qidiruv" method="get"><input type="text" name="text" '
                f'value="{esc(q)}"><select name="bolim" aria-label="Бўлим"><option value="">'
                f'Барча бўлимлар</option><option value="news">Янгиликлар</option></select>'
                f'<button>Излаш</button></form>')
        items = _results_list(base, q, 3) if q else ""
        main = f"<h1>Қидирув натижалари</h1>{filt}<ol class='search-results'>{items}</ol>"
        return Reply(body=_layout(lang, name, base, nav, main, foot))

    contacts = ('<h1>Боғланиш</h1><p>Манзил: Навоий шаҳри, Ғалаба шоҳ кўчаси, 5-уй</p>'
                '<p>Телефон: +998 (79) 223-45-67</p><p>Электрон почта: navoiy@exat.uz</p>')
    smap = f'<h1>Сайт харитаси</h1><ul><li><a href="{base}/contact">Боғланиш</a></li></ul>'
    return {base: home, f"{base}/qidiruv": search,
            f"{base}/contact": lambda req: Reply(body=_layout(lang, name, base, nav, contacts,
                                                              foot)),
            f"{base}/sitemap": lambda req: Reply(body=_layout(lang, name, base, nav, smap,
                                                              foot))}


# --- ru: role=search, advanced-search link, JSON-LD, Bitrix24 -------------------------------

def fergana():
    lang, base, name = "ru", "/ru/ind-fergana", "Хокимият Ферганской области"
    nav = (f'<div role="search"><form action="{base}/search" method="get">'
           f'<input type="search" name="q" aria-label="Поиск по сайту">'
           f'<button>Найти</button></form><a href="{base}/search/advanced">'
           f'Расширенный поиск</a></div>'
           f'<nav><a href="{base}/kontakty">Контакты</a> '
           f'<a href="{base}/obrashcheniya">Обратная связь</a></nav>')
    foot = (f'<a href="{base}/karta-sayta">Карта сайта</a>'
            f'<p>© 2015 – {dt.date.today().year} Хокимият Ферганской области</p>')
    b24 = ("<script>(function(w,d,u){var s=d.createElement('script');s.async=true;"
           "s.src=u+'?'+(Date.now()/60000|0);var h=d.getElementsByTagName('script')[0];"
           "h.parentNode.insertBefore(s,h);})(window,document,'https://cdn-ru.bitrix24.ru/"
           "b1234567/crm/site_button/loader_2_abcd12.js');</script>")

    def home(req):
        items = "".join(
            f'<article><h3><a href="{base}/news/{i}">Новость {i}</a></h3><p>'
            f'{ago(4 + 9 * i).day} {MONTHS["ru"][ago(4 + 9 * i).month - 1]} '
            f'{ago(4 + 9 * i).year}</p></article>' for i in range(1, 4))
        ld = json.dumps({"@context": "https://schema.org", "@type": "WebPage",
                         "name": name, "dateModified": ago(2).strftime("%Y-%m-%dT%H:%M:%S+05:00")})
        head = f'<script type="application/ld+json">{ld}</script>'
        return Reply(body=_layout(lang, name, base, nav, f"<h1>{name}</h1>"
                                  + paragraphs(lang, 2, 13) + items, foot + b24, head))

    def search(req):
        q = parse_qs(req.query).get("q", [""])[0]
        items = _results_list(base, q, 5) if q else ""
        main = f"<h1>Результаты поиска</h1><ul class='search-results'>{items}</ul>"
        return Reply(body=_layout(lang, name, base, nav, main, foot))

    contacts = ('<h1>Контакты</h1><div class="contacts">'
                '<p>Адрес: г. Фергана, ул. Мустакиллик, 12</p>'
                '<p>Колл-центр: 1000</p><p>Приёмная: <a href="tel:+998732441010">'
                '+998 73 244-10-10</a></p></div>')
    feedback = (f'<h1>Обратная связь</h1><form method="post" action="{base}/obrashcheniya">'
                f'<input name="name" placeholder="Ф.И.О."><input name="email" type="email" '
                f'placeholder="E-mail"><textarea name="body" placeholder="Текст обращения">'
                f'</textarea><button>Отправить</button></form>')
    smap = f'<h1>Карта сайта</h1><ul><li><a href="{base}/kontakty">Контакты</a></li></ul>'

    def static(main):
        return lambda req: Reply(body=_layout(lang, name, base, nav, main, foot))

    return {base: home, f"{base}/search": search, f"{base}/kontakty": static(contacts),
            f"{base}/obrashcheniya": static(feedback), f"{base}/karta-sayta": static(smap),
            f"{base}/search/advanced": static("<h1>Расширенный поиск</h1>")}


# --- en: Next.js payload dates, toggle-revealed GET search, tawk.to -------------------------

def andijan():
    lang, base, name = "en", "/en/ind-andijan", "Andijan regional administration"
    nav = (f'<button type="button" class="header__search-btn" aria-label="Open search" '
           f'data-target="#search-box">&#128269;</button>'
           f'<div id="search-box" class="search-overlay" hidden><form action="{base}/search">'
           f'<input name="q" aria-label="Search"></form></div>'
           f'<nav><a href="{base}/contacts">Contacts</a> <a href="{base}/appeal">Feedback'
           f'</a></nav>')
    foot = (f'<a href="{base}/sitemap">Sitemap</a><p>© {dt.date.today().year} Andijan</p>'
            '<script src="https://embed.tawk.to/5f1234567890/default" async></script>')

    def home(req):
        items = [{"id": i, "title": f"News {i}",
                  "date": ago(2 + 7 * i).strftime("%Y-%m-%d %H:%M:%S")} for i in range(3)]
        payload = json.dumps(["$", "div", None, {"items": items}])
        nxt = ("<script>self.__next_f.push([1," + json.dumps("5:" + payload) + "])</script>")
        main = (f"<h1>{name}</h1>" + paragraphs(lang, 2, 14)
                + '<div id="news-root"></div>')
        return Reply(body=_layout(lang, name, base, nav, main, foot + nxt))

    def search(req):
        q = parse_qs(req.query).get("q", [""])[0]
        items = _results_list(base, q, 3) if q else ""
        return Reply(body=_layout(lang, name, base, nav, f"<h1>Search</h1><div class="
                                  f"'results'><ul>{items}</ul></div>", foot))

    contacts = ('<h1>Contacts</h1><p>Address: 1 Navoi avenue, Andijan</p>'
                '<p>Phone: +998 74 223 00 00</p><p>E-mail: info@andijan.uz</p>')
    feedback = (f'<h1>Feedback</h1><form method="post" action="{base}/appeal">'
                f'<label>Full name <input name="fullname"></label><label>Your message '
                f'<textarea name="message"></textarea></label><button>Send</button></form>')

    def static(main):
        return lambda req: Reply(body=_layout(lang, name, base, nav, main, foot))

    return {base: home, f"{base}/search": search, f"{base}/contacts": static(contacts),
            f"{base}/appeal": static(feedback),
            f"{base}/sitemap": static("<h1>Sitemap</h1>")}


SECTIONS = {"qarshi": qarshi, "navoiy": navoiy, "fergana": fergana, "andijan": andijan}
PATHS = {"qarshi": "/oz/ind-qarshi", "navoiy": "/uz/ind-navoiy", "fergana": "/ru/ind-fergana",
         "andijan": "/en/ind-andijan"}


def install(farm) -> None:
    for make in SECTIONS.values():
        for path, handler in make().items():
            farm.routes.add(HOST, path, handler)
