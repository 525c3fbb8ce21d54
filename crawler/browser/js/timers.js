// An init script (every frame, before the page's own scripts): remembers the page's pending
// short timers - setTimeout with a delay up to 10 s - with the performance.now() time each is
// due, so a visit can wait for the work a page scheduled for just after load (chat vendors
// load their widgets that way, on purpose) instead of guessing a fixed wait. The timers
// themselves run unchanged. window.__govscanTimers(until) = how many are still pending and
// due by ``until``. Longer timers and string handlers are passed through untracked.
(() => {
  if (window.__govscanTimers) return;
  const nativeSet = window.setTimeout;
  const nativeClear = window.clearTimeout;
  const pending = new Map();
  const MAX_MS = 10000;
  const setTimeout = function (handler, ms, ...args) {
    const delay = Math.max(0, Number(ms) || 0);
    if (typeof handler !== 'function' || delay > MAX_MS) {
      return nativeSet.call(window, handler, ms, ...args);
    }
    let id = 0;
    const run = function () { pending.delete(id); return handler.apply(this, arguments); };
    id = nativeSet.call(window, run, ms, ...args);
    pending.set(id, performance.now() + delay);
    return id;
  };
  const clearTimeout = function (id) { pending.delete(id); return nativeClear.call(window, id); };
  for (const [f, n] of [[setTimeout, nativeSet], [clearTimeout, nativeClear]]) {
    Object.defineProperty(f, 'toString', {value: () => n.toString(), enumerable: false});
    Object.defineProperty(f, 'name', {value: n.name});
  }
  window.setTimeout = setTimeout;
  window.clearTimeout = clearTimeout;
  Object.defineProperty(window, '__govscanTimers', {
    value: (until) => { let n = 0; for (const t of pending.values()) if (t <= until) n++; return n; },
    enumerable: false,
  });
})();
