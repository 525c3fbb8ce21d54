"""A farm section where the content indicators are ABSENT, with the look-alikes that must not
count (host ``gov.test``, ``/oz/ind-nurota``, Uzbek Latin):

* a language switcher whose "English" page (``/en/ind-nurota``) is still in Uzbek (the
  Russian one, ``/ru/ind-nurota``, is Russian): languages fails naming the English page;
* a "Rahbariyat" page with a heading and no names (not leadership);
* a news item "Tender e'lon qilindi" (``/oz/ind-nurota/news/12``: not a procurement section);
* a "Maxsus imkoniyatlar" link that changes nothing when clicked;
* openbudget.uz named in a news text, not linked (not e-participation); no structure page,
  no OneID login, no cabinet; no meta description, canonical or hreflang.

``DEMO_TARGETS``: the section as the demo target ``nurota``.
"""

from __future__ import annotations

from ..server import Reply
from ._html import page, paragraphs

HOST = "gov.test"
NAME = "Nurota tumani hokimligi"


def routes() -> dict[str, str]:
    base = "/oz/ind-nurota"
    header = (f'<header><a href="{base}">{NAME}</a> <a href="#" class="eye-link">Maxsus '
              f'imkoniyatlar</a> <a href="/ru/ind-nurota">Русский</a> '
              f'<a href="/en/ind-nurota">English</a></header>'
              f'<nav><a href="{base}/rahbariyat">Rahbariyat</a> '
              f'<a href="{base}/news/12">Tender e‘lon qilindi</a></nav>')

    def html(title, main, lang="oz", hdr=header):
        return page(title, hdr + f"<main><h1>{title}</h1>{main}</main>"
                    f"<footer>© {NAME}</footer>", lang)

    news = ("<p>Hokimlik yangi maktab qurilishi bo‘yicha tender e‘lon qildi. Tashabbuslar "
            "openbudget.uz saytida qabul qilinmoqda.</p>" + paragraphs("oz", 2, 50))
    return {
        base: html(NAME, paragraphs("oz", 3, 51) + news),
        f"{base}/rahbariyat": html("Rahbariyat", "<p>Ma’lumot tez orada joylashtiriladi.</p>"),
        f"{base}/news/12": html("Tender e‘lon qilindi", news),
        # the "English" version: an English title over the Uzbek text
        "/en/ind-nurota": html("Nurota district administration",
                               paragraphs("oz", 4, 52), lang="en"),
        "/ru/ind-nurota": html("Хокимият Нуратинского района", paragraphs("ru", 4, 53),
                               lang="ru"),
    }


def install(farm) -> None:
    for path, body in routes().items():
        farm.routes.add(HOST, path, (lambda b: lambda req: Reply(body=b))(body))


def DEMO_TARGETS(farm) -> list[dict]:
    g = f"https://{HOST}:{farm.port('main')}"
    return [{"id": "nurota", "name_uz": NAME, "name_ru": "Хокимият Нуратинского района",
             "level": "district", "region": "Navoiy viloyati",
             "start_url": f"{g}/oz/ind-nurota", "scope": f"{g}/oz/ind-nurota",
             "languages": {"oz": f"{g}/oz/ind-nurota", "ru": f"{g}/ru/ind-nurota",
                           "en": f"{g}/en/ind-nurota"}}]
