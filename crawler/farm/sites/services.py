"""Farm sections for the service and content probes (help, helpdesk-phone, online-support,
usage-stats, business-info, privacy-policy, open-data, social-media), host ``gov.test``.

PRESENT - each language in another style:

* ``/oz/svc-termiz`` (Uzbek Latin, a demo target): "Ko‘p so‘raladigan savollar" and
  "Tadbirkorlik" in the menu, "Ishonch telefoni: 1242" in the header, news cards with an eye
  icon and views, "Murojaatlar statistikasi", a "Maxfiylik siyosati" page about personal data,
  data.egov.uz, Telegram + Facebook + Instagram accounts (and share buttons),
  "Onlayn maslahat: @termiz_yordam".
* ``/uz/svc-guliston`` (Uzbek Cyrillic): "ТСС" -> /faq, "Тадбиркорлик ва бизнес", "Колл-марказ:
  +998 67 225-00-00", an "Очиқ маълумотлар" page listing .xlsx/.csv files, YouTube and
  Instagram, "Ҳозир онлайн: 12" in a counter block, a WhatsApp click-to-chat link, "Махфийлик
  сиёсати" -> a page on "шахсга доир маълумотлар".
* ``/ru/svc-namangan`` (Russian): "Часто задаваемые вопросы", "Предпринимательство",
  "Телефон доверия: +998 69 227 00 00", "Политика конфиденциальности" -> "Политика обработки
  персональных данных", data.egov.uz, Telegram ``t.me/s/...``, a JivoChat snippet, a visible
  WWW.UZ counter image.
* ``/en/svc-samarkand`` (English): "User guide", "Investment potential", "Hotline: 1093",
  "Privacy policy", an "Open data" page with a .json data set, X and Facebook, "Visitors
  today: 120" in a counter block, "Support: @samarkand_support" on Telegram.

ABSENT, with the look-alikes that must not count:

* ``/oz/svc-urgut`` (Uzbek Latin, a demo target): the FAQ named in running text, not linked; a
  reception phone without a support label; share buttons only (t.me/share, sharer.php,
  wa.me/?text=); a hidden Yandex.Metrica pixel; a copyright line and a "Mualliflik huquqi"
  link; a business news headline; sitemap.xml and rss.xml links (not data sets).
* ``/uz/svc-zomin`` (Uzbek Cyrillic): "Савол-жавоб" in text; "Телефон:" only; a Telegram
  appeal bot (not support, not an account); a YouTube video (not an account); a "Махфийлик
  сиёсати" link that serves the home page again; a generic "Статистика" page of economic
  figures (usage-stats: warn); an .xlsx report outside any open-data section (open-data: warn).
* ``/ru/svc-chust`` (Russian): "Инструкция" in text; "Телефон: ..." only; VK/OK/X share
  buttons; Google Analytics and Yandex.Metrica tags; "Политика конфиденциальности" -> HTTP
  404; "Все права защищены".
* ``/en/svc-nukus`` (English): "help" in text; "Phone:" only; "Share on X"; "Terms of use" and
  "All rights reserved"; a news headline about investors; a views count inside a script.
"""

from __future__ import annotations

import datetime as dt

from ..server import Reply
from ._html import page, paragraphs

HOST = "gov.test"


def _site(lang: str, base: str, name: str, header: str, main: str, footer: str,
          subpages: dict[str, tuple[str, str]], status: dict[str, int] | None = None):
    """Routes of one section: the home page and ``subpages`` (path -> (title, main)), all
    with the same header and footer; ``status`` answers some paths with an error page."""
    def layout(title: str, body: str) -> str:
        return page(title, f'<header class="site-header"><a class="logo" href="{base}">{name}'
                           f'</a>{header}</header><main>{body}</main>'
                           f'<footer class="site-footer">{footer}</footer>', lang)

    routes = {base: lambda req: Reply(body=layout(name, f"<h1>{name}</h1>{main}"))}
    for path, (title, body) in subpages.items():
        routes[base + path] = (lambda t, b: lambda req: Reply(
            body=layout(t, f"<h1>{t}</h1>{b}")))(title, body)
    for path, code in (status or {}).items():
        routes[base + path] = (lambda c: lambda req: Reply(
            c, page("404", "<h1>Sahifa topilmadi</h1>", lang)))(code)
    return routes


def _year() -> int:
    return dt.date.today().year


# --- present ---------------------------------------------------------------------------------

def termiz():
    lang, base, name = "oz", "/oz/svc-termiz", "Termiz shahar hokimligi"
    header = (f'<nav class="main-menu"><a href="{base}/yangiliklar">Yangiliklar</a> '
              f'<a href="{base}/faq">Ko‘p so‘raladigan savollar</a> '
              f'<a href="{base}/tadbirkorlik">Tadbirkorlik</a> '
              f'<a href="{base}/statistika">Murojaatlar statistikasi</a></nav>'
              f'<div class="hotline">Ishonch telefoni: <a href="tel:1242">1242</a></div>')
    cards = "".join(f'<div class="post-card"><a href="{base}/yangiliklar/{i}">Hokim sayyor '
                    f'qabul o‘tkazdi #{i}</a><span class="post-views"><i class="icon-eye">'
                    f'</i> {300 + 17 * i}</span></div>' for i in range(1, 4))
    footer = (f'<a href="{base}/maxfiylik-siyosati">Maxfiylik siyosati</a> '
              f'<a href="https://data.egov.uz/oz/organizations/termiz">Ochiq ma’lumotlar '
              f'portali</a>'
              f'<div class="social"><a href="https://t.me/termiz_hokimligi">Telegram</a> '
              f'<a href="https://www.facebook.com/termizhokimligi">Facebook</a> '
              f'<a href="https://www.instagram.com/termiz_hokimligi/">Instagram</a></div>'
              f'<div class="share">Ulashish: <a href="https://t.me/share/url?url=https://gov.'
              f'uz{base}">Telegram</a> <a href="https://www.facebook.com/sharer/sharer.php?u='
              f'https://gov.uz{base}">Facebook</a></div>'
              f'<p>Onlayn maslahat: <a href="https://t.me/termiz_yordam">@termiz_yordam</a></p>'
              f'<p>© 2019 – {_year()} Termiz shahar hokimligi</p>')
    privacy = ("<p>Termiz shahar hokimligi saytidan foydalanuvchilarning shaxsga doir "
               "ma’lumotlari «Shaxsga doir ma’lumotlar to‘g‘risida»gi Qonunga muvofiq "
               "qayta ishlanadi va himoya qilinadi.</p>")
    stats = ("<table><tr><th>Oy</th><th>Murojaatlar</th><th>Ko‘rib chiqildi</th></tr>"
             "<tr><td>Oktabr</td><td>412</td><td>398</td></tr></table>")
    return _site(lang, base, name, header, paragraphs(lang, 2, 41) + cards, footer, {
        "/faq": ("Ko‘p so‘raladigan savollar", "<dl><dt>Murojaat qanday yuboriladi?</dt>"
                 "<dd>“Murojaat yuborish” bo‘limi orqali.</dd></dl>"),
        "/tadbirkorlik": ("Tadbirkorlik", paragraphs(lang, 2, 42)),
        "/statistika": ("Murojaatlar statistikasi", stats),
        "/maxfiylik-siyosati": ("Maxfiylik siyosati", privacy),
        "/yangiliklar": ("Yangiliklar", cards)})


def guliston():
    lang, base, name = "uz", "/uz/svc-guliston", "Гулистон шаҳар ҳокимлиги"
    header = (f'<ul class="menu"><li><a href="{base}/faq">ТСС</a></li>'
              f'<li><a href="{base}/biznes">Тадбиркорлик ва бизнес</a></li>'
              f'<li><a href="{base}/opendata">Очиқ маълумотлар</a></li></ul>'
              f'<p class="call">Колл-марказ: +998 67 225-00-00</p>')
    counter = ('<div class="site-stat"><span>Ҳозир онлайн: 12</span> '
               '<span>Меҳмонлар: 9</span></div>')
    footer = (f'<a href="{base}/maxfiylik">Махфийлик сиёсати</a>'
              f'<p><a href="https://www.youtube.com/@gulistonhokimligi">YouTube</a> '
              f'<a href="https://instagram.com/guliston_hokimligi">Instagram</a></p>'
              f'<p>WhatsApp орқали ёзинг: <a href="https://wa.me/998672250000">'
              f'+998 67 225 00 00</a></p>{counter}')
    opendata = (f'<ul><li><a href="{base}/files/aholi-soni-2026.xlsx">Аҳоли сони (XLSX)</a>'
                f'</li><li><a href="{base}/files/maktablar.csv">Мактаблар рўйхати (CSV)</a>'
                f'</li></ul>')
    return _site(lang, base, name, header, paragraphs(lang, 2, 43), footer, {
        "/faq": ("Тез-тез сўраладиган саволлар", paragraphs(lang, 1, 44)),
        "/biznes": ("Тадбиркорлик ва бизнес", paragraphs(lang, 1, 45)),
        "/opendata": ("Очиқ маълумотлар", opendata),
        "/maxfiylik": ("Махфийлик сиёсати", "<p>Фойдаланувчиларнинг шахсга доир маълумотлари "
                       "қонунга мувофиқ ҳимоя қилинади.</p>")})


def namangan():
    lang, base, name = "ru", "/ru/svc-namangan", "Хокимият Наманганской области"
    header = (f'<nav><a href="{base}/faq">Часто задаваемые вопросы</a> '
              f'<a href="{base}/predprinimatelstvo">Предпринимательство</a></nav>'
              f'<div class="header-phones">Телефон доверия: +998 69 227 00 00</div>')
    jivo = ("<script>(function(){var s=document.createElement('script');s.async=true;"
            "s.src='//code.jivosite.com/widget/Nm4ngN1';document.head.appendChild(s);})();"
            "</script>")
    footer = (f'<a href="{base}/politika-konfidencialnosti">Политика конфиденциальности</a> '
              f'<a href="https://data.egov.uz/ru/organizations/namangan">Открытые данные</a> '
              f'<a href="https://t.me/s/namangan_hokimiyati">Мы в Telegram</a>'
              f'<a href="https://www.uz/ru/res/visitor/index?id=5510"><img '
              f'src="https://cnt0.www.uz/counter/collect?id=5510&amp;pg=namangan" width="88" '
              f'height="31" alt="WWW.UZ"></a>{jivo}')
    policy = ("<p>Настоящая политика определяет порядок обработки и защиты персональных "
              "данных пользователей сайта.</p>")
    return _site(lang, base, name, header, paragraphs(lang, 2, 46), footer, {
        "/faq": ("Часто задаваемые вопросы", paragraphs(lang, 1, 47)),
        "/predprinimatelstvo": ("Предпринимательство", paragraphs(lang, 1, 48)),
        "/politika-konfidencialnosti": ("Политика обработки персональных данных", policy)})


def samarkand():
    lang, base, name = "en", "/en/svc-samarkand", "Samarkand regional administration"
    header = (f'<nav><a href="{base}/guide">User guide</a> '
              f'<a href="{base}/investment">Investment potential</a> '
              f'<a href="{base}/open-data">Open data</a></nav>'
              f'<p class="phone">Hotline: 1093</p>')
    footer = (f'<a href="{base}/privacy">Privacy policy</a> '
              f'<a href="https://x.com/samarkand_gov">X</a> '
              f'<a href="https://www.facebook.com/samarkandgov">Facebook</a>'
              f'<p>Support: <a href="https://t.me/samarkand_support">@samarkand_support</a></p>'
              f'<div class="visit-counter">Visitors today: 120</div>')
    return _site(lang, base, name, header, paragraphs(lang, 2, 49), footer, {
        "/guide": ("User guide", paragraphs(lang, 1, 50)),
        "/investment": ("Investment potential", paragraphs(lang, 1, 51)),
        "/open-data": ("Open data", f'<p><a href="{base}/data/schools.json">Schools (JSON)'
                                    f'</a></p>'),
        "/privacy": ("Privacy policy", "<p>How we process your personal data.</p>")})


# --- absent, with look-alikes ------------------------------------------------------------------

def urgut():
    lang, base, name = "oz", "/oz/svc-urgut", "Urgut tumani hokimligi"
    header = f'<nav><a href="{base}/yangiliklar">Yangiliklar</a></nav>'
    main = (paragraphs(lang, 2, 52)
            + "<p>Ko‘p so‘raladigan savollar bo‘limi va foydalanuvchi qo‘llanmasi tez orada "
              "ishga tushiriladi.</p>"
            + f'<p><a href="{base}/yangiliklar/7">Tadbirkorlar bilan uchrashuvda 120 dan '
              f'ortiq loyiha muhokama qilindi</a></p>'
            + "<p>Qabulxona: (+998 66) 233-45-67</p>")
    footer = (f'<div class="share">Ulashish: <a href="https://t.me/share/url?url=https://gov.uz'
              f'{base}">Telegram</a> <a href="https://www.facebook.com/sharer.php?u=https://'
              f'gov.uz{base}">Facebook</a> <a href="https://wa.me/?text=https://gov.uz{base}">'
              f'WhatsApp</a></div>'
              f'<a href="{base}/sitemap.xml">Sayt xaritasi (XML)</a> '
              f'<a href="{base}/rss.xml">RSS</a> <a href="{base}/mualliflik">Mualliflik '
              f'huquqi</a><p>© {_year()} Urgut tumani hokimligi. Barcha huquqlar '
              f'himoyalangan.</p><noscript><div><img src="https://mc.yandex.ru/watch/80123" '
              f'style="position:absolute; left:-9999px;" alt=""></div></noscript>')
    return _site(lang, base, name, header, main, footer, {
        "/yangiliklar": ("Yangiliklar", paragraphs(lang, 1, 53)),
        "/mualliflik": ("Mualliflik huquqi", "<p>Materiallardan foydalanishda havola "
                        "majburiy.</p>")})


def zomin():
    lang, base, name = "uz", "/uz/svc-zomin", "Зомин тумани ҳокимлиги"
    header = (f'<nav><a href="{base}/statistika">Статистика</a> '
              f'<a href="{base}/maxfiylik">Махфийлик сиёсати</a></nav>')
    main = (paragraphs(lang, 2, 54)
            + "<p>Савол-жавоб рукни орқали берилган саволларга жавоблар тайёрланмоқда.</p>"
            + "<p>Телефон: +998 72 555-12-34</p>"
            + f'<p><a href="{base}/files/hisobot-2026.xlsx">2026 йил ҳисоботи</a></p>'
            + '<p><a href="https://www.youtube.com/watch?v=zomin2026">Видео: Зомин</a></p>')
    footer = ('<p>Мурожаатлар учун: <a href="https://t.me/zomin_murojaat_bot">Телеграм бот</a>'
              '</p>')
    statistika = ("<p>Ялпи ҳудудий маҳсулот: 12,5 трлн сўм. Саноат ўсиши: 7,1 фоиз.</p>")
    routes = _site(lang, base, name, header, main, footer, {
        "/statistika": ("Ҳудуд иқтисодиёти рақамларда", statistika)})
    routes[base + "/maxfiylik"] = routes[base]  # a single-page shell: the home page again
    return routes


def chust():
    lang, base, name = "ru", "/ru/svc-chust", "Хокимият Чустского района"
    header = f'<nav><a href="{base}/novosti">Новости</a></nav>'
    main = (paragraphs(lang, 2, 55)
            + "<p>Инструкция по подаче заявлений будет опубликована позже.</p>"
            + "<p>Телефон: +998 69 412-34-56</p>")
    footer = (f'<a href="{base}/politika-konfidencialnosti">Политика конфиденциальности</a>'
              f'<div class="share"><a href="https://vk.com/share.php?url=https://gov.uz{base}">'
              f'VK</a> <a href="https://connect.ok.ru/offer?url=https://gov.uz{base}">OK</a> '
              f'<a href="https://twitter.com/intent/tweet?url=https://gov.uz{base}">X</a></div>'
              f'<p>© 2015 – {_year()} Хокимият Чустского района. Все права защищены.</p>'
              '<script async src="https://www.googletagmanager.com/gtag/js?id=G-CHUST1"></script>'
              '<script src="https://mc.yandex.ru/metrika/tag.js"></script>')
    return _site(lang, base, name, header, main, footer, {
        "/novosti": ("Новости", paragraphs(lang, 1, 56))},
        status={"/politika-konfidencialnosti": 404})


def nukus():
    lang, base, name = "en", "/en/svc-nukus", "Nukus city administration"
    header = f'<nav><a href="{base}/news">News</a></nav>'
    main = (paragraphs(lang, 2, 57)
            + "<p>If you need help with an application, visit the reception.</p>"
            + f'<p><a href="{base}/news/3">The hokim met foreign investors to discuss new '
              f'industrial zone projects</a></p><p>Phone: +998 61 222 33 44</p>'
            + "<script>var stats = {views: 5120};</script>")
    footer = (f'<a href="{base}/terms">Terms of use</a> '
              f'<a href="https://twitter.com/intent/tweet?text=Nukus&amp;url=https://gov.uz'
              f'{base}">Share on X</a><p>© {_year()} Nukus. All rights reserved.</p>')
    return _site(lang, base, name, header, main, footer, {
        "/news": ("News", paragraphs(lang, 1, 58)),
        "/terms": ("Terms of use", paragraphs(lang, 1, 59))})


SECTIONS = {"termiz": termiz, "guliston": guliston, "namangan": namangan,
            "samarkand": samarkand, "urgut": urgut, "zomin": zomin, "chust": chust,
            "nukus": nukus}
PRESENT = {"oz": "/oz/svc-termiz", "uz": "/uz/svc-guliston", "ru": "/ru/svc-namangan",
           "en": "/en/svc-samarkand"}
ABSENT = {"oz": "/oz/svc-urgut", "uz": "/uz/svc-zomin", "ru": "/ru/svc-chust",
          "en": "/en/svc-nukus"}


def install(farm) -> None:
    for make in SECTIONS.values():
        for path, handler in make().items():
            farm.routes.add(HOST, path, handler)


def DEMO_TARGETS(farm) -> list[dict]:
    """Two demo targets: every service/content indicator present (Termiz), and absent with
    its look-alikes (Urgut)."""
    g = f"https://gov.test:{farm.port('main')}"
    return [
        {"id": "termiz", "name_uz": "Termiz shahar hokimligi", "name_ru": "Хокимият города "
         "Термез", "level": "district", "region": "Surxondaryo viloyati",
         "start_url": f"{g}/oz/svc-termiz", "scope": f"{g}/oz/svc-termiz"},
        {"id": "urgut", "name_uz": "Urgut tumani hokimligi", "name_ru": "Хокимият Ургутского "
         "района", "level": "district", "region": "Samarqand viloyati",
         "start_url": f"{g}/oz/svc-urgut", "scope": f"{g}/oz/svc-urgut"},
    ]
