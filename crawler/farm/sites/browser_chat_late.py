"""Farm pages for late chat widgets (issue 14): widgets that chat vendors insert on purpose a
while after ``load``, and pages without a widget that still keep timers running.

* ``/browser/chat-late``: a self-hosted widget whose launcher ("Onlayn chat", fixed at the
  bottom right) is inserted 800-1500 ms after ``load`` (a random delay per load);
* ``/browser/chat-late-vendor``: 900 ms after ``load`` the page adds the vendor's loader
  script (``code.jivosite.com``, resolved to the farm by ``browser_chat.vendor_resolve``),
  which mounts its launcher 150 ms after it runs - a timer, then a request, then a timer;
* ``/browser/no-chat-carousel``: no widget; a news carousel turning every 1.2 s for ever and
  a 20 s reminder timer (a page the watch must not wait out);
* ``/browser/no-chat``: no widget, no timers.
"""

from __future__ import annotations

from ._html import paragraphs
from .browser_a11y import BASE, HOST, doc
from .browser_chat import VENDOR_HOST

LATE = r"""<script>
addEventListener('load', () => {
  setTimeout(() => {
    const b = document.createElement('button');
    b.className = 'site-chat-launcher';
    b.textContent = 'Onlayn chat';
    b.setAttribute('style', 'position:fixed;right:16px;bottom:16px;padding:14px 18px');
    document.body.appendChild(b);
  }, 800 + Math.floor(Math.random() * 700));
});
</script>"""

CAROUSEL = r"""<ul id="news"><li>Yangilik 1</li><li>Yangilik 2</li><li>Yangilik 3</li></ul>
<script>
let slide = 0;
(function turn() {
  const items = document.querySelectorAll('#news li');
  items.forEach((li, i) => { li.style.fontWeight = i === slide ? 'bold' : 'normal'; });
  slide = (slide + 1) % items.length;
  setTimeout(turn, 1200);
})();
setTimeout(() => { document.title = 'Eslatma'; }, 20000);
</script>"""


def install(farm) -> None:
    r = farm.routes
    text = paragraphs("oz", 2, 41)
    r.page(HOST, f"{BASE}/chat-late", doc("Aholi bilan muloqot", text + LATE))

    def vendor_late(req):
        js = f"https://{VENDOR_HOST}:{req.port}/widget/farm.js"
        late = (f"<script>addEventListener('load', () => setTimeout(() => {{"
                f"const s = document.createElement('script'); s.src = '{js}';"
                f"document.head.appendChild(s); }}, 900));</script>")
        from crawler.farm.server import Reply
        return Reply(body=doc("Murojaatlar", text + late))

    r.add(HOST, f"{BASE}/chat-late-vendor", vendor_late)
    r.page(HOST, f"{BASE}/no-chat-carousel", doc("Viloyat yangiliklari", text + CAROUSEL))
    r.page(HOST, f"{BASE}/no-chat", doc("Hokimlik haqida", text))
