// The version for the visually impaired (argument: [action, controlWords, optionWords]).
// action "find": mark (data-govscan-a11y) and describe the visible control whose text,
//   aria-label, title, alt, class or id has a control word; null when there is none.
// action "options": mark (data-govscan-a11y-opt) up to 3 visible controls whose words are
//   option words (contrast, font size, black-and-white...), not marked before.
// action "snapshot": the page's look, as numbers: filters on html/body, the background and
//   text luminance, the mean font size of visible text, visible images.
// Words arrive folded (lower case, apostrophes as ', Uzbek Cyrillic folded to Russian).
([action, controlWords, optionWords]) => {
  const fold = (s) => (s || '').toLowerCase().normalize('NFC')
    .replace(/[\u02bb\u02bc\u2018\u2019\u0060\u00b4]/g, "'")
    .replace(/ҳ/g, 'х').replace(/қ/g, 'к').replace(/ғ/g, 'г').replace(/ў/g, 'у').replace(/ё/g, 'е')
    .replace(/\s+/g, ' ').trim();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none' && parseFloat(cs.opacity) > 0.05;
  };
  // @include css_path.js
  const words = (el) => {
    const img = el.querySelector && el.querySelector('img[alt]');
    return [el.innerText && el.innerText.length < 80 ? el.innerText : '',
            el.getAttribute('aria-label'), el.getAttribute('title'), img ? img.alt : '']
      .map(fold).join(' | ');
  };
  const attrs = (el) => fold([el.id, typeof el.className === 'string' ? el.className : '']
    .join(' '));
  const matches = (el, list) => {
    const w = words(el), a = attrs(el), tokens = a.split(/[^\p{L}\p{N}]+/u);
    return list.find(x => {
      const exact = x.endsWith('$'), k = exact ? x.slice(0, -1) : x;
      if (!k) return false;
      return (exact ? w.split(/[^\p{L}\p{N}'+]+/u).includes(k) : w.includes(k)) ||
             tokens.includes(k) || (!exact && k.length >= 5 && a.includes(k));
    });
  };
  const CONTROLS = 'a, button, [role=button], [onclick], input[type=button], [tabindex], ' +
                   'label, span, div, i, li';
  const describe = (el, word) => ({selector: cssPath(el), word, tag: el.localName,
    text: (el.innerText || el.getAttribute('aria-label') || el.getAttribute('title') || '')
      .trim().slice(0, 120), html: el.outerHTML.slice(0, 500)});

  if (action === 'find') {
    let best = null;
    for (const el of document.querySelectorAll(CONTROLS)) {
      if (!visible(el)) continue;
      const w = matches(el, controlWords);
      if (!w) continue;
      // the innermost clickable element that matches
      const interactive = el.matches('a, button, [role=button], [onclick], input');
      if (!best || (interactive && !best.interactive) ||
          (interactive === best.interactive && best.el.contains(el))) {
        best = {el, w, interactive};
      }
    }
    if (!best) return null;
    best.el.setAttribute('data-govscan-a11y', '1');
    return describe(best.el, best.w);
  }
  if (action === 'options') {
    const out = [];
    for (const el of document.querySelectorAll(CONTROLS)) {
      if (out.length >= 3) break;
      if (el.hasAttribute('data-govscan-a11y') || el.hasAttribute('data-govscan-a11y-opt') ||
          !visible(el)) continue;
      const w = matches(el, optionWords);
      if (!w || [...el.querySelectorAll('[data-govscan-a11y-opt]')].length) continue;
      el.setAttribute('data-govscan-a11y-opt', String(out.length));
      out.push(describe(el, w));
    }
    return out;
  }
  // snapshot
  const lum = (c) => {
    const m = (c || '').match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(',').map(x => parseFloat(x));
    if (a === 0) return null;
    return Math.round((0.2126 * r + 0.7152 * g + 0.0722 * b) / 2.55) / 100;
  };
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const l = lum(getComputedStyle(e).backgroundColor);
      if (l !== null) return l;
    }
    return 1;
  };
  const de = document.documentElement, body = document.body || de;
  const fonts = [], textLum = [], bgLum = [];
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let n, seen = 0;
  while ((n = walker.nextNode()) && fonts.length < 300 && seen < 5000) {
    seen++;
    const el = n.parentElement;
    if (!el || !n.nodeValue.trim() || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (!visible(el)) continue;
    const cs = getComputedStyle(el);
    fonts.push(parseFloat(cs.fontSize));
    textLum.push(lum(cs.color) ?? 0);
    bgLum.push(bgOf(el));
  }
  const mean = (xs) => xs.length ? Math.round(100 * xs.reduce((a, b) => a + b, 0) / xs.length) / 100 : 0;
  const images = [...document.images].filter(visible).length;
  const filters = [de, body, document.querySelector('main, #root, #app, .wrapper')].filter(Boolean)
    .map(e => getComputedStyle(e).filter).filter(f => f && f !== 'none');
  return {url: location.href, filter: filters.join(' '), font_mean: mean(fonts),
          text_luminance: mean(textLum), background_luminance: mean(bgLum),
          images, samples: fonts.length,
          classes: (de.className + ' ' + body.className).trim().slice(0, 200)};
}
