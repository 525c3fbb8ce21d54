"""Weigh dateparser and extruct against pageread.dates on the date cases of the tests (bench/README.md,
"Issue 14, second pass"). Needs `pip install dateparser extruct` (not dependencies)."""
import sys, time, datetime as dt, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from pageread.dates import find_dates, machine_dates
D = dt.datetime
POS = [("Date edited: 03/01/2025 17:16. Views: 72", D(2025,1,3)), ("31-01-2023", D(2023,1,31)), ("03.08.2021", D(2021,8,3)),
 ("Mart 29, 2022 / Muharrir: admin", D(2022,3,29)), ("29 марта 2022 г.", D(2022,3,29)), ("29 март 2022", D(2022,3,29)),
 ("29 ноябр 2026 йил", D(2026,11,29)), ("2023 йил 14 декабрь", D(2023,12,14)), ("2022 yil 29-mart", D(2022,3,29)),
 ("5-avgust, 2024-yil", D(2024,8,5)), ("Sentyabr 1, 2024", D(2024,9,1)), ("March 29, 2022", D(2022,3,29)),
 ("29 March 2022, 14:05", D(2022,3,29)), ("2026-05-05 14:25:00", D(2026,5,5)), ("2025-01-03T17:16:00+05:00", D(2025,1,3)),
 ("12/31/2024", D(2024,12,31)), ("12. Noyabr 2026", D(2026,11,12)), ("12. November 2026", D(2026,11,12)),
 ("14 dekabr 2023 yil", D(2023,12,14)), ("Yangilangan: 25.11.2026", D(2026,11,25)), ("Обновлено 25 ноября 2026 года", D(2026,11,25)),
 ("25 noyabr, 2026", D(2026,11,25)), ("2026 йил 25 ноябрь", D(2026,11,25))]
NEG = ["© 2010 – 2018", "Copyright 2015-2024", "2030 yilgacha", "Farmon PP-308", "tel 1242", "32.13.2024", "v1.2.3",
       "Qaror 1234-son", "+998 71 239-46-12", "2024 yil natijalari"]
def ours(t):
    f = find_dates(t); return f[0].when if f else None
import dateparser
from dateparser.search import search_dates
S = {"DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}
def dp(t):
    r = search_dates(t, languages=["uz", "ru", "en"], settings=S)
    return r[0][1] if r else None
for name, fn in (("hand-written", ours), ("dateparser", dp)):
    fn(POS[0][0])
    c = time.process_time()
    ok = sum(1 for t, e in POS if (lambda w: w is not None and w.date() == e.date())(fn(t)))
    neg_ok = sum(1 for t in NEG if fn(t) is None)
    ms = (time.process_time() - c) * 1000 / (len(POS) + len(NEG))
    print(f"{name}: positives {ok}/{len(POS)}, negatives {neg_ok}/{len(NEG)}, {ms:.2f} ms per string")
    for t, e in POS:
        w = fn(t)
        if w is None or w.date() != e.date(): print("   miss:", t, "->", w)
    for t in NEG:
        w = fn(t)
        if w is not None: print("   false:", t, "->", w)
# structured metadata
import extruct
from selectolax.lexbor import LexborHTMLParser
H = [
 ('<script type="application/ld+json">{"@type":"NewsArticle","dateModified":"2026-11-25T10:00:00+05:00",}</script>', "2026-11-25"),
 ('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2026-11-20"}</script>', "2026-11-20"),
 ('<meta name="DC.date.modified" content="2026-11-24">', "2026-11-24"),
 ('<meta name="dcterms.modified" content="2026-11-23">', "2026-11-23"),
 ('<meta property="article:modified_time" content="2026-11-22T09:00:00Z">', "2026-11-22"),
 ('<meta name="dc:date" content="2026-11-21">', "2026-11-21"),
]
def ex(h):
    html = f"<html><head>{h}</head><body></body></html>"
    d = extruct.extract(html, syntaxes=["json-ld", "opengraph", "dublincore"], uniform=True, errors="ignore")
    s = repr(d)
    import re
    return sorted(set(re.findall(r"20\d\d-\d\d-\d\d", s)))
def mine(h):
    html = f"<html><head>{h}</head><body></body></html>"
    return sorted({x.date.isoformat() for x in machine_dates(LexborHTMLParser(html), "https://x.uz/")})
for name, fn in (("hand-written machine_dates", mine), ("extruct", ex)):
    fn(H[0][0]); c = time.process_time()
    ok = sum(1 for h, e in H if e in fn(h))
    print(f"{name}: {ok}/{len(H)}, {(time.process_time()-c)*1000/len(H):.2f} ms per page")
    for h, e in H:
        if e not in fn(h): print("   miss:", h[:70])
