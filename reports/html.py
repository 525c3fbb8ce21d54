"""The auditor's report of a run: static files in three languages, no network at view time.

``build_report(store, run_id, out_dir, pdf_browser=None)`` writes, for each language
(Uzbek Latin at the root, ``ru/``, ``en/``; a switch on every page):

* ``index.html`` - the overview: run metadata (tool versions, settings, start/end, targets
  scanned and failed), changes since the previous run, national totals per indicator
  (counts, share met, a trend drawn as inline SVG), totals per region and level, the
  platform defects, and the targets x indicators matrix (status symbols and colours, each
  cell a link to its finding; grouped by region without script, sorted and filtered with
  ``assets/report.js``);
* ``targets/<id>.html`` - every finding of the target with its evidence, the auditor's
  verdict beside it, whether it is the target's or the platform's to fix, how to fix, the
  axe rules with their help and fix text, pictures;
* ``fix/<id>.html`` - the printable fix list for the site's owner (and ``fix/<id>.pdf``,
  Uzbek and Russian, when the caller hands in a browser: ``reports.pdf``);
* ``howto.html`` - how to read this report;

and once: ``findings.csv`` (UTF-8 with BOM), ``findings.json``, ``summary.json``,
``assets/`` and ``screenshots/``. Scores are the stored ones (``store.scores``, computed by
``govscan.scores``); changes follow ``govscan.changes``.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from crawler.causes import Cause
from govscan import changes as change_rules
from govscan import scores as score_rules
from probes import catalogue
from probes.base import is_block

from . import platform
from .i18n import DEFAULT, LANG_NAMES, LANGS, Catalogue
from .pictures import outline_picture, picture_name

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = ("style.css", "report.js")
STATUSES = ("pass", "warn", "fail", "error", "manual", "not_applicable")
SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "manual": "M",
           "not_applicable": "–", "": "·"}
MET = score_rules.MET
TABLE_ROWS = 50  # rows of a details table shown in the report (the JSON has them all)
AXE_NODES = 10  # nodes of one axe rule shown (the probe keeps at most its own cap)
TREND_RUNS = 10
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
# "missing" findings: the picture of the page that was checked is shown with them
MISSING_PICTURE = ("search", "sitemap", "contact-us", "contact-form", "chatbot",
                   "last-updated", "advanced-search")


def lang_prefix(lang: str) -> str:
    return "" if lang == DEFAULT else f"{lang}/"


def safe_url(url) -> str:
    """Only http(s) links: anything else (``javascript:``, ``data:``) is not linked."""
    u = str(url or "").strip()
    return u if u.lower().startswith(("http://", "https://")) else ""


def _pct(x):
    return "–" if x is None else f"{x * 100:.0f} %"


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _cell(v) -> str:
    """One value of a details table or list, as text: lists joined with "; ", a dict of
    plain values as "key: value" pairs, anything else compact JSON."""
    if v is None:
        return ""
    if _scalar(v):
        return str(v)
    if isinstance(v, list) and all(_scalar(x) for x in v):
        return "; ".join(_cell(x) for x in v)
    if isinstance(v, dict) and all(_scalar(x) for x in v.values()):
        return "; ".join(f"{k}: {_cell(x)}" for k, x in v.items())
    return json.dumps(v, ensure_ascii=False, default=str)


def _typed_block(key: str, block: dict) -> dict:
    """A typed details block (``probes.base.table/bullets/counts``) for the template."""
    kind, items = block["type"], block["items"]
    out = {"kind": kind, "key": key, "title": block.get("title") or ""}
    if kind == "table":
        rows = list(items)
        cols = list(block.get("headings") or [])
        out.update(cols=cols, rows=[[_cell(r.get(c)) for c in cols] for r in rows[:TABLE_ROWS]],
                   more=len(rows) - TABLE_ROWS)
    elif kind == "list":
        values = list(items)
        out.update(value=[_cell(v) for v in values[:TABLE_ROWS]], more=len(values) - TABLE_ROWS)
    else:  # counts
        out.update(value={str(k): _cell(n) for k, n in dict(items).items()})
    return out


def details_blocks(details: dict, _prefix: str = "") -> list[dict]:
    """Present a finding's ``details`` for people, by declared shape, never by guessing: a
    typed block (``probes.base.table``, ``bullets``, ``counts``) is rendered as its type
    (a table is capped at ``TABLE_ROWS`` rows, with how many more); the plain values form one
    key/value table; a nested dict of facts is presented by the same rules, its keys prefixed
    (``xml.documents``); ``traceback`` is hidden; anything else stays JSON."""
    scalars, blocks = {}, []
    for key, value in (details or {}).items():
        if key == "traceback":
            continue
        name = _prefix + str(key)
        if _scalar(value):
            scalars[key] = value
        elif is_block(value):
            blocks.append(_typed_block(name, value))
        elif isinstance(value, dict) and value:
            blocks.extend(details_blocks(value, name + "."))
        else:
            blocks.append({"kind": "json", "key": name, "value": value})
    if scalars:
        blocks.insert(0, {"kind": "pairs", "key": _prefix.rstrip("."), "value": scalars})
    return blocks


def evidence_line(f: dict) -> str:
    """A finding's evidence in one line (for the CSV): the first item, and how many more."""
    ev = f.get("evidence") or []
    if not ev:
        return ""
    e = ev[0]
    what = e.get("message") or e.get("selector") or (e.get("snippet") or "")[:120]
    line = " ".join(str(x) for x in (e.get("kind"), e.get("url"), what) if x)
    line = " ".join(line.split())
    return line + (f" (+{len(ev) - 1})" if len(ev) > 1 else "")


def axe_rules(f: dict) -> list[dict]:
    """The violated axe rules of a wcag finding, for people: rule, impact, criteria, help,
    help link (http(s) only), the nodes with their fix text (capped)."""
    out = []
    for e in f.get("evidence") or []:
        d = e.get("data") or {}
        if not d.get("rule"):
            continue
        nodes = list(d.get("nodes") or [])
        out.append({"rule": d["rule"], "impact": d.get("impact") or "", "url": e.get("url"),
                    "criteria": ", ".join(d.get("criteria") or []),
                    "help": e.get("message") or "", "help_url": safe_url(d.get("help_url")),
                    "nodes": nodes[:AXE_NODES],
                    "more": max(0, len(nodes) - AXE_NODES) + int(d.get("more_nodes") or 0)})
    return out


def trend_svg(counts: list[int], total: int, label: str) -> str:
    """A small inline SVG line of pass counts over runs (oldest first); ``label`` is its
    accessible name. Only numbers go into the markup."""
    w, h, pad = 120, 28, 3
    if not counts:
        return ""
    top = max(total, max(counts), 1)
    step = (w - 2 * pad) / max(1, len(counts) - 1)
    pts = [(pad + i * step, h - pad - (c / top) * (h - 2 * pad)) for i, c in enumerate(counts)]
    if len(pts) == 1:
        pts.append((w - pad, pts[0][1]))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    lx, ly = pts[-1]
    from markupsafe import escape

    return (f'<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<polyline points="{line}" fill="none" stroke="#0b4f8a" stroke-width="2"/>'
            f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.5" fill="#0b4f8a"/></svg>')


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.filters["details_blocks"] = details_blocks
    env.filters["safe_url"] = safe_url
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2,
                                                        default=str)
    env.globals.update(SYMBOLS=SYMBOLS, STATUSES=STATUSES, CSP=CSP, LANGS=LANGS,
                       LANG_NAMES=LANG_NAMES, lang_prefix=lang_prefix)
    return env


# --- screenshots ---------------------------------------------------------------------

def _find(rel: str, capture_dirs: list[Path]) -> Path | None:
    """The file of a capture's screenshot ``rel`` (relative to the captures directory; older
    runs kept theirs under ``captures/run-<N>/``)."""
    if not rel:
        return None
    for base in capture_dirs:
        src = Path(rel) if Path(rel).is_absolute() else base / rel
        if src.is_file():
            return src
    return None


def _copy_shot(rel: str, target_id: str, out: Path, capture_dirs: list[Path]) -> str:
    """Copy a screenshot into the report; its path from the report's root ("" if gone)."""
    src = _find(rel, capture_dirs)
    if src is None:
        return ""
    dest = out / "screenshots" / target_id / src.name
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return f"screenshots/{target_id}/{dest.name}"


def _evidence_picture(data: dict, target_id: str, out: Path, capture_dirs: list[Path]) -> str:
    """The outlined picture of an evidence item that carries a screenshot and a box, cut
    into the report (``reports.pictures``); its path from the report's root, or ""."""
    rel, box = data.get("screenshot") or "", data.get("box")
    src = _find(rel, capture_dirs)
    if src is None or not box:
        return ""
    name = picture_name(rel, box)
    dest = out / "screenshots" / target_id / name
    if dest.is_file() or outline_picture(src, box, dest):
        return f"screenshots/{target_id}/{name}"
    return ""


# --- gathering the run ---------------------------------------------------------------

def _capture_dirs(store, run: dict) -> list[Path]:
    # screenshots live under the captures directory (captures/shots/, by content), by
    # default beside the database; runs before that kept them in captures/run-<N>/, and a
    # rejudged run points at the captures of the run it judged again
    src_run = run["options"].get("rejudge_of") or run["id"]
    bases = [store.captures_dir]
    if run["options"].get("capture_dir"):
        bases.insert(0, Path(run["options"]["capture_dir"]))
    return [d for b in bases for d in (b, b / f"run-{src_run}")]


def _trends(store, run_id: int, indicators) -> dict:
    runs = store.recent_runs(run_id, TREND_RUNS)
    ids = [r["id"] for r in runs]
    passed: dict[tuple[int, str], int] = Counter()
    judged: dict[tuple[int, str], int] = Counter()
    for row in store.status_counts(ids):
        if row["status"] in MET:
            passed[(row["run_id"], row["indicator"])] += row["n"]
        if row["status"] != "not_applicable":
            judged[(row["run_id"], row["indicator"])] += row["n"]
    return {"runs": runs, "by_indicator": {
        i.id: {"counts": [passed[(r, i.id)] for r in ids],
               "total": max([judged[(r, i.id)] for r in ids] or [0])} for i in indicators}}


def collect(store, run_id: int, out: Path) -> dict:
    """Everything the pages show, language-free."""
    run = store.run(run_id)
    findings = store.findings(run_id)
    caps = {c["target_id"]: c for c in store.captures(run_id)}
    all_targets = store.targets()
    capture_dirs = _capture_dirs(store, run)
    by_target: dict[str, dict[str, dict]] = defaultdict(dict)
    for f in findings:
        by_target[f["target_id"]][f["indicator"]] = f
    targets = {tid: all_targets.get(tid) or {"id": tid} for tid in by_target}
    indicators = [i for i in catalogue.INDICATORS if any(i.id in fs for fs in by_target.values())]

    verdicts: dict[tuple[str, str], dict] = {}
    for v in store.verdicts():
        if v["target_id"] in targets:
            verdicts[(v["target_id"], v["indicator"])] = v
    scores: dict[str, dict[str, dict]] = defaultdict(dict)
    score_objs = []
    for s in store.scores(run_id):
        scores[s["target_id"]][s["criterion"]] = s
        score_objs.append(score_rules.Score(**{k: s[k] for k in (
            "target_id", "criterion", "indicators", "met", "judged", "by_verdict", "strict",
            "adjusted", "band", "band_adjusted")}))
    national = score_rules.national(score_objs)

    defects, marks = platform.platform_defects(findings, targets)
    for n, d in enumerate(defects, 1):
        d.anchor = f"platform-{n}"
    defect_of: dict[tuple[str, str], object] = {}
    for d in defects:
        for tid in d.sections:
            defect_of.setdefault((tid, d.indicator), d)

    prev_id = store.previous_run(run_id)
    changes = change_rules.compare(store.findings(prev_id), findings) if prev_id else []
    shown_changes = [c for c in changes if c.kind in ("newly_failing", "newly_passing",
                                                      "still_failing")]

    for tid, fs in by_target.items():
        for f in fs.values():
            f["verdict"] = verdicts.get((tid, f["indicator"]))
            f["effective"] = score_rules.effective_status(
                f["status"], f["verdict"]["status"] if f["verdict"] else None)
            f["platform"] = marks.get((tid, f["indicator"]), "")
            f["defect"] = defect_of.get((tid, f["indicator"]))
            f["axe"] = axe_rules(f) if f["indicator"] == "wcag" else []
            f["url_safe"] = safe_url(f["url"])
            # language-free, so worked out once rather than in each language's pages
            f["blocks"] = details_blocks(f["details"])
            f["details_json"] = json.dumps(f["details"], ensure_ascii=False, indent=1,
                                           default=str)
            for e in f["evidence"]:
                e["url_safe"] = safe_url(e.get("url"))
                data = e.get("data") or {}
                e["img"] = ""
                if data.get("box"):
                    e["img"] = _evidence_picture(data, tid, out, capture_dirs)
                elif data.get("screenshot") or e.get("kind") == "screenshot":
                    e["img"] = _copy_shot(data.get("screenshot") or data.get("path") or "",
                                          tid, out, capture_dirs)

    rows = []
    for tid in sorted(by_target, key=lambda t: ((targets[t].get("region") or "~"),
                                                targets[t].get("level") or "", t)):
        t = targets[tid]
        crit = score_rules.criteria_for(t.get("level") or "")
        tech = scores[tid].get(crit[0]) or {}
        shots = []
        for s in store.screenshots(run_id, tid):
            if s["kind"] == "page":
                href = _copy_shot(s["path"], tid, out, capture_dirs)
                if href:
                    shots.append({"url": s["url"], "url_safe": safe_url(s["url"]),
                                  "path": href})
        fs = by_target[tid]
        rows.append({
            "target": t, "id": tid, "findings": fs,
            "ordered": [fs[i.id] for i in indicators if i.id in fs],
            "scores": [scores[tid][c] for c in crit if c in scores[tid]],
            "tech": tech, "capture": caps.get(tid), "shots": shots,
            "failed": all(f["status"] == "error" for f in fs.values()),
            "changes": [c for c in shown_changes if c.target_id == tid]})

    groups: dict[str, list[dict]] = {}  # the matrix without script: by region, "no region" last
    for r in rows:
        groups.setdefault(r["target"].get("region") or "", []).append(r)
    region_groups = [{"grouper": k, "list": v} for k, v in groups.items()]

    per_indicator = []
    trends = _trends(store, run_id, indicators)
    for ind in indicators:
        sts = Counter(by_target[t][ind.id]["effective"] for t in by_target
                      if ind.id in by_target[t])
        applicable = sum(n for s, n in sts.items() if s != "not_applicable")
        met = sum(sts[s] for s in MET)
        per_indicator.append({"ind": ind, "counts": sts, "n": sum(sts.values()),
                              "met": met, "share": met / applicable if applicable else None,
                              "trend": trends["by_indicator"][ind.id]})

    def totals(key: str) -> list[dict]:
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            groups[r["target"].get(key) or ""].append(r)
        out = []
        for name, rs in sorted(groups.items()):
            sts = Counter(f["effective"] for r in rs for f in r["findings"].values())
            shares = [r["tech"].get("strict") for r in rs if r["tech"].get("strict")
                      is not None]
            adj = [r["tech"].get("adjusted") for r in rs if r["tech"].get("adjusted")
                   is not None]
            out.append({"name": name, "targets": len(rs), "counts": sts,
                        "strict": sum(shares) / len(shares) if shares else None,
                        "adjusted": sum(adj) / len(adj) if adj else None})
        return out

    errors = Counter()
    for c in caps.values():
        for e in (c["errors"] or {}).values():
            errors[e["cause"]] += 1
    for f in findings:
        if f["status"] == "error" and f["details"].get("cause"):
            errors[f["details"]["cause"]] += 1

    opts = run["options"]
    meta = {"tools": dict(opts.get("tools") or {}), "govscan": run.get("govscan_version"),
            "user_agent": (opts.get("fetch") or {}).get("user_agent", ""),
            "per_host_delay": (opts.get("fetch") or {}).get("per_host_delay"),
            "per_host_concurrency": (opts.get("fetch") or {}).get("per_host_concurrency"),
            "max_pages": (opts.get("capture") or {}).get("max_pages"),
            "render_pages": (opts.get("capture") or {}).get("render_pages"),
            "render": opts.get("render"), "probes": opts.get("probes") or [],
            "scanned": len(caps), "failed": sum(r["failed"] for r in rows)}
    return {"run": run, "run_id": run_id, "findings": findings, "rows": rows,
            "region_groups": region_groups,
            "indicators": indicators, "per_indicator": per_indicator, "national": national,
            "regions": totals("region"), "levels": totals("level"), "defects": defects,
            "prev_id": prev_id, "changes": shown_changes,
            "change_counts": change_rules.counts(changes), "errors": errors.most_common(),
            "meta": meta, "targets": targets, "verdicts": verdicts,
            "totals": Counter(f["status"] for f in findings), "trends": trends}


# --- writing ---------------------------------------------------------------------------

PAGES = ("index", "howto")


def _page_ctx(lang: str, cat: Catalogue, rel: str) -> dict:
    """``rel``: the page's path inside a language (``index.html``, ``targets/x.html``)."""
    depth = rel.count("/") + (0 if lang == DEFAULT else 1)
    root = "../" * depth
    lroot = root + lang_prefix(lang)
    switch = [{"lang": lg, "name": LANG_NAMES[lg], "href": root + lang_prefix(lg) + rel,
               "current": lg == lang} for lg in LANGS]
    return {"lang": lang, "cat": cat, "t": cat.t, "root": root, "lroot": lroot,
            "switch": switch, "html_lang": cat.html_lang, "rel": rel}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def render_language(env: Environment, data: dict, out: Path, lang: str) -> Catalogue:
    cat = Catalogue(lang)
    base = out / lang_prefix(lang) if lang != DEFAULT else out
    common = {k: data[k] for k in ("run", "rows", "region_groups", "indicators", "per_indicator", "national",
                                   "regions", "levels", "defects", "prev_id", "changes",
                                   "change_counts", "errors", "meta", "totals", "targets")}
    common["criteria"] = score_rules.CRITERIA
    common["trend_svg"] = trend_svg
    common["MISSING_PICTURE"] = MISSING_PICTURE
    common["causes"] = [str(c) for c in Cause]
    for name in PAGES:
        _write(base / f"{name}.html", env.get_template(f"{name}.html").render(
            **common, **_page_ctx(lang, cat, f"{name}.html")))
    tpl, fix = env.get_template("target.html"), env.get_template("fix.html")
    for r in data["rows"]:
        for t, folder in ((tpl, "targets"), (fix, "fix")):
            rel = f"{folder}/{r['id']}.html"
            _write(base / rel, t.render(**common, row=r, **_page_ctx(lang, cat, rel)))
    return cat


def write_exports(data: dict, out: Path) -> None:
    run, rows = data["run"], data["rows"]
    cat = Catalogue("en")
    with open(out / "findings.csv", "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["run", "target", "target_name", "region", "level", "indicator",
                    "indicator_title", "status", "verdict", "platform", "url", "summary",
                    "evidence", "decree", "un_code", "probe_version", "found_at"])
        for r in rows:
            t = r["target"]
            for f in r["ordered"]:
                w.writerow([data["run_id"], r["id"], t.get("name_uz") or "",
                            t.get("region") or "", t.get("level") or "", f["indicator"],
                            cat.indicator(f["indicator"]), f["status"],
                            f["verdict"]["status"] if f["verdict"] else "", f["platform"],
                            f["url"], f["summary"], evidence_line(f), f["decree"],
                            f["un_code"], f["probe_version"], f["found_at"]])

    def plain(f):
        d = {k: v for k, v in f.items() if k not in ("defect", "axe", "url_safe", "blocks",
                                                      "details_json")}
        d["evidence"] = [{k: v for k, v in e.items() if k not in ("url_safe", "img")}
                         for e in f["evidence"]]
        return d

    with open(out / "findings.json", "w", encoding="utf-8") as fh:
        json.dump({"run": run, "targets": data["targets"],
                   "findings": [plain(f) for r in rows for f in r["ordered"]]}, fh,
                  ensure_ascii=False, separators=(",", ":"), default=str)
    summary = {
        "run": {k: run.get(k) for k in ("id", "started_at", "finished_at", "status",
                                        "govscan_version", "targets_total")},
        "meta": data["meta"], "findings": dict(data["totals"]),
        "indicators": {p["ind"].id: {"counts": dict(p["counts"]), "met": p["met"],
                                     "share_met": p["share"]} for p in data["per_indicator"]},
        "scores": [s for r in rows for s in r["scores"]], "national": data["national"],
        "previous_run": data["prev_id"], "changes": data["change_counts"],
        "platform_defects": [{"host": d.host, "indicator": d.indicator,
                              "sections": d.sections, "of": d.of} for d in data["defects"]],
    }
    with open(out / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=1, default=str)


def build_report(store, run_id: int, out_dir: Path, pdf_browser: str | None = None,
                 pdf_langs=("uz", "ru")) -> Path:
    """Write the report of ``run_id`` into ``out_dir``; returns the Uzbek ``index.html``.
    ``pdf_browser``: a Chromium executable for the per-target fix list PDFs (the caller in
    ``govscan/`` finds it; the report never starts the capture side's browser itself)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = _env()
    data = collect(store, run_id, out)
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    for name in ASSETS:
        shutil.copyfile(TEMPLATES / name, assets / name)
    fallbacks = {}
    for lang in LANGS:
        fallbacks[lang] = dict(render_language(env, data, out, lang).fallbacks)
    write_exports(data, out)
    if pdf_browser:
        from .pdf import fix_list_pdfs

        fix_list_pdfs(out, [r["id"] for r in data["rows"]], pdf_browser, pdf_langs)
    (out / "fallbacks.json").write_text(json.dumps(fallbacks, indent=1), encoding="utf-8")
    return out / "index.html"
