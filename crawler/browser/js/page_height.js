// The document's height: the full-page screenshot's, before visit.MAX_SHOT_HEIGHT cuts it
// (included by paint_ready.js and by visit._page_height).
const pageHeight = () => Math.max(document.documentElement.scrollHeight,
                                  document.body ? document.body.scrollHeight : 0);
