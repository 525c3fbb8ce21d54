"""Small helpers to write farm pages that look like the real sites."""

from __future__ import annotations

import html
import random

LANG_ATTR = {"oz": "uz-Latn", "uz": "uz-Cyrl", "ru": "ru", "en": "en"}

FILLER = {
    "oz": ("Viloyat hokimligi aholining murojaatlarini ko‘rib chiqish, hududni ijtimoiy-"
           "iqtisodiy rivojlantirish dasturlarini amalga oshirish, tadbirkorlikni qo‘llab-"
           "quvvatlash va investitsiyalarni jalb qilish bo‘yicha ishlarni olib bormoqda."),
    "uz": ("Вилоят ҳокимлиги аҳолининг мурожаатларини кўриб чиқиш, ҳудудни ижтимоий-"
           "иқтисодий ривожлантириш дастурларини амалга ошириш, тадбиркорликни қўллаб-"
           "қувватлаш ва инвестицияларни жалб қилиш бўйича ишларни олиб бормоқда."),
    "ru": ("Хокимият области ведёт работу по рассмотрению обращений граждан, реализации "
           "программ социально-экономического развития территории, поддержке "
           "предпринимательства и привлечению инвестиций."),
    "en": ("The regional administration reviews citizens' appeals, implements programmes of "
           "social and economic development, supports entrepreneurship and attracts "
           "investment."),
}


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def page(title: str, body: str, lang: str = "oz", head: str = "",
         viewport: bool = True) -> str:
    """A complete, valid HTML5 document."""
    vp = '<meta name="viewport" content="width=device-width, initial-scale=1">' if viewport \
        else ""
    return (f'<!DOCTYPE html>\n<html lang="{LANG_ATTR.get(lang, lang)}">\n<head>\n'
            f'<meta charset="utf-8">\n{vp}\n<title>{esc(title)}</title>\n{head}\n</head>\n'
            f'<body>\n{body}\n</body>\n</html>\n')


def paragraphs(lang: str, n: int, seed: int = 0) -> str:
    rnd = random.Random(seed)
    words = FILLER[lang].split()
    out = []
    for _ in range(n):
        k = rnd.randint(len(words) // 2, len(words))
        out.append("<p>" + esc(" ".join(rnd.sample(words, k))) + ".</p>")
    return "\n".join(out)
