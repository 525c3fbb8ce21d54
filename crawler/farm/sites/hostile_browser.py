"""Hostile pages for the browser (issue 12): not demo targets, only for
``tests/test_hostile_browser.py``. All on ``gov.test`` under ``/hostile-browser/``.

Containment - each must cost at most the page's time limit and bounded memory:

* ``loop`` - a script that never ends, before ``load``; ``loop-after-load`` - the same
  50 ms after ``load``;
* ``dialogs`` - ``alert``, ``confirm``, ``prompt`` at once and every 100 ms, and a
  ``beforeunload`` handler that asks to stay;
* ``popups`` - twenty ``window.open`` at load and more every 50 ms;
* ``nav-loop`` - the page replaces itself with itself before it ever loads;
* ``download`` - a 50 MB download started by script, and a navigation to an attachment;
* ``memory-hog`` - a script filling the JavaScript heap until the renderer dies;
  ``buffer-hog`` - the same with array buffers (memory outside the V8 heap);
* ``dom-growth`` - a thousand elements more every 10 ms, for ever.

The SSRF case - ``ssrf`` on ``gov.test:P`` (a test allows exactly that origin) embeds, in
every way a page can make the browser send a request, URLs whose path starts with
``/hostile-browser/secret/`` on loopback: the same port under ``127.0.0.1`` and
``localhost``, another farm port, and ``intranet.test`` (a name the resolve map sends to
127.0.0.1: a host name that resolves to loopback). Style sheet, script, image, iframes (one
forbidden, one allowed whose own script fetches loopback), ``fetch``, XHR, ``sendBeacon``,
WebSocket, a worker whose script fetches loopback, a same-origin URL that redirects to
loopback, a popup, a service worker. ``redirect-to-loopback``: a page whose navigation
redirects to loopback. The farm's request log shows whether any ``secret`` path was asked for.
"""

from __future__ import annotations

from crawler.farm.server import Reply

from ._html import paragraphs
from .browser_a11y import HOST, doc

BASE = "/hostile-browser"
SECRET = f"{BASE}/secret/"
INTRANET_HOST = "intranet.test"  # resolved to 127.0.0.1 by ``hostile_resolve``


def hostile_resolve() -> dict[str, str]:
    return {INTRANET_HOST: "127.0.0.1"}


LOOP = "<script>for (;;) {}</script>"
LOOP_AFTER_LOAD = ("<script>addEventListener('load', () => setTimeout(() => { for (;;) {} },"
                   " 50));</script>")
DIALOGS = """<script>
addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = 'Qoling'; });
alert('Diqqat!'); confirm('Rozimisiz?'); prompt('Ismingiz?', '');
setInterval(() => { alert('Yana'); confirm('Yana?'); }, 100);
</script>"""
POPUPS = f"""<script>
addEventListener('load', () => {{
  for (let i = 0; i < 20; i++) window.open('{BASE}/plain?popup=' + i, '_blank');
  let n = 20;
  setInterval(() => window.open('{BASE}/plain?popup=' + (n++), '_blank'), 50);
}});
</script>"""
NAV_LOOP = f"""<script>
const n = Number(new URLSearchParams(location.search).get('n') || 0) + 1;
location.replace('{BASE}/nav-loop?n=' + n);
</script>"""
DOWNLOAD = f"""<script>
addEventListener('load', () => {{
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([new Uint8Array(50 * 1024 * 1024)]));
  a.download = 'hisobot.bin';
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {{ location.href = '{BASE}/file.bin'; }}, 100);
}});
</script>"""
MEMORY_HOG = """<script>
const keep = [];
(function grow() {
  for (let i = 0; i < 8; i++) keep.push(new Array(1 << 20).fill(i + Math.random()));
  setTimeout(grow, 0);
})();
</script>"""
BUFFER_HOG = """<script>
const keep = [];
(function grow() {
  keep.push(new Uint8Array(32 * 1024 * 1024).fill(7));
  setTimeout(grow, 0);
})();
</script>"""
DOM_GROWTH = """<script>
setInterval(() => {
  const f = document.createDocumentFragment();
  for (let i = 0; i < 1000; i++) {
    const d = document.createElement('div'); d.textContent = 'Yangilik ' + i; f.appendChild(d);
  }
  document.body.appendChild(f);
}, 10);
</script>"""


def ssrf_page(port: int, other: int) -> str:
    s = SECRET
    lo = f"https://127.0.0.1:{port}{s}"
    head = (f'<link rel="stylesheet" href="{lo}style.css">'
            f'<script src="https://{INTRANET_HOST}:{port}{s}script.js"></script>')
    body = f"""<p>Murojaatlar</p>
<img src="http://127.0.0.1:{other}{s}logo.png" alt="Gerb">
<iframe src="https://{INTRANET_HOST}:{port}{s}frame" title="Xarita"></iframe>
<iframe src="{BASE}/ssrf-frame" title="Yangiliklar"></iframe>
<script>
fetch('https://127.0.0.1:{other}{s}fetch').catch(() => 0);
const x = new XMLHttpRequest(); x.open('GET', 'https://localhost:{port}{s}xhr'); x.send();
navigator.sendBeacon('{lo}beacon', 'x');
try {{ new WebSocket('wss://127.0.0.1:{port}{s}ws'); }} catch (e) {{}}
try {{ new WebSocket('ws://{INTRANET_HOST}:{other}{s}ws2'); }} catch (e) {{}}
new Worker('{BASE}/worker.js');
fetch('{BASE}/to-loopback').catch(() => 0);
window.open('{lo}popup');
if (navigator.serviceWorker) navigator.serviceWorker.register('{BASE}/sw.js').catch(() => 0);
</script>"""
    return doc("Hokimlik xizmatlari", body, head=head)


def install(farm) -> None:
    r = farm.routes
    text = paragraphs("oz", 2, 31)
    pages = {"loop": LOOP, "loop-after-load": LOOP_AFTER_LOAD, "dialogs": DIALOGS,
             "popups": POPUPS, "nav-loop": NAV_LOOP, "download": DOWNLOAD,
             "memory-hog": MEMORY_HOG, "buffer-hog": BUFFER_HOG, "dom-growth": DOM_GROWTH}
    for name, js in pages.items():
        r.page(HOST, f"{BASE}/{name}", doc("Viloyat yangiliklari", text + js))
    r.page(HOST, f"{BASE}/plain", doc("Yangiliklar", text))
    r.page(HOST, f"{BASE}/file.bin", b"\0" * 4096, content_type="application/octet-stream",
           headers={"Content-Disposition": 'attachment; filename="hisobot.bin"'})

    def other_port() -> int:
        return farm.port("no-redirect")

    r.add(HOST, f"{BASE}/ssrf", lambda req: Reply(body=ssrf_page(req.port, other_port())))
    r.add(HOST, f"{BASE}/ssrf-frame", lambda req: Reply(body=doc(
        "Yangiliklar", f"<script>fetch('https://127.0.0.1:{req.port}{SECRET}from-frame')"
                       f".catch(() => 0);</script>")))
    r.add(HOST, f"{BASE}/worker.js", lambda req: Reply(
        body=f"fetch('https://127.0.0.1:{req.port}{SECRET}from-worker').catch(() => 0);",
        content_type="application/javascript"))
    r.page(HOST, f"{BASE}/sw.js", "self.addEventListener('fetch', () => 0);",
           content_type="application/javascript")
    r.add(HOST, f"{BASE}/to-loopback", lambda req: Reply(
        302, b"", {"Location": f"https://127.0.0.1:{req.port}{SECRET}redirected"}))
    r.add(HOST, f"{BASE}/redirect-to-loopback", lambda req: Reply(
        302, b"", {"Location": f"https://127.0.0.1:{req.port}{SECRET}landing"}))


def secret_requests(farm) -> list[str]:
    """The paths under ``SECRET`` the farm was asked for (any host, any port)."""
    return [path for _, _, _, path, _ in farm.stats.log if path.startswith(SECRET)]
