"""ACT Rules corpus check of the ``wcag`` probe path (issue 5).

Serves ``../shared/eval/act-rules`` over HTTP on loopback, and for every test case in WCAG 2.0
A/AA scope with a mapped axe rule (432 cases) runs the real govscan path - the fetcher,
``capture_site`` with the RENDERED + AXE gatherers of ``crawler.browser`` (the render pool,
axe injected in every frame), then ``probes.wcag`` - and scores per mapped rule as the
corpus README says: "failed" when any of the case's ``axe_rules`` is a violation on the page,
"cantTell" when one is only incomplete, else not failed. It compares with
``axe_reported_outcomes`` (axe-core's own ACT implementation report, axe 4.10.2) per case and
per ACT rule, and explains each disagreement: media left out of the corpus copy, a non-HTML
test case (govscan renders HTML pages only), or version drift - shown per case by re-running
the disagreeing cases with axe-core 4.10.2 (``bench/node``: ``npm ci`` there installs it as
``axe-core-410``) through the same path.

    .venv/bin/python bench/act_rules.py                 # all 432 cases (~5-10 min, 2 cores)
    .venv/bin/python bench/act_rules.py --sample 40     # a quick sample
    .venv/bin/python bench/act_rules.py --json out.json # keep the per-case results
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import functools
import http.server
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # helpers.capture_urls

from crawler import browser  # noqa: E402
from crawler.capture import CaptureOptions  # noqa: E402
from crawler.fetch import FetchConfig  # noqa: E402
from probes import wcag  # noqa: E402
from probes.base import Artifact, Context, run_probe  # noqa: E402

from helpers import capture_urls  # noqa: E402

CORPUS = (ROOT.parent / "shared" / "eval" / "act-rules").resolve()
AXE_410 = ROOT / "bench" / "node" / "node_modules" / "axe-core-410" / "axe.min.js"
AXE_HEADLINE = {"failed": 138, "detected": 112, "missed": 13, "cantTell": 13,
                "non_failed": 294, "false_alarms": 3}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".html": "text/html; charset=utf-8", ".xml": "application/xml",
                      ".svg": "image/svg+xml"}

    def log_message(self, *a):
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = functools.partial(_Quiet, directory=str(root))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def load_cases(corpus: Path = CORPUS) -> list[dict]:
    d = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    return [t for t in d["testcases"] if t.get("in_scope_wcag20_a_aa") and t.get("axe_rules")]


def other_rules_on_same_page(corpus: Path = CORPUS) -> dict[str, set[str]]:
    """testcase id -> every axe rule mapped to it by any ACT rule (one page can be a test
    case of several ACT rules, e.g. contrast AA and AAA)."""
    d = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for t in d["testcases"]:
        out.setdefault(t["testcase_id"], set()).update(t.get("axe_rules") or [])
    return out


def axe_class(outcomes: list[str]) -> str:
    """axe's reported outcome for a case: failed > cantTell > untested > not-failed."""
    if "failed" in outcomes:
        return "failed"
    if "cantTell" in outcomes:
        return "cantTell"
    if outcomes and all(o == "untested" for o in outcomes):
        return "untested"
    return "not-failed"


def our_class(finding, rules: list[str]) -> tuple[str, str]:
    """(class, why) from the wcag finding of a one-page site, per the mapped axe rules."""
    if finding.status == "error":
        return "error", finding.summary
    page = finding.details["pages"][0] if finding.details.get("pages") else {}
    violated = set(page.get("violations", {})) | set(page.get("wcag21_violations", {}))
    review = set(page.get("needs_review", {}))
    hit = [r for r in rules if r in violated]
    if hit:
        return "failed", ",".join(hit)
    hit = [r for r in rules if r in review]
    if hit:
        return "cantTell", ",".join(hit)
    return "not-failed", ""


async def run_cases(cases: list[dict], port: int, concurrency: int = 2,
                    block_media: bool = True) -> dict[str, dict]:
    """testcase_id -> {"class", "why", "finding_status", "rule_tags"} via the real path."""
    urls = [f"http://127.0.0.1:{port}{c['url_path']}" for c in cases]
    by_url = {u: c for u, c in zip(urls, cases)}
    out: dict[str, dict] = {}

    def judge(site):
        c = by_url[site.start_url]
        f = run_probe(wcag.PROBE, site, Context())
        cls, why = our_class(f, c["axe_rules"])
        home = site.home
        if f.status == "error" and home is not None and not home.response.is_html:
            why = f"not rendered: {home.response.content_type or 'not HTML'}"
        out[c["testcase_id"]] = {"class": cls, "why": why, "finding_status": str(f.status),
                                 "axe_version": f.details.get("axe_version")}

    cfg = FetchConfig(allow_private=True, per_host_delay=0.0, per_host_concurrency=4,
                      retries=0, obey_robots=False)
    opts = CaptureOptions(single_url=True, render_pages=1, screenshots=False)
    opts.extra["browser_block_media"] = block_media
    await capture_urls(urls, {Artifact.RENDERED, Artifact.AXE}, cfg, options=opts,
                       concurrency=concurrency, on_site=judge)
    return out


def explain(case: dict, ours: dict, ours_410: dict | None, ours_media: dict | None,
            same_page: dict[str, set[str]]) -> str:
    ax = axe_class(case["axe_reported_outcomes"])
    if case["file"].rsplit(".", 1)[-1] != "html":
        return (f"not an HTML page ({case['file'].rsplit('.', 1)[-1]}): govscan renders only "
                f"pages served as HTML; axe's report ran it in a browser directly")
    if ax == "untested":
        return "axe's own report marks this case untested"
    if case.get("missing_assets"):
        return "references media left out of this corpus copy: " + ", ".join(
            a.rsplit("/", 1)[-1] for a in case["missing_assets"][:3])
    if ours_410 is not None and ours_410["class"] == ax:
        return (f"version drift: through the same path axe 4.10.2 gives {ax} (as in axe's "
                f"report), axe 4.14.1 gives {ours['class']}")
    if ours_media is not None and ours_media["class"] == ax:
        return (f"media blocking: with images/media/fonts loaded the same path gives {ax}; "
                f"the render pool blocks them by default (a blocked <object> image shows "
                f"its fallback content)")
    extra = sorted(same_page.get(case["testcase_id"], set()) - set(case["axe_rules"]))
    if extra and ax == "failed" and case["expected"] != "failed":
        return (f"axe's reported outcome for this page merges another ACT rule's result on "
                f"the same test page (axe rule(s) {', '.join(extra)}, not in WCAG 2.0 A/AA); "
                f"the mapped rule passes with axe 4.10.2 and 4.14.1 alike")
    if ours_410 is not None:
        return (f"unexplained: axe 4.10.2 also gives {ours_410['class']} here "
                f"(axe's report: {ax})")
    return "unexplained"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=0, help="only every Nth case (quick run)")
    ap.add_argument("--json", default="", help="write per-case results here")
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--no-drift", action="store_true",
                    help="do not re-run disagreements with axe 4.10.2")
    a = ap.parse_args(argv)
    if browser.find_chromium() is None:
        print("no Chromium: cannot run", file=sys.stderr)
        return 2
    cases = load_cases()
    if a.sample:
        step = max(1, len(cases) // a.sample)
        cases = cases[::step][:a.sample]
    srv, port = serve(CORPUS)
    t0 = time.monotonic()
    ours = asyncio.run(run_cases(cases, port, a.concurrency))
    elapsed = time.monotonic() - t0

    disagree = [c for c in cases
                if ours[c["testcase_id"]]["class"] != axe_class(c["axe_reported_outcomes"])]
    ours_410: dict[str, dict] = {}
    drift_cases = [c for c in disagree if c["file"].endswith(".html")
                   and axe_class(c["axe_reported_outcomes"]) != "untested"]
    if drift_cases and not a.no_drift and AXE_410.exists():
        os.environ["GOVSCAN_AXE"] = str(AXE_410)
        browser.axe_source.cache_clear()
        ours_410 = asyncio.run(run_cases(drift_cases, port, a.concurrency))
        os.environ.pop("GOVSCAN_AXE")
        browser.axe_source.cache_clear()
    ours_media: dict[str, dict] = {}
    if drift_cases and not a.no_drift:
        ours_media = asyncio.run(run_cases(drift_cases, port, a.concurrency,
                                           block_media=False))
    srv.shutdown()
    same_page = other_rules_on_same_page()

    # the headline, as axe-core's report counts it, for axe's report and for govscan
    def headline(get):
        failed = [c for c in cases if c["expected"] == "failed"]
        nonf = [c for c in cases if c["expected"] != "failed"]
        g = [get(c) for c in failed]
        return {"failed": len(failed), "detected": g.count("failed"),
                "cantTell": g.count("cantTell"),
                "missed": len(g) - g.count("failed") - g.count("cantTell"),
                "non_failed": len(nonf),
                "false_alarms": sum(get(c) == "failed" for c in nonf)}

    h_axe = headline(lambda c: axe_class(c["axe_reported_outcomes"]))
    h_ours = headline(lambda c: ours[c["testcase_id"]]["class"])
    per_rule = collections.OrderedDict()
    for c in cases:
        r = per_rule.setdefault(c["rule_id"], {"name": c["rule_name"],
                                               "axe_rules": ",".join(c["axe_rules"]),
                                               "cases": 0, "agree": 0, "tested": 0,
                                               "agree_tested": 0})
        same = ours[c["testcase_id"]]["class"] == axe_class(c["axe_reported_outcomes"])
        r["cases"] += 1
        r["agree"] += same
        if axe_class(c["axe_reported_outcomes"]) != "untested":
            r["tested"] += 1
            r["agree_tested"] += same

    print(f"ACT Rules corpus, {len(cases)} in-scope cases, govscan wcag path with axe "
          f"{next(iter(ours.values()))['axe_version'] if ours else '?'}; "
          f"{elapsed:.0f} s ({len(cases) / elapsed * 60:.0f} pages/min)\n")
    print("| | failed cases | detected | cantTell | missed | non-failed | false alarms |")
    print("|---|---|---|---|---|---|---|")
    for name, h in (("axe-core's report (4.10.2)", h_axe), ("govscan (this run)", h_ours)):
        print(f"| {name} | {h['failed']} | {h['detected']} | {h['cantTell']} | {h['missed']} "
              f"| {h['non_failed']} | {h['false_alarms']} |")
    agree = len(cases) - len(disagree)
    tested = sum(r["tested"] for r in per_rule.values())
    agree_t = sum(r["agree_tested"] for r in per_rule.values())
    print(f"\nPer-case agreement with axe_reported_outcomes: {agree}/{len(cases)} "
          f"({agree / len(cases):.1%}); on the {tested} cases axe's report did test: "
          f"{agree_t}/{tested} ({agree_t / max(1, tested):.1%})\n")
    print("| ACT rule | name | axe rules | cases | agree | axe-tested | agree on tested |")
    print("|---|---|---|---|---|---|---|")
    for rid, r in per_rule.items():
        mark = "" if r["agree_tested"] == r["tested"] else " **"
        print(f"| {rid} | {r['name'][:60]} | {r['axe_rules']} | {r['cases']} | "
              f"{r['agree']} | {r['tested']} | {r['agree_tested']}{mark} |")
    print("\nDisagreements:\n")
    why_counts = collections.Counter()
    rows = []
    for c in disagree:
        o = ours[c["testcase_id"]]
        why = explain(c, o, ours_410.get(c["testcase_id"]), ours_media.get(c["testcase_id"]),
                      same_page)
        why_counts[why.split(":")[0].split(" (")[0].replace("axe's reported outcome for this "
                                                             "page merges", "merged")] += 1
        rows.append({"testcase": c["testcase_id"], "rule": c["rule_id"],
                     "title": c["testcase_title"], "expected": c["expected"],
                     "axe_reported": axe_class(c["axe_reported_outcomes"]),
                     "govscan": o["class"], "govscan_rules": o["why"], "explanation": why,
                     "url_path": c["url_path"]})
        print(f"- {c['rule_id']} {c['testcase_title']} ({c['testcase_id'][:8]}): expected "
              f"{c['expected']}, axe report {axe_class(c['axe_reported_outcomes'])}, govscan "
              f"{o['class']} {('[' + o['why'] + ']') if o['why'] else ''} - {why}")
    print("\nDisagreements by explanation: " + ", ".join(f"{k}: {v}" for k, v in
                                                       why_counts.most_common()))
    if a.json:
        Path(a.json).write_text(json.dumps({
            "cases": len(cases), "elapsed_s": round(elapsed, 1), "headline_axe": h_axe,
            "headline_govscan": h_ours, "agreement": agree, "per_rule": per_rule,
            "disagreements": rows,
            "per_case": {c["testcase_id"]: {**ours[c["testcase_id"]], "rule": c["rule_id"],
                                            "axe_reported": axe_class(
                                                c["axe_reported_outcomes"]),
                                            "expected": c["expected"]} for c in cases}},
            indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
