"""Forms on a page, classified by their fields and words: search / login / subscription /
appeal (feedback) / comment / other.

The rules, in order (the first that holds wins):

1. ``login`` - the form has a password field.
2. ``search`` - no free-text area, at most three visible text fields, and a search sign:
   ``role=search`` on the form or an ancestor, an ``input[type=search]``, a search word
   (Qidirish/Қидириш/Поиск/Search...) in the form's action/id/class/name, in a field's
   name/placeholder/aria-label/label or in the submit button; or a GET form whose single text
   field is named like a query (``q``, ``s``, ``query``...).
3. ``subscription`` - no free-text area, an e-mail field, and subscription words
   (obuna/обуна/подписка/subscribe/newsletter); a lone e-mail box is a subscription too.
4. ``comment`` - a free-text area named or labelled as a comment (izoh/комментарий/comment)
   and no appeal words.
5. ``appeal`` - a free-text area (``textarea``, or a text field named message/text/matn) and
   appeal words (murojaat/мурожаат/обращение/appeal/feedback/fikr/taklif/отзыв...), or contact
   fields (name, e-mail or phone) next to the free-text area.
6. ``other``.

Forms are read, never submitted. Search inputs that live outside any ``<form>`` (built for
JavaScript) are reported as formless search boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from .selectors import css_selector
from .words import fold, guess_lang, keywords

TEXT_TYPES = {"", "text", "search", "email", "tel", "number", "url"}
_HIDDEN_TYPES = {"hidden"}
_BUTTON_TYPES = {"submit", "button", "reset", "image"}


def _children(node):
    c = node.child
    while c is not None:
        if c.tag != "-text":
            yield c
        c = c.next


@dataclass
class Field:
    tag: str  # input | textarea | select | button
    type: str = ""
    name: str = ""
    id: str = ""
    placeholder: str = ""
    label: str = ""  # <label for>, wrapping label, aria-label or title
    value: str = ""  # hidden fields and buttons only
    required: bool = False

    @property
    def is_text(self) -> bool:
        return self.tag == "input" and self.type in TEXT_TYPES

    @property
    def is_free_text(self) -> bool:
        if self.tag == "textarea":
            return True
        # a one-line field counts as free text only when named so (not "text": the query
        # field of many search forms is called text)
        return self.is_text and self.type in ("", "text") and fold(self.name) in (
            "message", "matn", "xabar", "murojaat", "appeal", "soobshenie", "message_text",
            "comment", "izoh", "fikr", "taklif")

    def words(self) -> str:
        return " ".join(x for x in (self.placeholder, self.label) if x)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", False)}


@dataclass
class FormInfo:
    kind: str  # search | login | subscription | appeal | comment | other
    page_url: str
    action: str = ""  # absolute URL ("" for a formless box)
    method: str = "get"
    fields: list[Field] = field(default_factory=list)
    selector: str = ""
    html: str = ""
    reasons: list[str] = field(default_factory=list)
    formless: bool = False
    in_header: bool = False  # inside <header>/<nav> or an element called header

    @property
    def visible_fields(self) -> list[Field]:
        return [f for f in self.fields if f.type not in _HIDDEN_TYPES and f.tag != "button"
                and f.type not in _BUTTON_TYPES]

    @property
    def hidden(self) -> dict[str, str]:
        return {f.name: f.value for f in self.fields if f.type in _HIDDEN_TYPES and f.name}

    def query_field(self) -> Field | None:
        """The field a search query goes into: type=search first, then a text field."""
        texts = [f for f in self.visible_fields if f.is_text and f.type != "email"]
        for f in texts:
            if f.type == "search":
                return f
        return texts[0] if texts else None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "page_url": self.page_url, "action": self.action,
                "method": self.method, "fields": [f.to_dict() for f in self.fields],
                "selector": self.selector, "reasons": self.reasons, "formless": self.formless}


def _label_for(tree_root, node) -> str:
    a = node.attributes or {}
    for key in ("aria-label", "title"):
        if a.get(key):
            return a[key] or ""
    nid = a.get("id")
    if nid and tree_root is not None:
        try:
            lab = tree_root.css_first(f'label[for="{nid}"]')
        except Exception:  # noqa: BLE001 - odd ids break the selector engine
            lab = None
        if lab is not None:
            return lab.text(deep=True, separator=" ", strip=True)
    p = node.parent
    for _ in range(3):
        if p is None:
            break
        if p.tag == "label":
            return p.text(deep=True, separator=" ", strip=True)
        p = p.parent
    return ""


def read_fields(node, root=None) -> list[Field]:
    out = []
    for f in node.css("input, textarea, select, button"):
        a = f.attributes or {}
        typ = (a.get("type") or ("submit" if f.tag == "button" else "")).strip().lower()
        if f.tag in ("textarea", "select"):
            typ = f.tag
        value = ""
        if typ in _HIDDEN_TYPES or typ in _BUTTON_TYPES:
            value = a.get("value") or (f.text(deep=True, strip=True) if f.tag == "button"
                                       else "") or ""
        out.append(Field(f.tag, typ, a.get("name") or "", a.get("id") or "",
                         a.get("placeholder") or "", _label_for(root, f), value[:200],
                         "required" in a))
    return out


def _in_header(node) -> bool:
    p = node
    for _ in range(12):
        if p is None or p.tag in ("body", "html"):
            return False
        if p.tag in ("header", "nav"):
            return True
        a = p.attributes or {}
        cls = f"{a.get('class') or ''} {a.get('id') or ''} {a.get('role') or ''}".lower()
        if "header" in cls or "banner" in cls or "navbar" in cls or "topbar" in cls:
            return True
        p = p.parent
    return False


def _has_role_search(node) -> bool:
    p = node
    for _ in range(4):
        if p is None or p.tag in ("body", "html"):
            return False
        if (p.attributes or {}).get("role") == "search" or p.tag == "search":
            return True
        p = p.parent
    return False


def classify(node, page_url: str, root=None) -> FormInfo:
    """Classify one ``<form>`` element (see the module docstring for the rules)."""
    a = node.attributes or {}
    fields = read_fields(node, root)
    action = urljoin(page_url, (a.get("action") or "").strip()) if a.get("action") else page_url
    method = (a.get("method") or "get").strip().lower()
    info = FormInfo("other", page_url, action, method, fields, css_selector(node),
                    node.html or "", in_header=_in_header(node))
    visible = info.visible_fields
    texts = [f for f in visible if f.is_text]
    free = [f for f in visible if f.is_free_text]
    form_attrs = [a.get("action"), a.get("id"), a.get("class"), a.get("name")]
    field_attrs = [x for f in fields for x in (f.name, f.id)]
    field_words = " | ".join(f.words() for f in visible)
    buttons = " | ".join(f.value or f.label for f in fields
                         if f.tag == "button" or f.type in _BUTTON_TYPES)
    all_words = fold(" | ".join([node.text(deep=True, separator=" ") or "", field_words,
                                 buttons, a.get("aria-label") or "", a.get("title") or ""]))

    if any(f.type == "password" for f in fields):
        info.kind, info.reasons = "login", ["has a password field"]
        return info

    if not free and len(texts) <= 3:
        reasons = []
        if _has_role_search(node):
            reasons.append("role=search")
        if any(f.type == "search" for f in fields):
            reasons.append("input[type=search]")
        m = keywords("search").anywhere(attrs=form_attrs)
        if m:
            reasons.append(f"search word in form attributes ({m.text})")
        m = keywords("search").search(field_words) or keywords("search").search(buttons)
        if m:
            reasons.append(f"search word in a field or button ({m.text})")
        m = keywords("search").anywhere(attrs=[f.name for f in texts] + [f.id for f in texts])
        if m:
            reasons.append(f"search word in a field name ({m.text})")
        q = info.query_field()
        if not reasons and q is not None and len(texts) == 1 and method == "get" and \
                keywords("search_param").in_attr(q.name) and \
                not keywords("subscription").search(all_words) and \
                not keywords("login").search(all_words):
            reasons.append(f"single GET text field named like a query ({q.name})")
        if reasons and not (keywords("subscription").anywhere(
                all_words, attrs=form_attrs) and not any(
                r.startswith(("role", "input[type")) for r in reasons)):
            info.kind, info.reasons = "search", reasons
            return info

    if not free and any(f.type == "email" or "mail" in fold(f.name) for f in texts):
        m = keywords("subscription").anywhere(all_words, attrs=form_attrs + field_attrs)
        if m:
            info.kind, info.reasons = "subscription", [f"subscription word ({m.text})"]
            return info
        if len(texts) <= 2:
            info.kind, info.reasons = "subscription", ["only an e-mail box, no free text"]
            return info

    if free:
        appeal = keywords("appeal").anywhere(all_words, attrs=form_attrs + field_attrs)
        comment = keywords("comment").anywhere(all_words, attrs=form_attrs + field_attrs)
        if comment and not (appeal and appeal.lang != "attr" and appeal.word not in
                            ("message", "сообщени", "question", "вопрос", "savol")):
            info.kind, info.reasons = "comment", [f"comment box ({comment.text})"]
            return info
        if appeal:
            info.kind, info.reasons = "appeal", [
                f"free-text field ({free[0].name or free[0].tag})",
                f"appeal word ({appeal.text})"]
            return info
        contact = [f for f in visible if f.type in ("email", "tel") or fold(f.name) in (
            "name", "fio", "fullname", "full_name", "phone", "email", "ism", "familiya")]
        if contact:
            info.kind, info.reasons = "appeal", [
                f"free-text field ({free[0].name or free[0].tag})",
                "contact fields (" + ", ".join(f.name or f.type for f in contact[:3]) + ")"]
            return info
    info.reasons = ["no rule matched"]
    return info


def page_forms(tree, page_url: str) -> list[FormInfo]:
    """Every ``<form>`` of a parsed page, classified, plus formless search boxes."""
    out = [classify(f, page_url, tree) for f in tree.css("form")]
    out.extend(formless_search_boxes(tree, page_url))
    return out


def _inside_form(node) -> bool:
    p = node.parent
    while p is not None and p.tag not in ("body", "html"):
        if p.tag == "form":
            return True
        p = p.parent
    return False


def formless_search_boxes(tree, page_url: str) -> list[FormInfo]:
    """Search inputs outside any ``<form>`` (a JavaScript search): an ``input[type=search]``,
    or a text input under ``role=search`` or with a search word in its placeholder/label."""
    out = []
    seen: set[int] = set()
    for inp in tree.css("input"):
        if _inside_form(inp):
            continue
        a = inp.attributes or {}
        typ = (a.get("type") or "").lower()
        if typ not in ("", "text", "search"):
            continue
        label = _label_for(tree, inp)
        reasons = []
        if typ == "search":
            reasons.append("input[type=search]")
        if _has_role_search(inp):
            reasons.append("role=search")
        m = keywords("search").search(f"{a.get('placeholder') or ''} | {label}")
        if m:
            reasons.append(f"search word in placeholder/label ({m.text})")
        m = keywords("search").anywhere(attrs=[a.get("name"), a.get("id"), a.get("class")])
        if m:
            reasons.append(f"search word in attributes ({m.text})")
        if not reasons or inp.mem_id in seen:
            continue
        seen.add(inp.mem_id)
        holder = inp.parent if inp.parent is not None else inp
        out.append(FormInfo("search", page_url, "", "", read_fields(holder, tree),
                            css_selector(inp), holder.html or "", reasons, formless=True,
                            in_header=_in_header(inp)))
    return out


def search_toggles(tree, page_url: str) -> list[tuple[str, str, str]]:
    """Buttons/links that open a search box (a magnifier in the header): (selector, html,
    why). A link to a search page is included (its href says search)."""
    from urllib.parse import urljoin, urlsplit

    out = []
    host = urlsplit(page_url).hostname
    for n in tree.css("button, a, [role=button], span.search, i.search, div.search-icon"):
        if _inside_form(n):
            continue
        a = n.attributes or {}
        if n.tag == "a":
            # a link is a toggle when it goes nowhere (#, javascript:) or to this site's
            # search page; "Поиск работы" -> hh.uz is not a search box
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:")):
                target = urljoin(page_url, href)
                if urlsplit(target).hostname != host or not keywords("search").in_attr(
                        urlsplit(target).path):
                    continue
        words = " | ".join(x for x in (n.text(deep=True, separator=" ", strip=True),
                                        a.get("aria-label"), a.get("title")) if x)
        attrs = [a.get("class"), a.get("id"), a.get("data-toggle"), a.get("data-target"),
                 a.get("aria-controls"), a.get("data-bs-target"), a.get("href")]
        if n.tag in ("button", "a") or a.get("role") == "button":
            # an icon-only button: <button><svg class="icon-search"> / <i class="fa-search">
            for inner in n.css("i, svg, img, span, use")[:5]:
                ia = inner.attributes or {}
                attrs += [ia.get("class"), ia.get("id"), ia.get("href"),
                          ia.get("xlink:href")]
                words += " | " + (ia.get("alt") or "") + " | " + (ia.get("aria-label") or "")
        m = keywords("search").search(words) or keywords("search").anywhere(attrs=attrs)
        if m:
            out.append((css_selector(n), n.html or "", f"search toggle ({m.text})"))
    return out[:5]


# --- the search form to exercise (used by the search-query gatherer and the search probe) ---

def search_boxes(tree, url: str) -> list[FormInfo]:
    """Search boxes of one parsed page: forms classified ``search`` and formless search
    inputs, header ones first."""
    boxes = [f for f in page_forms(tree, url) if f.kind == "search"]
    boxes.sort(key=lambda f: (not f.in_header, f.formless, f.method != "get"))
    return boxes


def pick_query_form(site, method: str = "get") -> FormInfo | None:
    """The search form to exercise: on the home page first, then a header box of any other
    captured page; only real ``<form>``s with a query field and the given method."""
    for i, page in enumerate(site.html_pages(linked=True)):
        for box in search_boxes(page.tree, page.url):
            if box.formless or box.method != method or box.query_field() is None:
                continue
            if i == 0 or box.in_header:
                return box
    return None


def query_word(site) -> str:
    """One common word in the home page's language form (data: [search_query_word])."""
    home = site.home
    text, lang_attr, url = "", "", site.start_url
    if home is not None and home.response.is_html:
        html = home.tree.css_first("html")
        lang_attr = (html.attributes.get("lang") or "") if html is not None else ""
        body = home.tree.body
        text = body.text(deep=True, separator=" ") if body is not None else ""
        url = home.url
    lang = guess_lang(text, lang_attr, url) or "oz"
    return keywords("search_query_word").words(lang)[0]


def query_request(form: FormInfo, word: str) -> tuple[str, dict[str, str]]:
    """(url, data) to send ``word`` through ``form``: a GET URL with the form's fields (the
    action's own query string is replaced, as browsers do), or the POST target and body."""
    q = form.query_field()
    params: list[tuple[str, str]] = []
    for f in form.fields:
        if not f.name:
            continue
        if q is not None and f is q:
            params.append((f.name, word))
        elif f.type == "hidden":
            params.append((f.name, f.value))
        elif f.tag == "select" or f.type in ("checkbox", "radio", "submit", "button", "image",
                                             "reset", "date", "file", "password"):
            continue
        elif f.is_text and f.tag == "input":
            params.append((f.name, ""))
    if q is not None and not q.name:
        params.append(("q", word))
    if form.method == "post":
        return form.action, dict(params)
    parts = urlsplit(form.action)
    return urlunsplit(parts._replace(query=urlencode(params), fragment="")), {}
