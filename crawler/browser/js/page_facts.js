// Facts read from a page after load (argument: [globalNames, launcherWords, watchMs, full]):
// which of the window globals exist, the open shadow roots, whether the main navigation is
// visible, and chat-launcher-like visible elements floating over the page. Returns plain JSON.
// With watchMs (ms after the load event) only the globals, the launchers and the number of
// the page's timers due by then (js/timers.js) - the cheap poll of visit.watch; with full as
// well, everything (the watch's first poll: when the watch ends there, it is the visit's facts).
([globalNames, launcherWords, watchMs, full]) => {
  // @include css_path.js
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.opacity) > 0.05;
  };
  const globals = globalNames.filter(n => {
    try { return n.split('.').reduce((o, k) => (o == null ? undefined : o[k]), window) !== undefined; }
    catch (e) { return false; }
  });
  const findLaunchers = () => {
    const words = launcherWords.map(w => w.toLowerCase());
    const launchers = [];
    const cands = document.querySelectorAll(
        'button, a, [role=button], iframe, div[id], div[class], [aria-label], [title]');
    const texty = new Set(['button', 'a']);
    for (const el of cands) {
      if (launchers.length >= 10) break;
      // cheap attribute test first; text only for buttons and links (no layout work)
      const cls = typeof el.className === 'string' ? el.className
                  : (el.className && el.className.baseVal) || '';
      const hay = [el.id, cls, el.getAttribute('aria-label'), el.getAttribute('title'),
                   el.getAttribute('name'), el.localName === 'iframe' ? el.src : '',
                   (texty.has(el.localName) || el.getAttribute('role') === 'button')
                     ? (el.textContent || '').slice(0, 60) : ''].join(' ').toLowerCase();
      if (!words.some(w => hay.includes(w))) continue;
      if (!visible(el)) continue;
      // a launcher floats over the page: fixed/sticky itself or inside a fixed container
      let fixed = false;
      for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
        const p = getComputedStyle(e).position;
        if (p === 'fixed' || p === 'sticky') { fixed = true; break; }
      }
      if (!fixed) continue;
      const r = el.getBoundingClientRect();
      launchers.push({selector: cssPath(el), fixed, tag: el.localName,
                      text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 80),
                      html: el.outerHTML.slice(0, 500),
                      rect: [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]});
    }
    return launchers;
  };
  const out = {globals, launchers: findLaunchers()};
  if (watchMs != null) {
    const t = window.__govscanTimers;
    const nav = performance.getEntriesByType('navigation')[0];
    const until = (nav && nav.loadEventEnd ? nav.loadEventEnd : performance.now()) + watchMs;
    out.pending = typeof t === 'function' ? t(until) : 0;
    if (!full) return out;
  }
  const shadow = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) {
        shadow.push({selector: cssPath(el), tag: el.localName,
                     html: el.shadowRoot.innerHTML.slice(0, 600)});
        if (shadow.length < 50) walk(el.shadowRoot);
      }
    }
  };
  walk(document);
  // the navigation: links in nav/[role=navigation]; only when there is none, header links
  let navLinks = [...document.querySelectorAll('nav a[href], [role=navigation] a[href]')];
  if (!navLinks.length) navLinks = [...document.querySelectorAll('header a[href]')];
  const navVisible = navLinks.filter(visible);
  let anyVisible = 0;
  for (const a of [...document.querySelectorAll('a[href]')].slice(0, 300)) if (visible(a)) anyVisible++;
  return Object.assign(out, {shadow, nav: {links: navLinks.length, visible: navVisible.length,
          any_visible: anyVisible,
          sample: navVisible.slice(0, 5).map(a => (a.innerText || '').trim().slice(0, 40))},
          sockets: (window.__govscanSockets || []).slice(0, 50)});
}
