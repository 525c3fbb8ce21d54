// An init script (every frame, after Playwright's WebSocket routing is installed): keeps the
// URL of every WebSocket the frame's scripts open (window.__govscanSockets, at most 50), so the
// visit can put the attempts - and the guard's verdict on each - into the page's network log.
(() => {
  if (window.__govscanSockets) return;
  const seen = [];
  Object.defineProperty(window, '__govscanSockets', {value: seen, enumerable: false});
  const WS = window.WebSocket;
  if (typeof WS !== 'function') return;
  const Wrapped = new Proxy(WS, {
    construct(target, args, newTarget) {
      try { if (seen.length < 50) seen.push(String(new URL(String(args[0]), location.href))); }
      catch (e) { /* an invalid URL: the constructor throws below */ }
      return Reflect.construct(target, args, newTarget === Wrapped ? target : newTarget);
    },
  });
  window.WebSocket = Wrapped;
})();
