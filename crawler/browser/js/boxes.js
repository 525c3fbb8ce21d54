// The box of the first element matching each selector (argument: [selectors, shotWidth,
// shotHeight]), in document coordinates as drawn on the full-page screenshot:
// [x + scrollX, y + scrollY, width, height] in CSS px, rounded to 0.1 px. Kept only when the
// box has an area and lies (at least partly) on the screenshot; a selector that is invalid
// or matches nothing is left out.
([selectors, shotWidth, shotHeight]) => {
  const round = (v) => Math.round(v * 10) / 10;
  const out = {};
  for (const sel of selectors) {
    let el = null;
    try { el = document.querySelector(sel); } catch (e) { continue; }
    if (!el) continue;
    const r = el.getBoundingClientRect();
    const x = r.x + window.scrollX, y = r.y + window.scrollY;
    if (!(r.width > 0 && r.height > 0)) continue;
    if (y >= shotHeight || y + r.height <= 0 || x >= shotWidth || x + r.width <= 0) continue;
    out[sel] = [round(x), round(y), round(r.width), round(r.height)];
  }
  return out;
}
