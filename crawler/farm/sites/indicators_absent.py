"""Farm sections where the static indicators are ABSENT, with the look-alikes that must NOT
count (host ``gov.test``):

* ``/oz/ind-xonqa`` (Uzbek Latin) and ``/ru/ind-kokand`` (Russian): a newsletter box (not
  search, not an appeal form), a login form (not a contact form), a comment form under a news
  item (not an appeal form), a "today" widget (``bugun : <today>`` / ``Сегодня: <today>``: not
  an update), a copyright year (not an update), an announced event in the future (ignored), a
  Telegram *channel* (not a chat-bot), a link saying "Поиск работы" to a job portal (not a
  search box), a "Kontakt linzalar" article (a contacts word that is not a contacts page).
* ``/uz/ind-bare`` (Uzbek Cyrillic) and ``/en/ind-bare`` (English): plain pages with text only.
"""

from __future__ import annotations

import datetime as dt

from ..server import Reply
from ._html import esc, page, paragraphs

HOST = "gov.test"


def _future() -> dt.date:
    return dt.date.today() + dt.timedelta(days=120)


def xonqa():
    lang, base, name = "oz", "/oz/ind-xonqa", "Xonqa tumani hokimligi"
    today = dt.date.today()
    header = (f'<header><a href="{base}">{name}</a>'
              f'<div class="header-date">bugun : {today:%d.%m.%Y}</div>'
              f'<form action="{base}/login" method="post" class="login-box">'
              f'<input name="username" placeholder="Login"><input type="password" '
              f'name="password" placeholder="Parol"><button>Kirish</button></form></header>')
    footer = (f'<footer><form action="{base}/subscribe" method="post" class="newsletter">'
              f'<input type="email" name="email" placeholder="E-mail manzilingiz">'
              f'<button>Yangiliklarga obuna bo‘lish</button></form>'
              f'<p>Telegram kanalimiz: <a href="https://t.me/xonqa_tumani">t.me/xonqa_tumani'
              f'</a></p><p>Copyright © 2015 – 2019 Xonqa tumani</p></footer>')

    def home(req):
        ev = _future()
        main = (f"<h1>{name}</h1>" + paragraphs(lang, 3, 21)
                + f"<p>Navro‘z sayli {ev:%d.%m.%Y} kuni bo‘lib o‘tadi.</p>"
                + f'<p><a href="{base}/maqola">Kontakt linzalar haqida maqola</a></p>')
        return Reply(body=page(name, header + f"<main>{main}</main>" + footer, lang))

    def article(req):
        comment = (f'<form action="{base}/maqola/comment" method="post" class="comment-form">'
                   f'<h3>Izoh qoldiring</h3><input name="author" placeholder="Ismingiz">'
                   f'<textarea name="comment" placeholder="Izohingiz"></textarea>'
                   f'<button>Yuborish</button></form>')
        main = "<h1>Kontakt linzalar haqida</h1>" + paragraphs(lang, 2, 22) + comment
        return Reply(body=page("Maqola", header + f"<main>{main}</main>" + footer, lang))

    return {base: home, f"{base}/maqola": article}


def kokand():
    lang, base, name = "ru", "/ru/ind-kokand", "Хокимият города Коканд"
    today = dt.date.today()
    header = (f'<header><a href="{base}">{esc(name)}</a>'
              f'<span id="current-date">Сегодня: {today:%d.%m.%Y}</span>'
              f'<a href="https://hh.uz/">Поиск работы</a>'
              f'<a href="{base}/cabinet">Личный кабинет</a></header>')
    footer = ('<footer><form class="subscribe" method="post"><label>Подписаться на рассылку '
              '<input type="email" name="subscriber_email"></label><button>Подписаться'
              '</button></form><p><a href="https://t.me/kokand_news">Наш Telegram-канал</a>'
              '</p><p>© 2010-2018 Хокимият города Коканд. Все права защищены.</p></footer>')
    login = (f'<h1>Вход</h1><form action="{base}/cabinet" method="post">'
             f'<input name="login" aria-label="Логин"><input type="password" name="pass" '
             f'aria-label="Пароль"><textarea name="note" hidden></textarea>'
             f'<button>Войти</button></form>')

    def home(req):
        main = (f"<h1>{esc(name)}</h1>" + paragraphs(lang, 3, 23)
                + f"<p>Фестиваль пройдёт {_future():%d.%m.%Y}.</p>")
        return Reply(body=page(name, header + f"<main>{main}</main>" + footer, lang))

    return {base: home, f"{base}/cabinet": lambda req: Reply(
        body=page("Вход", header + f"<main>{login}</main>" + footer, lang))}


def bare(lang: str):
    base = f"/{lang}/ind-bare"
    title = {"uz": "Туман ҳокимлиги", "en": "District administration"}[lang]
    return {base: lambda req: Reply(body=page(title, f"<main><h1>{title}</h1>"
                                              + paragraphs(lang, 4, 30) + "</main>", lang))}


PATHS = {"xonqa": "/oz/ind-xonqa", "kokand": "/ru/ind-kokand", "bare-uz": "/uz/ind-bare",
         "bare-en": "/en/ind-bare"}


def install(farm) -> None:
    r = farm.routes
    for part in (xonqa(), kokand(), bare("uz"), bare("en")):
        for path, handler in part.items():
            r.add(HOST, path, handler)
