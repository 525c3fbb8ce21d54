"""Forms on a page, classified by their fields and words: search / login / subscription /
appeal (feedback) / comment / other.

Which fields a form has follows the HTML form-owner rule, not DOM descendancy: the fields
between its tags in the source (old table layouts open ``<form>`` between table rows, and the
parser then leaves the inputs outside the form element in the tree) and the fields that name
it with ``form="its id"``. A field is recognised by its name or id *and* by its label,
placeholder, aria-label or title (``field_role``: name, e-mail, phone, message). Fields in
``<noscript>`` (a CAPTCHA's fallback textarea) are not fields; a read-only or disabled textarea
(terms of use) is not free text.

The rules, in order (the first that holds wins):

1. ``login`` - the form has a password field.
2. ``search`` - no free-text area, and a search sign: ``role=search`` on the form or an
   ancestor, an ``input[type=search]``, a search word (Qidirish/Қидириш/Поиск/Search...) in
   the form's action/id/class/name, in a text field's name/placeholder/aria-label/label or in
   the submit button (a checkbox or option label is not a sign: "find in titles only"); or a
   GET form whose single text field is named like a query (``q``, ``s``, ``query``...). At most
   three visible text fields, unless the form itself says search (its role, attributes or
   button: an advanced search form has many fields). A form that wraps the whole page
   (ASP.NET WebForms: one ``<form>`` around header, content and footer) is judged by the
   fields around its search input instead (``search_group``), so "subscribe" in the footer
   does not veto the header's search box.
3. ``subscription`` - no free-text area, an e-mail field, and subscription words
   (obuna/обуна/подписка/subscribe/newsletter); a lone e-mail box is a subscription too.
4. ``other`` (data entry) - a free-text area in a job application (a CV upload, vacancy
   words), a listing, a registration or an order form (``[data_entry]``), without appeal words.
5. ``comment`` - the comment-form structure: a comment endpoint or id in the form's
   attributes (``wp-comments-post``, ``commentform``), the hidden post/parent ids of comment
   systems (``comment_post_ID``, ``parent_id``), a website field, a rating widget; or a
   comment word with the form placed under an article or in a comments container and no
   appeal word in its attributes.
6. ``appeal`` - a free-text area (``textarea``, or a one-line field named or labelled as the
   message) and appeal words (murojaat/мурожаат/обращение/appeal/feedback/fikr/taklif/
   отзыв...) or contact fields (name, e-mail or phone, by name or label).
7. ``comment`` - a free-text area with comment words (izoh/комментарий/comment) and nothing
   of rule 6.
8. ``other``.

Forms are read, never submitted. Search inputs that live outside any ``<form>`` (built for
JavaScript) are reported as formless search boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from .selectors import ancestors as _ancestors, css_selector
from .words import data_table, fold, guess_lang, keywords

import re

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
    readonly: bool = False  # readonly or disabled: the visitor cannot type into it

    @property
    def is_text(self) -> bool:
        return self.tag == "input" and self.type in TEXT_TYPES

    @property
    def is_free_text(self) -> bool:
        """A field for the message itself: a textarea the visitor can type into, or a
        one-line text field named or labelled as the message ("Murojaat matni", "Comments";
        not a bare "text": the query field of many search forms is called text)."""
        if self.readonly:
            return False
        if self.tag == "textarea":
            return True
        return self.is_text and self.type in ("", "text") and field_role(self) == "message"

    def words(self) -> str:
        return " ".join(x for x in (self.placeholder, self.label) if x)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", False)}


_ROLE_TABLES = (("email", "field_email"), ("phone", "field_phone"),
                ("message", "field_message"), ("name", "field_name"))


def field_role(f: Field) -> str:
    """What a field asks for: ``email`` / ``phone`` (by type, name, id, label, placeholder),
    ``message``, ``name``, or "" (words of ``[field_email]`` ``[field_phone]``
    ``[field_message]`` ``[field_name]``; the type decides first: ``type=email``, ``tel``)."""
    if f.type == "email":
        return "email"
    if f.type == "tel":
        return "phone"
    if f.tag not in ("input", "textarea") or f.type in _HIDDEN_TYPES | _BUTTON_TYPES | {
            "checkbox", "radio", "file", "password", "date", "number"}:
        return ""
    return _role_of(f.name, f.id, f.placeholder, f.label)


@lru_cache(maxsize=65536)
def _role_of(name: str, fid: str, placeholder: str, label: str) -> str:
    for role, table in _ROLE_TABLES:
        if keywords(table).anywhere(placeholder, label, attrs=[name, fid]):
            return role
    return ""


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


_NOT_FIELDS = ("g-recaptcha-response", "h-captcha-response", "cf-turnstile-response")


def _in_noscript(node, stop=None) -> bool:
    p = node.parent
    for _ in range(8):
        if p is None or p is stop or p.tag in ("body", "html", "form"):
            return False
        if p.tag == "noscript":
            return True
        p = p.parent
    return False


def _field(f, root) -> Field | None:
    a = f.attributes or {}
    typ = (a.get("type") or ("submit" if f.tag == "button" else "")).strip().lower()
    if f.tag in ("textarea", "select"):
        typ = f.tag
    name = a.get("name") or ""
    if name.lower() in _NOT_FIELDS or _in_noscript(f):
        return None  # a CAPTCHA's answer box, a <noscript> fallback: not a field of the form
    value = ""
    if typ in _HIDDEN_TYPES or typ in _BUTTON_TYPES:
        value = a.get("value") or (f.text(deep=True, strip=True) if f.tag == "button"
                                   else "") or ""
    return Field(f.tag, typ, name, a.get("id") or "", a.get("placeholder") or "",
                 _label_for(root, f), value[:200], "required" in a,
                 "readonly" in a or "disabled" in a)


def read_fields(node, root=None) -> list[Field]:
    """The fields under ``node`` (inputs, textareas, selects, buttons), CAPTCHA answer boxes
    and ``<noscript>`` fallbacks left out."""
    out = []
    for f in node.css("input, textarea, select, button"):
        fld = _field(f, root)
        if fld is not None:
            out.append(fld)
    return out


_FORM_TAG = re.compile(r"<form\b", re.I)
_FORM_END = re.compile(r"</form\s*>", re.I)
_FORM_SOURCE_MAX = 300_000


def source_fields(index: int, node, html: str):
    """The form-owner rule for a ``<form>`` the parser left empty (opened between table
    rows): the fields written between its start tag and its ``</form>`` in the source.
    ``index`` is the form's position among the page's forms, matched against the
    ``index``-th ``<form`` tag of ``html`` (checked by its action/id). Returns (fields, the
    source of the form) or ([], "")."""
    if not html:
        return [], ""
    starts = [m.start() for m in _FORM_TAG.finditer(html, 0, len(html))][:index + 2]
    if index >= len(starts):
        return [], ""
    start = starts[index]
    head = html[start:start + 2000]
    a = node.attributes or {}
    for key in ("id", "action", "name"):
        v = a.get(key)
        if v and v not in head:
            return [], ""
    m = _FORM_END.search(html, start, start + _FORM_SOURCE_MAX)
    src = html[start:m.end() if m else start + _FORM_SOURCE_MAX]
    from selectolax.lexbor import LexborHTMLParser

    frag = LexborHTMLParser(src)
    form = frag.css_first("form")
    if form is None:
        return [], ""
    return read_fields(frag.body or form, frag), src


def owned_fields(node, root, index: int = -1, html: str = "") -> tuple[list[Field], str]:
    """The fields whose form owner is ``node`` (see the module docstring): its descendants,
    the fields between its tags in the source when the tree left it empty, and the fields
    elsewhere with ``form="<its id>"``. Returns (fields, the source when it came from the
    source, else "")."""
    fields = read_fields(node, root)
    src = ""
    if not any(f.type not in _HIDDEN_TYPES for f in fields) and index >= 0:
        extra, src = source_fields(index, node, html)
        if extra:
            fields = [f for f in fields if f.type in _HIDDEN_TYPES and f.name not in
                      {e.name for e in extra}] + extra
        else:
            src = ""
    fid = (node.attributes or {}).get("id")
    if fid and root is not None and '"' not in fid:
        try:
            outside = root.css(f'input[form="{fid}"], textarea[form="{fid}"], '
                               f'select[form="{fid}"], button[form="{fid}"]')
        except Exception:  # noqa: BLE001 - odd ids break the selector engine
            outside = []
        for f in outside:
            fld = _field(f, root)
            if fld is not None:
                fields.append(fld)
    return fields, src


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


_WHOLE_PAGE_TAGS = "header, nav, main, footer, article, aside, h1, h2"


def wraps_page(node, texts: list[Field]) -> bool:
    """The form wraps the whole page (ASP.NET WebForms and the like): a ``__VIEWSTATE``
    field, or page landmarks (header, nav, main, footer, headings) inside it beside more
    than three text fields."""
    if node.css_first('input[name="__VIEWSTATE"]') is not None:
        return True
    return len(texts) > 3 and node.css_first(_WHOLE_PAGE_TAGS) is not None


def _search_input_sign(f: Field) -> str:
    if f.type == "search":
        return "input[type=search]"
    m = keywords("search").search(f.words()) or keywords("search").anywhere(
        attrs=[f.name, f.id])
    return f"search word in a field ({m.text})" if m else ""


def search_group(form_node, page_url: str, root, method: str, action: str) -> "FormInfo | None":
    """In a form that wraps the page, the search box: a text input with a search sign and
    the fields around it (its nearest container holding at most three text fields), judged
    on their own words. The whole form's hidden fields go with it (a WebForms postback
    needs them)."""
    for inp in form_node.css("input"):
        fld = _field(inp, root)
        if fld is None or not fld.is_text or fld.type == "email":
            continue
        sign = _search_input_sign(fld)
        group = inp.parent
        if not sign:
            # a button next to the input that says search ("Qidirish", an icon) is a sign too
            for _ in range(3):
                if group is None or group is form_node:
                    break
                btns = [_field(b, root) for b in group.css("button, input[type=submit], "
                                                           "input[type=image]")]
                words = " | ".join(b.value or b.label for b in btns if b is not None)
                m = keywords("search").search(words)
                if m:
                    sign = f"search word in the button beside it ({m.text})"
                    break
                group = group.parent
            if not sign:
                continue
        # the nearest container with at most three text fields
        holder = inp.parent
        while holder is not None and holder.parent is not None and \
                holder.parent is not form_node and holder.parent.tag not in ("body", "html"):
            n = sum(1 for x in holder.parent.css("input, textarea")
                    if (x.attributes or {}).get("type", "text") in TEXT_TYPES |
                    {None} or x.tag == "textarea")
            if n > 3:
                break
            holder = holder.parent
        fields = read_fields(holder, root)
        words = fold(holder.text(deep=True, separator=" ") or "")
        if keywords("subscription").search(words, folded=True) or \
                keywords("login").search(words, folded=True) or \
                any(f.type == "password" or f.tag == "textarea" for f in fields):
            continue
        hidden = [f for f in read_fields(form_node, root) if f.type in _HIDDEN_TYPES]
        info = FormInfo("search", page_url, action, method, fields + hidden,
                        css_selector(holder), holder.html or "",
                        [sign, "inside a form that wraps the page"],
                        in_header=_in_header(holder))
        return info
    return None


def _comment_structure(node, a: dict, fields: list[Field]) -> str:
    """Why the form is built as a comment form ("" when it is not): a comment endpoint or
    id in its attributes, the hidden post/parent ids of a comment system, a website field,
    a rating widget ([comment_structure])."""
    t = data_table("comment_structure")
    m = keywords("comment_structure").anywhere(attrs=[a.get("action"), a.get("id"),
                                                      a.get("class"), a.get("name")])
    if m:
        return f"comment endpoint ({m.text})"
    for f in fields:
        n = fold(f.name)
        if f.type == "hidden" and n in t.get("hidden", []):
            return f"comment system id ({f.name})"
        if n in t.get("fields", []):
            return f"comment system field ({f.name})"
        if f.type in ("hidden", "submit", "button", "reset", "image"):
            continue
        words = fold(f"{f.name} {f.id} {f.label} {f.placeholder}")
        if f.type == "url" or (f.is_text and any(re.search(rf"(?<![\w'-]){re.escape(w.rstrip('$'))}(?![\w'-])", words)
                                                 for w in t.get("website", []))):
            return f"website field ({f.name or f.type})"
        if f.type in ("radio", "range", "number", "hidden", "select") or f.tag == "select":
            if any(w.rstrip("$") in n for w in t.get("rating", [])):
                return f"rating widget ({f.name})"
    return ""


def _under_article(node) -> str:
    """The form sits under an article or in a comments container."""
    t = data_table("comment_structure")
    for anc in _ancestors(node, 8):
        if anc.tag == "article":
            return "under an article"
        al = anc.attributes or {}
        cls = fold(f"{al.get('class') or ''} {al.get('id') or ''}")
        if any(w in cls for w in t.get("container", [])):
            return f"in a comments container ({cls.strip()[:40]})"
    return ""


def classify(node, page_url: str, root=None, index: int = -1, html: str = "") -> FormInfo:
    """Classify one ``<form>`` element (see the module docstring for the rules). ``index``
    (its position among the page's forms) and ``html`` (the page's source) let the
    form-owner rule read the fields between its tags when the tree left it empty."""
    a = node.attributes or {}
    fields, src = owned_fields(node, root, index, html)
    action = urljoin(page_url, (a.get("action") or "").strip()) if a.get("action") else page_url
    method = (a.get("method") or "get").strip().lower()
    info = FormInfo("other", page_url, action, method, fields, css_selector(node),
                    src or node.html or "", in_header=_in_header(node))
    visible = info.visible_fields
    texts = [f for f in visible if f.is_text]
    free = [f for f in visible if f.is_free_text]
    form_attrs = [a.get("action"), a.get("id"), a.get("class"), a.get("name")]
    field_attrs = [x for f in fields for x in (f.name, f.id)]
    field_words = " | ".join(f.words() for f in visible)
    # search evidence comes from text fields only: "find in titles only" on a checkbox is
    # an option of a form, not a sign that the form searches
    text_words = " | ".join(f.words() for f in texts)
    buttons = " | ".join(f.value or f.label for f in fields
                         if f.tag == "button" or f.type in _BUTTON_TYPES)
    body_text = node.text(deep=True, separator=" ") or ""
    if src:
        body_text += " " + " ".join(f.label for f in fields)
    all_words = fold(" | ".join([body_text, field_words, buttons, a.get("aria-label") or "",
                                 a.get("title") or ""]))

    if any(f.type == "password" for f in fields):
        info.kind, info.reasons = "login", ["has a password field"]
        return info

    if wraps_page(node, texts):
        box = search_group(node, page_url, root, method, action)
        if box is not None:
            return box
        info.reasons = ["a form that wraps the page, with no search box in it"]
        return info

    if not free:
        own = []  # signs the form itself gives (not its fields' words)
        if _has_role_search(node):
            own.append("role=search")
        if any(f.type == "search" for f in fields):
            own.append("input[type=search]")
        m = keywords("search").anywhere(attrs=form_attrs)
        if m:
            own.append(f"search word in form attributes ({m.text})")
        m = keywords("search").search(buttons)
        if m:
            own.append(f"search word in the submit button ({m.text})")
        reasons = list(own)
        if len(texts) <= 3 or own:
            m = keywords("search").search(text_words)
            if m:
                reasons.append(f"search word in a field ({m.text})")
            m = keywords("search").anywhere(attrs=[f.name for f in texts] +
                                            [f.id for f in texts])
            if m:
                reasons.append(f"search word in a field name ({m.text})")
        q = info.query_field()
        if not reasons and q is not None and len(texts) == 1 and method == "get" and \
                keywords("search_param").in_attr(q.name) and \
                not keywords("subscription").search(all_words) and \
                not keywords("login").search(all_words):
            reasons.append(f"single GET text field named like a query ({q.name})")
        if reasons and (len(texts) <= 3 or own) and not (keywords("subscription").anywhere(
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
        strong_appeal = appeal if appeal and appeal.word not in (
            "message", "сообщени", "question", "вопрос", "savol", "talab") else None
        entry = _data_entry(fields, all_words, form_attrs + field_attrs)
        if entry and not strong_appeal:
            info.reasons = [f"a data-entry form ({entry}), not an appeal"]
            return info
        structure = _comment_structure(node, a, fields)
        if structure:
            info.kind, info.reasons = "comment", [f"comment form: {structure}"]
            return info
        comment = keywords("comment").anywhere(all_words, attrs=form_attrs + field_attrs)
        placed = _under_article(node) if comment else ""
        if comment and placed and not keywords("appeal").anywhere(attrs=form_attrs) and \
                not keywords("contacts").anywhere(attrs=form_attrs):
            info.kind, info.reasons = "comment", [f"comment box ({comment.text}), {placed}"]
            return info
        if appeal:
            info.kind, info.reasons = "appeal", [
                f"free-text field ({free[0].name or free[0].tag})",
                f"appeal word ({appeal.text})"]
            return info
        contact = [f for f in visible if field_role(f) in ("name", "email", "phone")]
        if contact:
            info.kind, info.reasons = "appeal", [
                f"free-text field ({free[0].name or free[0].tag})",
                "contact fields (" + ", ".join(f.name or f.label or f.type
                                               for f in contact[:3]) + ")"]
            return info
        if comment:
            info.kind, info.reasons = "comment", [f"comment box ({comment.text})"]
            return info
    info.reasons = ["no rule matched"]
    return info


def _data_entry(fields: list[Field], words: str, attrs: list) -> str:
    """Why a form with a text area is a data-entry form (a job application with a CV
    upload, a listing, a registration, an order): "" when it is not."""
    for f in fields:
        if f.type == "file":
            m = keywords("data_entry").anywhere(f.label, f.placeholder, attrs=[f.name, f.id])
            if m:
                return f"file upload for {m.text}"
    m = keywords("data_entry").search(words, folded=True) or \
        keywords("data_entry").anywhere(attrs=attrs)
    return m.text if m else ""


def page_forms(tree, page_url: str, limit: int | None = None, html: str = "") -> list[FormInfo]:
    """Every ``<form>`` of a parsed page, classified (at most ``limit``), plus formless
    search boxes. ``html`` is the page's source, for forms the tree left empty."""
    nodes = tree.css("form")
    if limit is not None:
        nodes = nodes[:limit]
    out = [classify(f, page_url, tree, i, html) for i, f in enumerate(nodes)]
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


def search_toggles(tree, page_url: str) -> list[tuple[str, str, str, str]]:
    """Buttons/links that open a search box (a magnifier in the header): (selector, html,
    why, target). A link to this site's search page (its path says search) is included with
    its absolute URL as ``target`` ("" for a toggle that opens a box in place): the search
    probe looks for a box on that page (fetched one click away) and otherwise reports the
    link as weaker evidence."""
    from urllib.parse import urljoin, urlsplit

    out = []
    host = urlsplit(page_url).hostname
    kw = keywords("search")
    # the resolved path's words come from the href or from this page's own path: a link
    # whose href and base path say nothing of search cannot go to a search page (the cheap
    # test first, on pages with thousands of links)
    base_says = kw.in_attr(urlsplit(page_url).path) is not None
    for n in tree.css("button, a, [role=button], span.search, i.search, div.search-icon"):
        a = n.attributes or {}
        target = ""
        if n.tag == "a":
            # a link is a toggle when it goes nowhere (#, javascript:) or to this site's
            # search page; "Поиск работы" -> hh.uz is not a search box
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:")):
                if not base_says and kw.in_attr(href) is None:
                    continue
                target = urljoin(page_url, href).split("#")[0]
                if urlsplit(target).hostname != host or not kw.in_attr(
                        urlsplit(target).path):
                    continue
        if _inside_form(n):
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
            out.append((css_selector(n), n.html or "",
                        f"link to a search page ({m.text})" if target else
                        f"search toggle ({m.text})", target))
    return out[:5]


# --- the search form to exercise (used by the search-query gatherer and the search probe) ---

def search_boxes(tree, url: str, html: str = "") -> list[FormInfo]:
    """Search boxes of one parsed page: forms classified ``search`` and formless search
    inputs, header ones first (``html``: the page's source, for the form-owner rule)."""
    return sort_boxes([f for f in page_forms(tree, url, html=html) if f.kind == "search"])


def sort_boxes(boxes: list[FormInfo]) -> list[FormInfo]:
    """Search boxes, header ones first, then real forms, then GET."""
    return sorted(boxes, key=lambda f: (not f.in_header, f.formless, f.method != "get"))


def pick_query_form(site, method: str = "get") -> FormInfo | None:
    """The search form to exercise: on the home page first, then a header box of any other
    captured page; only real ``<form>``s with a query field and the given method."""
    for i, page in enumerate(site.html_pages(linked=True)):
        for box in search_boxes(page.tree, page.url, getattr(page, "parsed_text", "")):
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


_SPA_MOUNTS = ("#app", "#root", "#__next", "#__nuxt", "[data-reactroot]", "[ng-app]",
               "[ng-version]", "[data-v-app]", "#q-app", "app-root")


def script_built(tree, forms: list[FormInfo], visible_chars: int) -> str:
    """Why a page's forms may be built by script after load ("" when nothing says so): a
    ``<form>`` with no field but hidden ones, not even a button (filled in by script), or an application mount point
    (``#app``, ``#root``, ``#__next``, ``[ng-app]``...) on a page with little visible text
    (``visible_chars`` < 400). Used to answer "could not tell" instead of "no form" when
    no page was rendered."""
    for f in forms:
        if not f.formless and not any(x.type not in _HIDDEN_TYPES for x in f.fields):
            return f"an empty form ({f.selector})"
    if visible_chars < 400:
        for sel in _SPA_MOUNTS:
            try:
                if tree.css_first(sel) is not None:
                    return f"an application mount point ({sel}) and little text"
            except Exception:  # noqa: BLE001 - a selector lexbor does not support
                continue
    return ""
