"""Score govscan's CSS validation path on the W3C CSS Validator test suite.

Reads ``../shared/eval/css-validator/`` (relative to the repository root; override with
``--corpus``): 479 style sheets (CSS3 profile) labelled valid / invalid by the W3C CSS
Validator (jigsaw). Each sheet goes through the same path as a fetched style sheet in
``crawler.validator.gather_css``: decoded (BOM, ``@charset``, else UTF-8), a leading
``@charset`` blanked, sent to the local vnu service as UTF-8 ``text/css``. Predicted invalid
iff vnu reports an error. The labels come from another validator (jigsaw, not vnu's CSS
checker), so only the valid/invalid decision is compared and disagreements are listed by
the first error message to be explained.

    .venv/bin/python bench/css_corpus.py [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.validator import VnuService, decode_css, strip_charset_rule  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "css-validator"


def html_sheets(path: Path) -> list[str]:
    """The style sheets of an HTML test page as ``gather_css`` sees them: each ``<style>``
    block and, one level deep, the local files it ``@import``s."""
    from crawler.artifacts import Page, Response
    from crawler.validator import css_imports, style_blocks

    url = path.resolve().as_uri()
    page = Page(Response(url, url, 200, {"content-type": "text/html"}, body=path.read_bytes(),
                         encoding="utf-8"))
    out = []
    for block in style_blocks(page):
        out.append(block)
        for imp in css_imports(block, url):
            local = Path(imp.removeprefix("file://"))
            if local.is_file():
                out.append(decode_css(local.read_bytes()))
    return out


def load(corpus: Path) -> list[dict]:
    return json.loads((corpus / "labels.json").read_text())["tests"]


def score(svc: VnuService, corpus: Path, tests: list[dict], workers: int = 4) -> dict:
    def one(t):
        path = corpus / t["file"]
        if path.suffix.lower() in (".html", ".htm", ".xhtml"):
            sheets = html_sheets(path)  # a page in the suite: its <style> blocks + @imports
        else:
            sheets = [decode_css(path.read_bytes())]
        errs = []
        for text in sheets:
            msgs = svc.validate_css(strip_charset_rule(text))
            errs += [m for m in msgs if m.get("type") in ("error", "non-document-error")]
        return t, errs

    matrix: collections.Counter = collections.Counter()
    dis = []
    t0 = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        for t, errs in pool.map(one, tests):
            exp = "valid" if t["expected_valid"] else "invalid"
            got = "invalid" if errs else "valid"
            matrix[(exp, got)] += 1
            if exp != got:
                dis.append({"file": t["file"], "group": t.get("group"), "expected": exp,
                            "got": got, "first_error": errs[0]["message"] if errs else None,
                            "jigsaw_errors": t.get("expected_errors")})
    secs = time.monotonic() - t0
    n = len(tests)
    agree = sum(v for (e, g), v in matrix.items() if e == g)
    return {"n": n, "seconds": round(secs, 1), "agreement": round(agree / n, 4) if n else 0,
            "matrix": {f"{e}->{g}": v for (e, g), v in sorted(matrix.items())},
            "disagreements": dis}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    tests = load(args.corpus)
    if args.limit:
        tests = tests[:args.limit]
    with VnuService() as svc:
        res = score(svc, args.corpus, tests)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    print(f"{res['n']} style sheets in {res['seconds']} s; valid/invalid agreement "
          f"{100 * res['agreement']:.1f} %")
    print("matrix (jigsaw -> govscan/vnu):", res["matrix"])
    groups = collections.Counter(
        (d["expected"], d["got"], re.sub(r"“[^”]*”", "“…”", d["first_error"] or "(no error)")[:90])
        for d in res["disagreements"])
    for (e, g, msg), k in groups.most_common(30):
        print(f"  {k:3d} {e}->{g}: {msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
