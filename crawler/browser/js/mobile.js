// Responsive measurements at the current (mobile-emulated) viewport, Lighthouse-style
// (argument: the device width): viewport meta, horizontal scroll, legible text share,
// tap targets. Returns plain JSON.
(deviceWidth) => {
  const de = document.documentElement;
  const vp = document.querySelector('meta[name="viewport" i]');
  const visible = (el, r) => {
    if (r.width < 1 || r.height < 1) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.opacity) > 0.05;
  };
  // text: characters of visible text by computed font size
  let total = 0, legible = 0; const small = [];
  const tw = document.createTreeWalker(document.body || de, NodeFilter.SHOW_TEXT);
  let n, count = 0;
  while ((n = tw.nextNode()) && count < 20000) {
    count++;
    const t = n.nodeValue.replace(/\s+/g, '');
    if (!t) continue;
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (!visible(el, r)) continue;
    const fs = parseFloat(getComputedStyle(el).fontSize);
    total += t.length;
    if (fs >= 12) legible += t.length;
    else if (small.length < 5) small.push({text: t.slice(0, 40), px: fs});
  }
  // tap targets: >= 48x48 CSS px, or no other target inside the 48x48 box around it
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, [role=button], ' +
              '[role=link], [onclick]';
  const targets = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (!visible(el, r)) continue;
    targets.push(r);
    if (targets.length >= 400) break;
  }
  let ok = 0; const bad = [];
  for (let i = 0; i < targets.length; i++) {
    const r = targets[i];
    if (r.width >= 48 && r.height >= 48) { ok++; continue; }
    const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
    const w = Math.max(48, r.width), h = Math.max(48, r.height);
    const bx = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    let crowded = false;
    for (let j = 0; j < targets.length && !crowded; j++) {
      if (j === i) continue;
      const o = targets[j];
      // nested targets (a button inside a link) are one target
      if (o.x <= r.x && o.y <= r.y && o.right >= r.right && o.bottom >= r.bottom) continue;
      if (r.x <= o.x && r.y <= o.y && r.right >= o.right && r.bottom >= o.bottom) continue;
      crowded = o.x < bx[2] && o.right > bx[0] && o.y < bx[3] && o.bottom > bx[1];
    }
    if (crowded) { if (bad.length < 5) bad.push([Math.round(r.x), Math.round(r.y),
                                                  Math.round(r.width), Math.round(r.height)]); }
    else ok++;
  }
  return {
    viewport_meta: vp ? (vp.getAttribute('content') || '') : null,
    device_width: deviceWidth, inner_width: window.innerWidth, client_width: de.clientWidth,
    scroll_width: Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0),
    text_chars: total, legible_chars: legible,
    legible_share: total ? legible / total : null, small_text_sample: small,
    tap_targets: targets.length, tap_ok: ok,
    tap_share: targets.length ? ok / targets.length : null, crowded_sample: bad,
  };
}
