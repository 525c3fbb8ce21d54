"""Score govscan's markup validation path on the Nu HTML Checker conformance corpus.

Reads ``../shared/eval/vnu-tests/`` (relative to the repository root; override with
``--corpus``): 3,492 documents labelled valid / error / warning. Each document is sent
through ``crawler.validator.VnuService.validate_html`` exactly as the ``vnu`` gatherer sends a
page: its bytes, and the media type it would be served with (``.xhtml`` ->
``application/xhtml+xml``, else ``text/html``; no charset parameter, like a static file
server that does not add one). Predicted class (eval/README.md): error if any message has
type "error" (or "non-document-error"), warning if any info message has subType "warning",
else valid. Any off-diagonal cell is a defect in how govscan calls vnu.

    .venv/bin/python bench/vnu_corpus.py [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.validator import VnuService  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "vnu-tests"
CLASSES = ("valid", "warning", "error")


def predict(messages: list[dict]) -> str:
    if any(m.get("type") in ("error", "non-document-error") for m in messages):
        return "error"
    if any(m.get("type") == "info" and m.get("subType") == "warning" for m in messages):
        return "warning"
    return "valid"


def first_message(messages: list[dict], cls: str) -> str | None:
    for m in messages:
        if cls == "error" and m.get("type") in ("error", "non-document-error"):
            return m.get("message")
        if cls == "warning" and m.get("type") == "info" and m.get("subType") == "warning":
            return m.get("message")
    return None


def media_type_for(path: str) -> str:
    return "application/xhtml+xml" if path.endswith((".xhtml", ".xht")) else "text/html"


def load(corpus: Path) -> list[dict]:
    return json.loads((corpus / "labels.json").read_text())["tests"]


def score(svc: VnuService, corpus: Path, tests: list[dict], workers: int = 4,
          charset: str = "utf-8") -> dict:
    def one(t):
        body = (corpus / t["file"]).read_bytes()
        ctype = media_type_for(t["file"]) + (f"; charset={charset}" if charset else "")
        msgs = svc.validate_html(body, ctype)
        got = predict(msgs)
        return t, got, first_message(msgs, got)

    matrix: collections.Counter = collections.Counter()
    off, msg_match, msg_total = [], 0, 0
    t0 = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        for t, got, first in pool.map(one, tests):
            matrix[(t["expected"], got)] += 1
            if got != t["expected"]:
                off.append({"file": t["file"], "expected": t["expected"], "got": got,
                            "first": first, "expected_message": t.get("expected_message")})
            elif t.get("expected_message"):
                msg_total += 1
                msg_match += first == t["expected_message"]
    secs = time.monotonic() - t0
    return {"n": len(tests), "seconds": round(secs, 1), "docs_per_s": round(len(tests) / secs, 1),
            "matrix": {f"{e}->{g}": n for (e, g), n in sorted(matrix.items())},
            "diagonal": not off, "off_diagonal": off,
            "first_message_match": f"{msg_match}/{msg_total}"}


def cli_predictions(svc: VnuService, corpus: Path, tests: list[dict],
                    batch: int = 500) -> dict[str, str]:
    """The class the pinned jar's own command line (``java -jar vnu.jar``, one JVM per batch
    of files, the same system properties as the service) gives each document: the reference
    for "is an off-diagonal cell our defect or a label/version drift?"."""
    import subprocess

    props = [f"-D{k}={v}" for k, v in svc.properties.items()]
    by: dict[str, list] = {}
    files = [t["file"] for t in tests]
    dec = json.JSONDecoder()
    for i in range(0, len(files), batch):
        chunk = files[i:i + batch]
        out = subprocess.run([svc.java, "-Xss4m", *props, "-jar", str(svc.jar), "--format",
                              "json", "--exit-zero-always", *chunk], cwd=corpus,
                             capture_output=True, text=True, check=False).stderr
        pos = 0
        while pos < len(out):
            while pos < len(out) and out[pos].isspace():
                pos += 1
            if pos >= len(out):
                break
            obj, pos = dec.raw_decode(out, pos)
            for m in obj.get("messages", []):
                url = m.get("url", "")
                rel = url.split(str(corpus.resolve()) + "/", 1)[-1]
                by.setdefault(rel, []).append(m)
    return {f: predict(by.get(f, [])) for f in files}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    ap.add_argument("--charset", default="utf-8",
                    help="charset parameter of the Content-Type the documents are 'served' "
                         "with (default utf-8, the test harness's file default; '' = none)")
    ap.add_argument("--compare-cli", action="store_true",
                    help="also run the pinned jar's command line on every document and "
                         "count where govscan's path and the CLI disagree")
    ap.add_argument("--json", type=Path, help="write the full result here")
    args = ap.parse_args(argv)
    tests = load(args.corpus)
    if args.limit:
        tests = tests[:args.limit]
    with VnuService() as svc:
        res = score(svc, args.corpus, tests, charset=args.charset)
        if args.compare_cli:
            cli = cli_predictions(svc, args.corpus, tests)
            got = {o["file"]: o["got"] for o in res["off_diagonal"]}
            exp = {t["file"]: t["expected"] for t in tests}
            res["cli_disagreements"] = [
                {"file": f, "govscan": got.get(f, exp[f]), "cli": c}
                for f, c in cli.items() if got.get(f, exp[f]) != c]
            res["cli_off_diagonal"] = sum(1 for f, c in cli.items() if c != exp[f])
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    print(f"{res['n']} documents in {res['seconds']} s ({res['docs_per_s']} docs/s)")
    print("confusion (expected -> predicted):")
    for e in CLASSES:
        row = [res["matrix"].get(f"{e}->{g}", 0) for g in CLASSES]
        print(f"  {e:8s} " + " ".join(f"{n:6d}" for n in row))
    print(f"off-diagonal: {len(res['off_diagonal'])}; first message equal to the expected "
          f"one: {res['first_message_match']}")
    if "cli_disagreements" in res:
        print(f"the pinned CLI (java -jar vnu.jar) is off-diagonal on {res['cli_off_diagonal']} "
              f"documents; govscan and the CLI disagree on {len(res['cli_disagreements'])}")
        for d in res["cli_disagreements"][:20]:
            print(f"  DIFFERS FROM CLI {d}")
    for o in res["off_diagonal"][:40]:
        print(f"  {o['file']}: expected {o['expected']}, got {o['got']}: {o['first']}")
    if "cli_disagreements" in res:
        return 0 if not res["cli_disagreements"] else 1
    return 0 if res["diagonal"] else 1


if __name__ == "__main__":
    sys.exit(main())
