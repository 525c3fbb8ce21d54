"""accessibility-mode - a version for the visually impaired that really changes the page
(PP-308 roadmap items 10-12, 48-50).

Rule, static: on the home page, a control (link, button, clickable element) whose text,
aria-label, title, image alt, class or id has a word of ``words_content.toml``
[accessibility_mode] (Maxsus imkoniyatlar, Махсус имкониятлар, Ko‘zi ojizlar uchun, Версия
для слабовидящих, Accessibility; class ``bvi-open``, ``special-view``...). A low-vision style
sheet or script (``specialView``, ``bvi``) without a control is only a hint.

Rendered (``Artifact.A11Y_MODE``: crawler.browser.a11y_mode clicks the control, then its
panel's options, and measures the page before and after): the version works when, after a
click, a CSS filter appears or changes on the page (grayscale, contrast, invert), the mean font
size of the visible text grows by ``FONT_GROWTH`` or more, the text or background luminance
moves by ``LUMINANCE_SHIFT`` or more, or the visible images drop by half or more.

pass: the control switches the page (rendered); warn: the control is there but the page was
not rendered (no browser, --no-render) or the control could not be clicked - only the static
evidence; fail: no control, or clicking it (and its options) changes nothing.
"""

from __future__ import annotations

from pageread.selectors import css_selector
from pageread.words import keywords

from .base import Artifact, Evidence, Finding, Hints, Probe, Status, UIStrings, table

VERSION = "1.0"
FONT_GROWTH = 1.1  # mean font size after / before
LUMINANCE_SHIFT = 0.25  # of 1: black on white -> white on black is 1
CONTROL_TAGS = "a, button, [role=button], [onclick], input[type=button], [tabindex]"
MAX_WORDS = 6
HINT_SOURCES = ("specialview", "special-view", "bvi.js", "bvi.min.js", "button-visually-impaired")

UI = UIStrings("accessibility-mode", {
    "pass": "A version for the visually impaired ('{text}') switches the page: {changes}.",
    "warn_static": "A version for the visually impaired is offered ('{text}'), but switching "
                   "it on was not checked (the page was not rendered).",
    "warn_unclicked": "A version for the visually impaired is offered ('{text}'), but it "
                      "could not be switched on in the browser: {why}.",
    "fail_no_change": "'{text}' is offered as a version for the visually impaired, but "
                      "switching it on changes nothing (contrast, font size and images stay "
                      "the same).",
    "fail": "No version for the visually impaired (Maxsus imkoniyatlar, Махсус имкониятлар, "
            "Версия для слабовидящих) was found on the home page.",
    "fail_hint_only": "A low-vision style sheet or script is loaded ({src}), but no control "
                      "to switch it on was found.",
    "change_filter": "a filter ({value})",
    "change_font": "text {ratio}x larger",
    "change_luminance": "colours changed (text {t0} -> {t1}, background {b0} -> {b1})",
    "change_images": "images hidden ({n0} -> {n1})",
    "control": "the control '{word}'",
    "not_found_rendered": "the control was not found in the rendered page",
    "title_steps": "What was clicked and what changed",
})


def static_control(home) -> tuple[object, str] | None:
    """The home page's control (element, matched word), or None (see the module docstring)."""
    kw = keywords("accessibility_mode")
    for n in home.tree.css(CONTROL_TAGS + ", [class], [id]"):
        a = n.attributes
        text = " ".join(n.text(deep=True, separator=" ").split()) if n.tag in (
            "a", "button") or a.get("role") == "button" or "onclick" in a else ""
        if len(text.split()) > MAX_WORDS:
            text = ""
        img = n.css_first("img[alt]") if n.tag in ("a", "button") else None
        m = kw.anywhere(text, a.get("aria-label"), a.get("title"),
                        img.attributes.get("alt") if img is not None else "",
                        attrs=(a.get("class"), a.get("id")))
        if m and (n.tag in ("a", "button", "input") or a.get("role") == "button"
                  or "onclick" in a or m.lang == "attr"):
            return n, m.text
    return None


def hint_source(home) -> str:
    """A low-vision style sheet or script the home page loads (``specialView.css``, bvi)."""
    for n in home.tree.css("link[href], script[src]"):
        src = n.attributes.get("href") or n.attributes.get("src") or ""
        if any(h in src.lower() for h in HINT_SOURCES):
            return src
    return ""


def changes(before: dict, after: dict) -> list[str]:
    """What switching the version on changed, in words ([] when nothing did)."""
    out = []
    if not before or not after or "error" in before or "error" in after:
        return out
    if after.get("filter") and after.get("filter") != before.get("filter"):
        out.append(UI.text("change_filter", value=after["filter"][:80]))
    f0, f1 = before.get("font_mean") or 0, after.get("font_mean") or 0
    if f0 and f1 / f0 >= FONT_GROWTH:
        out.append(UI.text("change_font", ratio=round(f1 / f0, 2)))
    t0, t1 = before.get("text_luminance", 0), after.get("text_luminance", 0)
    b0, b1 = before.get("background_luminance", 1), after.get("background_luminance", 1)
    if abs(t1 - t0) >= LUMINANCE_SHIFT or abs(b1 - b0) >= LUMINANCE_SHIFT:
        out.append(UI.text("change_luminance", t0=t0, t1=t1, b0=b0, b1=b1))
    n0, n1 = before.get("images", 0), after.get("images", 0)
    if n0 and n1 <= n0 / 2:
        out.append(UI.text("change_images", n0=n0, n1=n1))
    return out


def judge(site, ctx) -> Finding:
    """The rule of the module docstring."""
    home = site.home
    ctl = static_control(home)
    src = hint_source(home)
    facts = (home.rendered.extra.get("a11y_mode") if home.rendered is not None else None) \
        if "a11y_mode" in site.gathered else None
    evidence: list[Evidence] = []
    text = ""
    if ctl is not None:
        node, word = ctl
        text = " ".join(node.text(deep=True, separator=" ").split())[:80] or word
        evidence.append(Evidence(home.url, "element", node.html or "", css_selector(node),
                                 UI.text("control", word=word)))
    details: dict = {"found": ctl is not None, "static_control": text, "hint_source": src,
                     "rendered": facts is not None}
    if facts is not None:
        rctl = facts.get("control")
        if rctl:
            text = text or rctl.get("text") or rctl.get("word", "")
            if ctl is None:
                evidence.append(Evidence(home.url, "element", rctl.get("html", ""),
                                         rctl.get("selector", ""),
                                         UI.text("control", word=rctl.get("word", ""))))
            details["found"] = True
        before = facts.get("before") or {}
        rows, worked = [], []
        for st in facts.get("steps", []):
            ch = changes(before, st.get("after") or {})
            rows.append({"clicked": st.get("clicked", ""), "error": st.get("error", ""),
                         "changes": "; ".join(ch)})
            worked = worked or ch
        details.update(before=before, steps=table(rows, headings=["clicked", "changes",
                                                                  "error"],
                                                  title=UI.text("title_steps")),
                       error=facts.get("error", ""))
        if worked:
            return Finding("accessibility-mode", Status.PASS, home.url,
                           UI("pass", text=text, changes=", ".join(worked)), evidence,
                           details)
        if rctl and facts.get("steps") and not any(r["error"] for r in rows[:1]):
            return Finding("accessibility-mode", Status.FAIL, home.url,
                           UI("fail_no_change", text=text), evidence, details)
        if details["found"]:
            why = (rows[0]["error"] if rows else "") or facts.get("error") or \
                UI.text("not_found_rendered")
            return Finding("accessibility-mode", Status.WARN, home.url,
                           UI("warn_unclicked", text=text, why=why[:200]), evidence, details)
    elif ctl is not None:
        return Finding("accessibility-mode", Status.WARN, home.url,
                       UI("warn_static", text=text), evidence, details)
    if src:
        return Finding("accessibility-mode", Status.FAIL, home.url,
                       UI("fail_hint_only", src=src),
                       [Evidence(home.url, "element", src, message=src)], details)
    return Finding("accessibility-mode", Status.FAIL, home.url, UI("fail"),
                   [Evidence(home.url, "message", message=UI.text("fail"))], details)


PROBE = Probe(id="accessibility-mode", version=VERSION, requires=frozenset({Artifact.PAGES}),
              optional=frozenset({Artifact.A11Y_MODE}), judge=judge,
              hints=Hints(boxes=("[class*=bvi]", "[class*=special]", "[class*=impaired]")))
