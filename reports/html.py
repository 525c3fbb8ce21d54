"""The HTML report of a run, for auditors: static files, no JavaScript, no network.

``build_report(store, run_id, out_dir)`` writes:

* ``index.html`` - the run (when, options, caps), the shares of indicators met per target
  (strict: error/manual count as not met, as the UN does; coverage-adjusted: those left out),
  a targets x indicators matrix, and per indicator how many targets pass and the most common
  reason for failing (a template defect on gov.uz shows up once here, not 220 times);
* ``targets/<id>.html`` - every finding of the target with its evidence (URL, element HTML,
  selector, message, date found), details, the decree item and UN code, caps and capture
  errors in words, and the screenshots that were taken;
* ``findings.csv`` - one row per finding, for spreadsheets;
* ``screenshots/`` - copies of the screenshots the findings point at.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from crawler.causes import EXPLANATIONS, Cause
from probes import catalogue
from probes.base import is_block

from .pictures import outline_picture, picture_name

TEMPLATES = Path(__file__).parent / "templates"
STATUSES = ("pass", "warn", "fail", "error", "manual", "not_applicable")
MET = ("pass", "warn")  # the UN rule is met


def shares(statuses: list[str]) -> dict:
    """Share of indicators met, two ways (indicators.md D): strict counts error and manual
    as not met (as the UN does); coverage-adjusted leaves them (and not_applicable) out."""
    n = len([s for s in statuses if s != "not_applicable"])
    met = len([s for s in statuses if s in MET])
    judged = len([s for s in statuses if s in ("pass", "warn", "fail")])
    return {"met": met, "total": n, "judged": judged,
            "strict": met / n if n else None,
            "adjusted": met / judged if judged else None}


def band(share: float | None) -> str:
    """LOSI bands: > 0.75 very high, 0.50-0.75 high, 0.25-0.50 middle, < 0.25 low."""
    if share is None:
        return "-"
    if share > 0.75:
        return "very high"
    if share >= 0.5:
        return "high"
    if share >= 0.25:
        return "middle"
    return "low"


def _pct(x):
    return "-" if x is None else f"{x * 100:.0f} %"


TABLE_ROWS = 50  # rows of a details table shown in the report (the JSON has them all)


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


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.filters["details_blocks"] = details_blocks
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2,
                                                        default=str)
    return env


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


def _screenshots(store, run_id: int, target_id: str, out: Path, capture_dirs: list[Path]):
    """Copy the screenshots of a target's rendered pages into the report."""
    shots = []
    for row in store.screenshots(run_id, target_id):
        if row["kind"] != "page":
            continue
        href = _copy_shot(row["path"], target_id, out, capture_dirs)
        if href:
            shots.append({"url": row["url"], "path": href})
    return shots


def _copy_shot(rel: str, target_id: str, out: Path, capture_dirs: list[Path]) -> str:
    """Copy a screenshot of the capture into the report; its path from a target page
    ("" when the file is gone: the report then says only what the evidence says)."""
    src = _find(rel, capture_dirs)
    if src is None:
        return ""
    dest = out / "screenshots" / target_id / src.name
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return f"../screenshots/{target_id}/{dest.name}"


def _evidence_picture(data: dict, target_id: str, out: Path, capture_dirs: list[Path]) -> str:
    """The outlined picture of an evidence item that carries a screenshot and a box, cut
    into the report (``reports.pictures``); its path from a target page, or ""."""
    rel, box = data.get("screenshot") or "", data.get("box")
    src = _find(rel, capture_dirs)
    if src is None or not box:
        return ""
    name = picture_name(rel, box)
    dest = out / "screenshots" / target_id / name
    if dest.is_file() or outline_picture(src, box, dest):
        return f"../screenshots/{target_id}/{name}"
    return ""


def build_report(store, run_id: int, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    (out_dir / "targets").mkdir(parents=True, exist_ok=True)
    env = _env()
    run = store.run(run_id)
    findings = store.findings(run_id)
    caps = {c["target_id"]: c for c in store.captures(run_id)}
    targets = store.targets()
    by_target: dict[str, dict[str, dict]] = defaultdict(dict)
    for f in findings:
        by_target[f["target_id"]][f["indicator"]] = f
    indicators = [i for i in catalogue.INDICATORS
                  if any(i.id in fs for fs in by_target.values())]
    # screenshots live under the captures directory (captures/shots/, by content), by
    # default beside the database; runs before that kept them in captures/run-<N>/, and a
    # rejudged run points at the captures of the run it judged again
    src_run = run["options"].get("rejudge_of") or run_id
    bases = [store.captures_dir]
    if run["options"].get("capture_dir"):
        bases.insert(0, Path(run["options"]["capture_dir"]))
    capture_dirs = [d for b in bases for d in (b, b / f"run-{src_run}")]

    rows = []
    for tid in sorted(by_target, key=lambda t: (targets.get(t, {}).get("level", ""), t)):
        fs = by_target[tid]
        sh = shares([f["status"] for f in fs.values()])
        t = targets.get(tid, {"id": tid})
        rows.append({"target": t, "findings": fs, "shares": sh, "band": band(sh["strict"]),
                     "capture": caps.get(tid)})

    per_indicator = []
    for ind in indicators:
        sts = Counter(by_target[t][ind.id]["status"] for t in by_target if ind.id in
                      by_target[t])
        reasons = Counter(by_target[t][ind.id]["summary"] for t in by_target
                          if ind.id in by_target[t] and by_target[t][ind.id]["status"] in
                          ("fail", "error"))
        per_indicator.append({"ind": ind, "counts": sts, "top_reasons": reasons.most_common(3),
                              "n": sum(sts.values())})
    errors = Counter()
    for c in caps.values():
        for art, e in (c["errors"] or {}).items():
            errors[e["cause"]] += 1
    for f in findings:
        if f["status"] == "error" and f["details"].get("cause"):
            errors[f["details"]["cause"]] += 1
    explanations = {c: EXPLANATIONS.get(Cause(c), "") if c in Cause._value2member_map_
                    else "" for c in errors}

    index = env.get_template("index.html").render(
        run=run, rows=rows, indicators=indicators, per_indicator=per_indicator,
        statuses=STATUSES, totals=Counter(f["status"] for f in findings),
        overall=shares([f["status"] for f in findings]), errors=errors.most_common(),
        explanations=explanations, band=band)
    (out_dir / "index.html").write_text(index, encoding="utf-8")

    tpl = env.get_template("target.html")
    for r in rows:
        tid = r["target"]["id"]
        shots = _screenshots(store, run_id, tid, out_dir, capture_dirs)
        ordered = [r["findings"][i.id] for i in indicators if i.id in r["findings"]]
        for f in ordered:
            for e in f["evidence"]:
                data = e.get("data") or {}
                if data.get("box"):
                    e["img"] = _evidence_picture(data, tid, out_dir, capture_dirs)
                elif data.get("screenshot") or e.get("kind") == "screenshot":
                    e["img"] = _copy_shot(data.get("screenshot") or data.get("path") or "",
                                          tid, out_dir, capture_dirs)
        page = tpl.render(run=run, row=r, findings=ordered, shots=shots,
                          catalogue=catalogue.BY_ID, explanations=EXPLANATIONS,
                          causes=Cause._value2member_map_)
        (out_dir / "targets" / f"{tid}.html").write_text(page, encoding="utf-8")

    with open(out_dir / "findings.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["run", "target", "indicator", "status", "url", "summary", "decree",
                    "un_code", "probe_version", "found_at", "evidence_count"])
        for f in findings:
            w.writerow([run_id, f["target_id"], f["indicator"], f["status"], f["url"],
                        f["summary"], f["decree"], f["un_code"], f["probe_version"],
                        f["found_at"], len(f["evidence"])])
    shutil.copyfile(TEMPLATES / "style.css", out_dir / "style.css")
    return out_dir / "index.html"
