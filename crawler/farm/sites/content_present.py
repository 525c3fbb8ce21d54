"""A farm section where the content indicators are PRESENT (host ``gov.test``; probes:
languages, procurement, org-structure, leadership, e-participation, accessibility-mode, and
the proxy facts of findability and the login-only family), in four language versions
``/{oz,uz,ru,en}/ind-denov``, each really in its language and each in its own style:

* ``oz`` - procurement through xarid.uzex.uz, a "Tashkiliy tuzilma" page, "Rahbariyat" with
  names, posts, phones and "Qabul kunlari", a regulation.gov.uz discussion link, a "Maxsus
  imkoniyatlar" button that turns the page grey and larger (inline script), OneID login;
* ``uz`` - a "Давлат харидлари" section page, "Ташкилий тузилма", "Раҳбарият", openbudget.uz,
  a "Махсус имкониятлар" button that opens a panel whose "Оқ-қора режим" turns the page grey;
* ``ru`` - etender.uzex.uz, "Структура", "Руководство" with "Приёмные дни", an on-page poll;
* ``en`` - cooperation.uz, "Structure", "Leadership", meningfikrim.uz petitions.

``DEMO_TARGETS``: the section as the demo target ``denov`` (declared languages oz/uz/ru/en).
"""

from __future__ import annotations

from ..server import Reply
from ._html import LANG_ATTR, esc, page, paragraphs

HOST = "gov.test"
SLUG = "ind-denov"
A11Y_CSS = ("<style>html.special-view{filter:grayscale(1);font-size:130%}"
            "html.special-view body{background:#000;color:#ff0}</style>")

T = {
    "oz": dict(name="Denov tumani hokimligi", lang="O‘zbekcha",
               proc=("Davlat xaridlari", "https://xarid.uzex.uz/"),
               struct="Tashkiliy tuzilma", lead="Rahbariyat",
               part=("Jamoatchilik muhokamasi", "https://regulation.gov.uz/oz"),
               a11y="Maxsus imkoniyatlar", login="OneID orqali kirish",
               cabinet="Shaxsiy kabinet",
               people=[("Sodiqov Jasur Akramovich", "Shahar hokimi",
                        "Qabul kunlari: dushanba, 10:00-12:00", "Tel: (+998 76) 223-10-10"),
                       ("Rahimova Nodira Bahodirovna", "Hokim o‘rinbosari",
                        "Qabul kunlari: seshanba", "Tel: (+998 76) 223-10-11")],
               units=["Moliya bo‘limi", "Iqtisodiyot bo‘limi", "Qurilish bo‘limi"]),
    "uz": dict(name="Денов тумани ҳокимлиги", lang="Ўзбекча",
               proc=("Давлат харидлари", "/uz/ind-denov/xaridlar"),
               struct="Ташкилий тузилма", lead="Раҳбарият",
               part=("Очиқ бюджет", "https://openbudget.uz/"),
               a11y="Махсус имкониятлар", login="OneID орқали кириш",
               cabinet="Шахсий кабинет",
               people=[("Содиқов Жасур Акрамович", "Шаҳар ҳокими",
                        "Қабул кунлари: душанба", "Тел: (+998 76) 223-10-10")],
               units=["Молия бўлими", "Иқтисодиёт бўлими", "Қурилиш бўлими"]),
    "ru": dict(name="Хокимият Денауского района", lang="Русский",
               proc=("Государственные закупки", "https://etender.uzex.uz/"),
               struct="Структура", lead="Руководство", part=None,
               a11y="Версия для слабовидящих", login="Войти через OneID",
               cabinet="Личный кабинет",
               people=[("Содиков Жасур Акрамович", "Хоким города",
                        "Приёмные дни: понедельник", "Тел.: +998 76 223-10-10")],
               units=["Финансовый отдел", "Отдел экономики", "Отдел строительства"]),
    "en": dict(name="Denov district administration", lang="English",
               proc=("Procurement", "https://cooperation.uz/"),
               struct="Structure", lead="Leadership",
               part=("Petitions", "https://meningfikrim.uz/"),
               a11y="Visually impaired version", login="Sign in with OneID",
               cabinet="Personal account",
               people=[("Jasur Sodiqov", "Mayor", "Reception days: Monday",
                        "Phone: +998 76 223 10 10")],
               units=["Finance department", "Economy department", "Construction department"]),
}
POLL = ('<section class="poll"><h2>Опрос</h2><form action="/ru/ind-denov/poll" method="post">'
        '<p>Довольны ли вы работой общественного транспорта?</p>'
        '<label><input type="radio" name="answer" value="1"> Да</label>'
        '<label><input type="radio" name="answer" value="0"> Нет</label>'
        '<button>Голосовать</button></form></section>')


def section(lang: str):
    t = T[lang]
    base = f"/{lang}/{SLUG}"
    switch = " ".join(f'<a href="/{lg}/{SLUG}">{T[lg]["lang"]}</a>' for lg in T if lg != lang)
    alternates = "".join(f'<link rel="alternate" hreflang="{LANG_ATTR[lg]}" '
                         f'href="https://{HOST}/{lg}/{SLUG}">' for lg in T)
    head = (f'<meta name="description" content="{esc(t["name"])}">'
            f'<link rel="canonical" href="https://{HOST}{base}">{alternates}{A11Y_CSS}')
    part = f'<a href="{t["part"][1]}">{t["part"][0]}</a>' if t["part"] else ""
    toggle = "document.documentElement.classList.toggle('special-view')"
    if lang == "uz":  # the gov.uz pattern: the control opens a panel of options
        a11y = (f'<button type="button" class="special-btn" onclick="document.getElementById('
                f"'special-panel').hidden=false\">{t['a11y']}</button>"
                f'<div id="special-panel" hidden><button type="button" onclick="{toggle}">'
                f'Оқ-қора режим</button></div>')
    else:
        a11y = (f'<button type="button" class="special-view-btn" onclick="{toggle}">'
                f'{t["a11y"]}</button>')
    header = (f'<header><a href="{base}">{esc(t["name"])}</a>{a11y}'
              f'<div class="langs">{switch}</div>'
              f'<a href="https://id.egov.uz/?client_id=denov">{t["login"]}</a> '
              f'<a href="{base}/cabinet">{t["cabinet"]}</a></header>'
              f'<nav><a href="{t["proc"][1]}">{t["proc"][0]}</a> '
              f'<a href="{base}/tuzilma">{t["struct"]}</a> '
              f'<a href="{base}/rahbariyat">{t["lead"]}</a> {part}</nav>')

    def html(title, main):
        return page(title, header + f"<main><h1>{esc(title)}</h1>{main}</main>"
                    f"<footer>© {esc(t['name'])}</footer>", lang, head=head)

    people = "".join(f'<div class="person"><h3>{n}</h3><p>{p}</p><p>{r}</p><p>{c}</p></div>'
                     for n, p, r, c in t["people"])
    units = "<ul>" + "".join(f"<li>{u}</li>" for u in t["units"]) + "</ul>"
    home = paragraphs(lang, 4, 40) + (POLL if lang == "ru" else "")
    routes = {base: html(t["name"], home), f"{base}/tuzilma": html(t["struct"], units),
              f"{base}/rahbariyat": html(t["lead"], people),
              f"{base}/cabinet": html(t["cabinet"], paragraphs(lang, 1, 41))}
    if t["proc"][1].startswith("/"):
        routes[t["proc"][1]] = html(t["proc"][0], "<ul><li>Тендер №12: мактаб таъмири - "
                                    "ғолиб аниқланди</li></ul>" + paragraphs(lang, 1, 42))
    return routes


def install(farm) -> None:
    for lang in T:
        for path, body in section(lang).items():
            farm.routes.add(HOST, path, (lambda b: lambda req: Reply(body=b))(body))


def DEMO_TARGETS(farm) -> list[dict]:
    g = f"https://{HOST}:{farm.port('main')}"
    return [{"id": "denov", "name_uz": T["oz"]["name"], "name_ru": T["ru"]["name"],
             "level": "district", "region": "Surxondaryo viloyati",
             "start_url": f"{g}/oz/{SLUG}", "scope": f"{g}/oz/{SLUG}",
             "languages": {lg: f"{g}/{lg}/{SLUG}" for lg in T}}]
