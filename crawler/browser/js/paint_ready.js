// Resolve once the page is ready to be pictured: every <img> has finished (loaded, failed or
// blocked - a blocked image draws its alt text only after its error is processed) or
// maxMs passed, then two animation frames (the layout of those changes is painted). Resolves
// to the document's height then (the screenshot's, in the same round trip).
(maxMs) => new Promise((resolve) => {
  // @include page_height.js
  const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(pageHeight())));
  // (lazy images below the fold never start: not waited for)
  const pending = [...document.images].filter((img) => !img.complete && img.loading !== 'lazy');
  if (!pending.length) { frames(); return; }
  let left = pending.length;
  const timer = setTimeout(frames, maxMs);
  const done = () => { if (--left === 0) { clearTimeout(timer); frames(); } };
  for (const img of pending) {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
  }
})
