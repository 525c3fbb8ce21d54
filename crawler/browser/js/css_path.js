// The CSS path of an element, as govscan's in-page scripts record it (up to 8 steps; an
// id ends the path; up to 2 classes and :nth-of-type among same-tag siblings per step).
// Not a script of its own: `// @include css_path.js` inlines it (crawler.browser.visit.script).
  const cssPath = (el) => {
    if (!(el instanceof Element)) return '';
    const parts = [];
    while (el && el.nodeType === 1 && parts.length < 8) {
      if (el.id && /^[A-Za-z][\w-]*$/.test(el.id)) { parts.unshift('#' + el.id); break; }
      let s = el.localName;
      const cls = [...el.classList].filter(c => /^[A-Za-z_][\w-]*$/.test(c)).slice(0, 2);
      if (cls.length) s += '.' + cls.join('.');
      const p = el.parentElement;
      if (p) {
        const same = [...p.children].filter(c => c.localName === el.localName);
        if (same.length > 1) s += `:nth-of-type(${same.indexOf(el) + 1})`;
      }
      parts.unshift(s);
      el = el.parentElement;
    }
    return parts.join(' > ');
  };
