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


def details_blocks(details: dict) -> list[dict]:
    """Present a finding's ``details`` for people: a list of dicts becomes a table (per
    page, per style sheet, most common messages...), a dict of plain values a small table,
    plain values one line each; anything else stays JSON."""
    scalars, blocks = {}, []
    for key, value in (details or {}).items():
        if key == "traceback":
            continue
        if _scalar(value):
            scalars[key] = value
        elif isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            cols: list[str] = []
            for r in value[:TABLE_ROWS]:
                cols += [k for k, v in r.items() if k not in cols and _scalar(v)]
            if cols:
                blocks.append({"kind": "table", "key": key, "cols": cols,
                               "rows": value[:TABLE_ROWS], "more": len(value) - TABLE_ROWS})
                continue
            blocks.append({"kind": "json", "key": key, "value": value})
        elif isinstance(value, list) and all(_scalar(v) for v in value):
            blocks.append({"kind": "list", "key": key, "value": value})
        elif isinstance(value, dict) and value and all(_scalar(v) for v in value.values()):
            blocks.append({"kind": "pairs", "key": key, "value": value})
        else:
            blocks.append({"kind": "json", "key": key, "value": value})
    if scalars:
        blocks.insert(0, {"kind": "pairs", "key": "", "value": scalars})
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


def _screenshots(store, run_id: int, target_id: str, out: Path, capture_dirs: list[Path]):
    """Copy the screenshots of a target's rendered pages into the report."""
    from crawler.store import _unz

    shots = []
    rows = store.db.query(
        "SELECT a.data, p.final_url FROM artifacts a JOIN pages p ON p.id = a.page_id "
        "WHERE a.run_id=? AND a.target_id=? AND a.kind='rendered'", [run_id, target_id])
    for row in rows:
        data = _unz(row["data"]) or {}
        rel = data.get("screenshot")
        if not rel:
            continue
        for base in capture_dirs:
            src = base / rel
            if src.is_file():
                dest = out / "screenshots" / target_id / Path(rel).name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                shots.append({"url": row["final_url"],
                              "path": f"../screenshots/{target_id}/{dest.name}"})
                break
    return shots


def _copy_shot(rel: str, target_id: str, out: Path, capture_dirs: list[Path]) -> str:
    """Copy a screenshot of the capture into the report; its path from a target page
    ("" when the file is gone: the report then says only what the evidence says)."""
    for base in capture_dirs:
        src = Path(rel) if Path(rel).is_absolute() else base / rel
        if src.is_file():
            dest = out / "screenshots" / target_id / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            return f"../screenshots/{target_id}/{dest.name}"
    return ""


def build_report(store, run_id: int, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    (out_dir / "targets").mkdir(parents=True, exist_ok=True)
    env = _env()
    run = store.run(run_id)
    findings = store.findings(run_id)
    caps = {c["target_id"]: c for c in store.captures(run_id)}
    targets = {r["id"]: r for r in store.db.query("SELECT * FROM targets")}
    by_target: dict[str, dict[str, dict]] = defaultdict(dict)
    for f in findings:
        by_target[f["target_id"]][f["indicator"]] = f
    indicators = [i for i in catalogue.INDICATORS
                  if any(i.id in fs for fs in by_target.values())]
    # screenshots live in <capture dir>/run-<N>/ (crawler.scan), by default beside the db;
    # a rejudged run points at the captures of the run it judged again
    src_run = run["options"].get("rejudge_of") or run_id
    base = Path(store.path).resolve().parent / "captures"
    capture_dirs = [base / f"run-{src_run}", base]
    if run["options"].get("capture_dir"):
        capture_dirs.insert(0, Path(run["options"]["capture_dir"]) / f"run-{src_run}")

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
                rel = data.get("screenshot") or (data.get("path") if e.get("kind") ==
                                                 "screenshot" else "")
                if rel:
                    e["img"] = _copy_shot(rel, tid, out_dir, capture_dirs)
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
