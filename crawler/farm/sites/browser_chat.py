"""Farm pages for the rendered chat-bot half: widgets that only exist after scripts run.

* ``/browser/chat-vendor``: the page loads a vendor's loader script from the vendor's own host
  (``VENDOR_HOST``, a chat vendor's real CDN name, reached ONLY through a resolve map to the
  farm: add ``vendor_resolve()`` to the farm's resolve map). After ``load`` the loader sets the
  vendor's window global and injects a floating launcher button. The static HTML has no chat.
* ``/browser/chat-selfhosted``: a self-hosted widget (``/browser/static/chat-widget.js`` on the
  site itself) builds a ``<chat-widget>`` element with an open shadow root and a fixed
  launcher after a short timeout.
* ``/browser/telegram``: only a link to an official Telegram bot, no widget.
"""

from __future__ import annotations

from crawler.farm.server import Reply

from ._html import paragraphs
from .browser_a11y import BASE, HOST, doc

VENDOR_HOST = "code.jivosite.com"  # served by the farm; resolved to 127.0.0.1 on purpose


def vendor_resolve() -> dict[str, str]:
    return {VENDOR_HOST: "127.0.0.1"}


VENDOR_LOADER = r"""
(function(){
  window.jivo_config = {widget_id: 'farm'};
  function mount(){
    var b = document.createElement('jdiv');
    b.id = 'jivo-iframe-container';
    b.innerHTML = '<button class="jivo-launcher" aria-label="Chat: onlayn maslahat" ' +
      'style="position:fixed;right:16px;bottom:16px;width:64px;height:64px;' +
      'border-radius:32px;background:#0b7;color:#fff;border:0">Chat</button>';
    document.body.appendChild(b);
    window.jivo_api = {open: function(){}};
  }
  // a loader added after load (vendors' async snippets often are) mounts all the same
  if (document.readyState === 'complete') setTimeout(mount, 150);
  else window.addEventListener('load', function(){ setTimeout(mount, 150); });
})();
"""

SELF_HOSTED = r"""
customElements.define('chat-widget', class extends HTMLElement {
  connectedCallback(){
    const r = this.attachShadow({mode: 'open'});
    r.innerHTML = '<div class="panel">Savolingiz bormi? Yozing!</div>';
  }
});
window.addEventListener('load', function(){
  setTimeout(function(){
    document.body.appendChild(document.createElement('chat-widget'));
    var btn = document.createElement('button');
    btn.className = 'site-chatbot-toggle';
    btn.textContent = 'Onlayn chat';
    btn.setAttribute('style', 'position:fixed;left:16px;bottom:16px;padding:14px 18px');
    document.body.appendChild(btn);
  }, 200);
});
"""


def install(farm) -> None:
    r = farm.routes
    text = paragraphs("oz", 2, 21)

    def vendor_page(req):
        js = f"https://{VENDOR_HOST}:{req.port}/widget/farm.js"
        return Reply(body=doc("Murojaatlar", text, head=f'<script src="{js}" async></script>'))

    r.add(HOST, f"{BASE}/chat-vendor", vendor_page)
    r.add(VENDOR_HOST, "/widget/", lambda req: Reply(
        body=VENDOR_LOADER, content_type="application/javascript"), prefix=True)
    r.page(HOST, f"{BASE}/chat-selfhosted", doc(
        "Aholi uchun", text, head='<script src="/browser/static/chat-widget.js"></script>'))
    r.page(HOST, f"{BASE}/static/chat-widget.js", SELF_HOSTED,
           content_type="application/javascript")
    r.page(HOST, f"{BASE}/telegram", doc(
        "Murojaat qiling", text + '<p>Murojaatlar uchun Telegram bot: <a '
        'href="https://t.me/namanganmurojaatbot">@namanganmurojaatbot</a></p>'))
