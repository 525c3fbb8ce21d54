"""SQLite storage (through sqlite-utils): runs, targets, captures, pages, artifacts, findings.

Open the database in Datasette (``datasette govscan.db``) and the tables explain themselves:

``runs``       one row per ``govscan scan``/``demo`` run: when, options, status, summary.
``targets``    the target list as last scanned (id, names, level, region, URLs, scope).
``captures``   one row per (run, target) whose capture and findings were saved - the unit of
               ``--resume``: a target with a row here is done and is never scanned twice.
``pages``      every HTTP exchange kept for a target: crawled pages, one-click pages, the
               http/https x bare/www endpoints, robots.txt, sitemaps, the search query,
               legacy domains (column ``role``). Requested and final URL, status, headers,
               redirect chain, TLS facts, timing, error cause, and ``body_sha256`` pointing to
               the body in ``bodies`` (zstd-compressed, stored once per content).
``artifacts``  what was gathered on a page besides the response: rendered DOM facts, axe
               results, mobile measurements, vnu/CSS messages, sitemap parses (JSON).
``findings``   one row per (run, target, indicator): status, URL, summary (English) and
               ``message`` (its message id + parameters, for other languages), evidence
               JSON, details JSON, decree item, UN code, probe version, date found.
``shots``      the screenshots each (run, target) refers to, by page: files under
               ``captures/shots/`` named by their content, shared by the runs that show
               them (a re-judged run, an unchanged page the next night).
``verdicts``   auditors' manual verdicts (target, indicator, status, who, when, note,
               evidence URL); the latest one not withdrawn is in force.
``scores``     per (run, target, criterion) the UN-style shares (govscan/scores.py).
``regressions`` per run, the (target, indicator) pairs that regressed (the rule:
               ``govscan/changes.py``; N consecutive failing runs after a met one).
``meta``       ``schema_version``.

Views, for reading (Datasette or ``sqlite3``): ``latest_findings`` (per target and
indicator, the finding of the newest completed run that judged it), ``regressions_by_run``
and ``latest_regressions`` (with target names, summaries and URLs), ``scores_by_run`` and
``latest_scores`` (shares as percentages). Two columns are compressed and read as blobs:
``bodies.body`` (the bytes as served; zstd, or zlib in databases written before issue 14)
and ``artifacts.data`` (JSON, zlib); the Datasette plugin in ``deploy/datasette/`` adds
``unz(blob)`` to read both.

Retention (``govscan.retention``) never deletes a run or its findings: it drops the page
bodies, artifacts and screenshot references of old runs (``runs.captures_pruned_at``).

A target's capture and its findings are written in ONE transaction, so a run killed at any
moment (even SIGKILL) leaves whole targets or nothing; ``--resume`` continues after the last
whole target. WAL mode lets the report read while a scan writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib

import zstandard
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from crawler import __version__
from crawler.artifacts import Page, Rendered, Response, SitemapDoc, SiteCapture, Validation
from crawler.targets import Target

SCHEMA_VERSION = 4

# Migration N takes a database at version N-1 to version N. Append, never edit.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,            -- running | completed | aborted
        govscan_version TEXT,
        options TEXT,                    -- JSON: the options the run was started with
        targets_total INTEGER,
        summary TEXT                     -- JSON: counts by status and cause
    );
    CREATE TABLE IF NOT EXISTS targets (
        id TEXT PRIMARY KEY,
        name_uz TEXT, name_ru TEXT, level TEXT, region TEXT,
        start_url TEXT NOT NULL, scope TEXT NOT NULL,
        languages TEXT, legacy_domains TEXT    -- JSON
    );
    CREATE TABLE IF NOT EXISTS captures (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL REFERENCES targets(id),
        saved_at TEXT NOT NULL,
        pages_crawled INTEGER,
        gathered TEXT,                   -- JSON list of artifact names
        notes TEXT,                      -- JSON list: visible caps and remarks
        errors TEXT,                     -- JSON: artifact -> {cause, detail}
        target TEXT,                     -- JSON: the target definition used
        PRIMARY KEY (run_id, target_id)
    );
    CREATE TABLE IF NOT EXISTS bodies (
        sha256 TEXT PRIMARY KEY,
        size INTEGER,
        body BLOB                        -- zstd-compressed (zlib before issue 14)
    );
    CREATE TABLE IF NOT EXISTS pages (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL REFERENCES targets(id),
        role TEXT NOT NULL,              -- page | linked | endpoint | robots | sitemap |
                                         -- search | legacy
        role_key TEXT,                   -- e.g. endpoint "https://www", side "search_query"
        seq INTEGER,                     -- order within the capture
        requested_url TEXT NOT NULL,
        final_url TEXT,
        status INTEGER,
        content_type TEXT,
        encoding TEXT,
        headers TEXT,                    -- JSON, lower-case names
        redirect_chain TEXT,             -- JSON list of hops {url, status, location, headers}
        tls TEXT,                        -- JSON certificate and protocol facts
        body_sha256 TEXT REFERENCES bodies(sha256),
        body_size INTEGER,
        truncated INTEGER,
        fetched INTEGER,                 -- 1 if a response was received
        rendered INTEGER,                -- 1 if the page was rendered in a browser
        elapsed_ms REAL,
        fetched_at TEXT,
        error_cause TEXT,
        error_detail TEXT,
        depth INTEGER,
        found_from TEXT,
        ip TEXT
    );
    CREATE INDEX IF NOT EXISTS pages_run_target ON pages(run_id, target_id);
    CREATE TABLE IF NOT EXISTS artifacts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL REFERENCES targets(id),
        page_id INTEGER REFERENCES pages(id),
        kind TEXT NOT NULL,              -- rendered | vnu | css | sitemap
        data BLOB                        -- zlib-compressed JSON
    );
    CREATE INDEX IF NOT EXISTS artifacts_run_target ON artifacts(run_id, target_id);
    CREATE TABLE IF NOT EXISTS findings (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL REFERENCES targets(id),
        indicator TEXT NOT NULL,
        status TEXT NOT NULL,            -- pass | fail | warn | error | manual | not_applicable
        url TEXT,
        summary TEXT,
        evidence TEXT,                   -- JSON list of {url, kind, snippet, selector, message}
        details TEXT,                    -- JSON object
        decree TEXT,
        un_code TEXT,
        probe_version TEXT,
        found_at TEXT,
        UNIQUE (run_id, target_id, indicator)
    );
    CREATE INDEX IF NOT EXISTS findings_indicator ON findings(indicator, status);
    """,
    # 2: findings keep their summary as a message id + parameters (for the report's
    # languages); the screenshots a capture refers to are listed, so retention never
    # deletes a picture a kept run shows (pictures live under captures/shots/, by content)
    """
    ALTER TABLE findings ADD COLUMN message TEXT;
    CREATE TABLE IF NOT EXISTS shots (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL REFERENCES targets(id),
        url TEXT NOT NULL,               -- the page that was rendered
        kind TEXT NOT NULL,              -- page | mobile-<width>
        path TEXT NOT NULL,              -- relative to the captures directory
        PRIMARY KEY (run_id, target_id, url, kind)
    );
    CREATE INDEX IF NOT EXISTS shots_path ON shots(path);
    """,
    # 3: auditors' manual verdicts (valid until superseded or withdrawn) and the UN-style
    # scores stored with each run (govscan/scores.py)
    """
    CREATE TABLE IF NOT EXISTS verdicts (
        id INTEGER PRIMARY KEY,
        target_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        status TEXT NOT NULL,            -- pass | warn | fail | not_applicable
        auditor TEXT NOT NULL,           -- who decided
        decided_at TEXT NOT NULL,        -- when the auditor checked (ISO date or time)
        note TEXT,
        evidence_url TEXT,               -- where the auditor saw it
        entered_at TEXT NOT NULL,
        withdrawn_at TEXT,               -- set by `govscan verdict withdraw`
        withdrawn_by TEXT,
        withdraw_note TEXT
    );
    CREATE INDEX IF NOT EXISTS verdicts_target ON verdicts(target_id, indicator);
    CREATE TABLE IF NOT EXISTS scores (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL,
        criterion TEXT NOT NULL,         -- osi | losi | content
        indicators INTEGER, met INTEGER, judged INTEGER, by_verdict INTEGER,
        strict REAL, adjusted REAL, band TEXT, band_adjusted TEXT,
        PRIMARY KEY (run_id, target_id, criterion)
    );
    """,
    # 4: nightly operation - the regressions each run found (the rule is
    # govscan/changes.py; stored so SQL can read them), when a run's captures were pruned
    # (its findings stay), and views a person can read in Datasette
    """
    ALTER TABLE runs ADD COLUMN captures_pruned_at TEXT;
    CREATE TABLE IF NOT EXISTS regressions (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        target_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        after_runs INTEGER NOT NULL,     -- consecutive failing runs that made it one (N)
        PRIMARY KEY (run_id, target_id, indicator)
    );
    CREATE INDEX IF NOT EXISTS findings_target_indicator ON findings(target_id, indicator, run_id);
    CREATE VIEW IF NOT EXISTS latest_findings AS
        SELECT f.target_id, t.name_uz AS target_name, t.level, f.indicator, f.status,
               f.summary, f.url, f.run_id, r.started_at AS run_started_at, f.found_at,
               f.probe_version, f.decree, f.un_code
        FROM findings f JOIN runs r ON r.id = f.run_id
        LEFT JOIN targets t ON t.id = f.target_id
        WHERE f.run_id = (SELECT max(f2.run_id) FROM findings f2 JOIN runs r2 ON r2.id = f2.run_id
                          WHERE r2.status = 'completed' AND f2.target_id = f.target_id
                          AND f2.indicator = f.indicator);
    CREATE VIEW IF NOT EXISTS regressions_by_run AS
        SELECT g.run_id, r.started_at AS run_started_at, g.target_id, t.name_uz AS target_name,
               g.indicator, g.after_runs, f.status, f.summary, f.url
        FROM regressions g JOIN runs r ON r.id = g.run_id
        LEFT JOIN targets t ON t.id = g.target_id
        LEFT JOIN findings f ON f.run_id = g.run_id AND f.target_id = g.target_id
                             AND f.indicator = g.indicator;
    CREATE VIEW IF NOT EXISTS latest_regressions AS
        SELECT * FROM regressions_by_run WHERE run_id = (SELECT max(id) FROM runs
            WHERE status = 'completed' AND json_extract(options, '$.rejudge_of') IS NULL);
    CREATE VIEW IF NOT EXISTS scores_by_run AS
        SELECT s.run_id, r.started_at AS run_started_at, s.target_id, t.name_uz AS target_name,
               t.level, s.criterion, s.met, s.judged, s.indicators,
               round(100.0 * s.strict, 1) AS strict_percent,
               round(100.0 * s.adjusted, 1) AS adjusted_percent, s.band, s.band_adjusted,
               s.by_verdict
        FROM scores s JOIN runs r ON r.id = s.run_id LEFT JOIN targets t ON t.id = s.target_id;
    CREATE VIEW IF NOT EXISTS latest_scores AS
        SELECT * FROM scores_by_run WHERE run_id = (SELECT max(id) FROM runs
                                                    WHERE status = 'completed');
    """,
]

VERDICT_STATUSES = ("pass", "warn", "fail", "not_applicable")


def screenshots_of(rendered: Rendered) -> list[tuple[str, str]]:
    """(kind, path) of every screenshot of a rendered page: the page itself ("page"), and
    the mobile emulation's picture(s) ("mobile", "mobile-<key>") when taken."""
    out = [("page", rendered.screenshot)] if rendered.screenshot else []
    m = rendered.mobile or {}
    if isinstance(m.get("screenshot"), str) and m["screenshot"]:
        out.append(("mobile", m["screenshot"]))
    for key, v in sorted(m.items()):
        if isinstance(v, dict) and isinstance(v.get("screenshot"), str) and v["screenshot"]:
            out.append((f"mobile-{key}", v["screenshot"]))
    return out


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _j(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _pack(body: bytes) -> tuple[str, bytes]:
    """(sha256, zstd level-3 blob) of a body; bodies are deduplicated by the hash. zstd:
    0.23 ms for a 41 KB page against zlib level 1's 0.50, and smaller (issue 14)."""
    return hashlib.sha256(body).hexdigest(), zstandard.compress(body, 3)


def unpack_body(blob: bytes | None) -> bytes:
    """A stored body's bytes: zstd, or zlib as databases before issue 14 stored them."""
    if not blob:
        return b""
    if blob[:4] == ZSTD_MAGIC:
        return zstandard.decompress(blob)
    return zlib.decompress(blob)


def pack_bodies(site: SiteCapture) -> dict[int, tuple[str, bytes, bytes]]:
    """Every body of a capture hashed and compressed, keyed by the body object's id (with
    the body itself, so a reused id never matches): both calls release the GIL, so the
    scan runs this in a thread while the capture is judged, off the event loop's core."""
    out: dict[int, tuple[str, bytes, bytes]] = {}
    resps = [p.response for p in site.all_pages()] + list(site.endpoints.values()) + \
        ([site.robots] if site.robots is not None else []) + \
        [sm.response for sm in site.sitemaps if sm.response is not None] + \
        list(site.side.values()) + list(site.legacy)
    for r in resps:
        b = r.body
        if b and id(b) not in out:
            out[id(b)] = (*_pack(b), b)
    return out


def _z(obj: Any) -> bytes:
    return zlib.compress(_j(obj).encode("utf-8"), 6)


def _unz(blob: bytes | None) -> Any:
    return json.loads(zlib.decompress(blob)) if blob else None


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._packed: dict = {}  # save_target_result's pre-packed bodies, while it runs
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.enable_wal()
        self.migrate()

    # --- schema -------------------------------------------------------------------------
    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} has schema version {current}, newer than this "
                               f"govscan ({SCHEMA_VERSION}): upgrade govscan")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.db.atomic():
                for stmt in MIGRATIONS[version - 1].split(";"):
                    if stmt.strip():
                        self.db.execute(stmt)
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                                [str(version)])

    def close(self) -> None:
        self.db.close()

    # --- runs ---------------------------------------------------------------------------
    def start_run(self, options: dict, targets: list[Target]) -> int:
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO runs (started_at, status, govscan_version, options, targets_total)"
                " VALUES (?, 'running', ?, ?, ?)",
                [_now(), __version__, _j(options), len(targets)])
            self._save_targets(targets)
        return cur.lastrowid

    def _save_targets(self, targets: Iterable[Target]) -> None:
        for t in targets:
            self.db.execute(
                "INSERT INTO targets VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "name_uz=excluded.name_uz, name_ru=excluded.name_ru, level=excluded.level, "
                "region=excluded.region, start_url=excluded.start_url, scope=excluded.scope, "
                "languages=excluded.languages, legacy_domains=excluded.legacy_domains",
                [t.id, t.name_uz, t.name_ru, t.level, t.region, t.start_url, t.scope,
                 _j(t.languages), _j(list(t.legacy_domains))])

    def resume_run(self) -> int | None:
        """The newest run that did not finish (status ``running`` or ``aborted``)."""
        row = self.db.execute("SELECT id FROM runs WHERE status IN ('running','aborted') "
                              "ORDER BY id DESC LIMIT 1").fetchone()
        if row:
            self.db.execute("UPDATE runs SET status='running', finished_at=NULL WHERE id=?",
                            [row[0]])
            self.db.conn.commit()
        return row[0] if row else None

    def run_options(self, run_id: int) -> dict:
        row = self.db.execute("SELECT options FROM runs WHERE id=?", [run_id]).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def done_target_ids(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT target_id FROM captures WHERE run_id=?", [run_id])}

    def finish_run(self, run_id: int, status: str, summary: dict) -> None:
        with self.db.atomic():
            self.db.execute("UPDATE runs SET status=?, finished_at=?, summary=? WHERE id=?",
                            [status, _now(), _j(summary), run_id])
        self.rescore(run_id)

    def rescore(self, run_id: int) -> list[dict]:
        """Compute and store the run's scores from its findings and the verdicts in force
        (after a run, and again when a verdict is added or withdrawn)."""
        from . import scores

        levels = {tid: t.get("level") or "" for tid, t in self.targets().items()}
        rows = [s.to_dict() for s in scores.run_scores(self.findings(run_id), levels,
                                                        self.verdicts())]
        self.save_scores(run_id, rows)
        return rows

    def run_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM runs ORDER BY id")]

    def vacuum(self) -> None:
        """Give the space of deleted rows back to the disk: the write-ahead log is folded in
        first, then VACUUM rewrites the file (it needs free disk space about the database's
        size, and the run lock - ``govscan.retention`` takes it - so no scan writes)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def latest_run(self, finished_only: bool = False) -> int | None:
        q = "SELECT id FROM runs " + ("WHERE status='completed' " if finished_only else "") + \
            "ORDER BY id DESC LIMIT 1"
        row = self.db.execute(q).fetchone()
        return row[0] if row else None

    # --- nightly operation: history, regressions, retention -----------------------------
    def completed_runs(self, scans_only: bool = False, upto: int | None = None) -> list[int]:
        """Ids of the completed runs, oldest first; ``scans_only`` leaves out re-judged runs
        (a re-judgement is not a new look at the sites); ``upto``: runs <= this id."""
        q = "SELECT id FROM runs WHERE status='completed'"
        if scans_only:
            q += " AND json_extract(options, '$.rejudge_of') IS NULL"
        if upto is not None:
            q += f" AND id <= {int(upto)}"
        return [r[0] for r in self.db.execute(q + " ORDER BY id")]

    def statuses(self, run_id: int) -> list[dict]:
        """A run's findings with their status only (cheap: for regression histories)."""
        return list(self.db.query("SELECT target_id, indicator, status FROM findings "
                                  "WHERE run_id=?", [run_id]))

    def save_regressions(self, run_id: int, pairs: Iterable[tuple[str, str]], n: int) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM regressions WHERE run_id=?", [run_id])
            for tid, ind in pairs:
                self.db.execute("INSERT INTO regressions VALUES (?,?,?,?)",
                                [run_id, tid, ind, n])

    def regressions(self, run_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM regressions_by_run WHERE run_id=? "
                                  "ORDER BY target_id, indicator", [run_id]))

    def runs(self) -> list[dict]:
        """Every run, oldest first, with its options and summary decoded."""
        out = []
        for r in self.db.query("SELECT * FROM runs ORDER BY id"):
            r["options"] = json.loads(r["options"] or "{}")
            r["summary"] = json.loads(r["summary"] or "{}")
            out.append(r)
        return out

    def prune_captures(self, run_ids: Iterable[int]) -> dict:
        """Retention: drop what ``run_ids`` captured - page bodies (the page rows and their
        metadata stay), artifacts, screenshot references - and the bodies no page uses any
        more. Findings, scores and regressions are kept: every run's results stay readable.
        The run is marked ``captures_pruned_at`` (it can no longer be re-judged). Runs still
        ``running`` are never touched. Returns what was removed."""
        removed = {"runs": 0, "pages": 0, "artifacts": 0, "shots": 0, "bodies": 0}
        with self.db.atomic():
            for run_id in run_ids:
                row = self.db.execute("SELECT status, captures_pruned_at FROM runs WHERE id=?",
                                      [run_id]).fetchone()
                if row is None or row[0] == "running" or row[1]:
                    continue
                removed["runs"] += 1
                removed["artifacts"] += self.db.execute(
                    "DELETE FROM artifacts WHERE run_id=?", [run_id]).rowcount
                removed["shots"] += self.db.execute(
                    "DELETE FROM shots WHERE run_id=?", [run_id]).rowcount
                removed["pages"] += self.db.execute(
                    "UPDATE pages SET body_sha256=NULL WHERE run_id=? AND body_sha256 IS NOT "
                    "NULL", [run_id]).rowcount
                self.db.execute("UPDATE runs SET captures_pruned_at=? WHERE id=?",
                                [_now(), run_id])
            removed["bodies"] = self.db.execute(
                "DELETE FROM bodies WHERE sha256 NOT IN (SELECT body_sha256 FROM pages "
                "WHERE body_sha256 IS NOT NULL)").rowcount
        return removed

    def run_sizes(self) -> list[dict]:
        """Bytes each run takes in the database: its page rows, artifacts, findings, and the
        bodies it stored first (a body is stored once; later runs that saw the same content
        cost nothing for it). An estimate from the stored lengths, not SQLite's pages."""
        first_use = {}
        for sha, run in self.db.execute("SELECT body_sha256, min(run_id) FROM pages WHERE "
                                        "body_sha256 IS NOT NULL GROUP BY body_sha256"):
            first_use[sha] = run
        body_bytes: dict[int, int] = {}
        for sha, n in self.db.execute("SELECT sha256, length(body) FROM bodies"):
            run = first_use.get(sha)
            if run is not None:
                body_bytes[run] = body_bytes.get(run, 0) + (n or 0)

        def per_run(q: str) -> dict[int, int]:
            return {r: n or 0 for r, n in self.db.execute(q)}

        pages = per_run("SELECT run_id, sum(length(requested_url) + coalesce(length(headers),"
                        "0) + coalesce(length(redirect_chain),0) + coalesce(length(tls),0) "
                        "+ 120) FROM pages GROUP BY run_id")
        arts = per_run("SELECT run_id, sum(length(data)) FROM artifacts GROUP BY run_id")
        finds = per_run("SELECT run_id, sum(coalesce(length(evidence),0) + coalesce("
                        "length(details),0) + coalesce(length(summary),0) + coalesce("
                        "length(message),0)) FROM findings GROUP BY run_id")
        out = []
        for r in self.db.query("SELECT id, status, started_at, captures_pruned_at FROM runs "
                               "ORDER BY id"):
            i = r["id"]
            parts = {"bodies": body_bytes.get(i, 0), "pages": pages.get(i, 0),
                     "artifacts": arts.get(i, 0), "findings": finds.get(i, 0)}
            out.append({**r, **parts, "bytes": sum(parts.values())})
        return out

    def file_size(self) -> int:
        """The database's bytes on disk (with its write-ahead log)."""
        return sum(Path(f"{self.path}{s}").stat().st_size for s in ("", "-wal")
                   if Path(f"{self.path}{s}").exists())

    # --- auditors' verdicts and scores ---------------------------------------------------
    def add_verdict(self, target_id: str, indicator: str, status: str, auditor: str,
                    note: str = "", evidence_url: str = "", decided_at: str = "") -> int:
        """Record an auditor's verdict; it supersedes the earlier ones of the same target and
        indicator. Raises ``ValueError`` on an unknown target, indicator or status."""
        from probes import catalogue

        if status not in VERDICT_STATUSES:
            raise ValueError(f"verdict status must be one of {', '.join(VERDICT_STATUSES)}, "
                             f"not {status!r}")
        catalogue.get(indicator)  # KeyError with the known ids
        if target_id not in self.targets():
            raise ValueError(f"unknown target {target_id!r} (scan it once first)")
        if not auditor.strip():
            raise ValueError("a verdict needs the auditor's name")
        if evidence_url and not evidence_url.startswith(("http://", "https://")):
            raise ValueError("the evidence URL must be http(s)")
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO verdicts (target_id, indicator, status, auditor, decided_at, note,"
                " evidence_url, entered_at) VALUES (?,?,?,?,?,?,?,?)",
                [target_id, indicator, status, auditor.strip(), decided_at or _now(), note,
                 evidence_url, _now()])
        return cur.lastrowid

    def withdraw_verdict(self, verdict_id: int, by: str, note: str = "") -> None:
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE verdicts SET withdrawn_at=?, withdrawn_by=?, withdraw_note=? "
                "WHERE id=? AND withdrawn_at IS NULL", [_now(), by, note, verdict_id])
        if not cur.rowcount:
            raise ValueError(f"no verdict {verdict_id} in force")

    def verdicts(self, target_id: str | None = None, valid_only: bool = True) -> list[dict]:
        """The verdicts, newest first. ``valid_only``: per (target, indicator) only the latest
        one not withdrawn - the one in force ("valid until superseded")."""
        q = "SELECT * FROM verdicts" + (" WHERE target_id=?" if target_id else "")
        rows = list(self.db.query(q + " ORDER BY id DESC", [target_id] if target_id else []))
        if not valid_only:
            return rows
        seen, out = set(), []
        for r in rows:
            key = (r["target_id"], r["indicator"])
            if key in seen:
                continue
            seen.add(key)
            if r["withdrawn_at"] is None:
                out.append(r)
        return out

    def save_scores(self, run_id: int, scores: Iterable[dict]) -> None:
        """Replace the run's stored scores (``govscan.scores.Score.to_dict()`` rows)."""
        cols = ("target_id", "criterion", "indicators", "met", "judged", "by_verdict",
                "strict", "adjusted", "band", "band_adjusted")
        with self.db.atomic():
            self.db.execute("DELETE FROM scores WHERE run_id=?", [run_id])
            for s in scores:
                self.db.execute(f"INSERT INTO scores (run_id, {', '.join(cols)}) VALUES "
                                f"(?{', ?' * len(cols)})", [run_id] + [s[c] for c in cols])

    def scores(self, run_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM scores WHERE run_id=? ORDER BY target_id, "
                                  "criterion", [run_id]))

    # --- read methods for the report (issue 11) -------------------------------------------
    def previous_run(self, run_id: int) -> int | None:
        """The latest completed run before ``run_id`` (what "changes since" compares to)."""
        row = self.db.execute("SELECT id FROM runs WHERE status='completed' AND id < ? "
                              "ORDER BY id DESC LIMIT 1", [run_id]).fetchone()
        return row[0] if row else None

    def recent_runs(self, run_id: int, n: int = 10) -> list[dict]:
        """``run_id`` and the completed runs before it, at most ``n``, oldest first:
        ``{id, started_at}`` (the report's trends)."""
        rows = list(self.db.query(
            "SELECT id, started_at FROM runs WHERE id = ? OR (status='completed' AND id < ?) "
            "ORDER BY id DESC LIMIT ?", [run_id, run_id, n]))
        return rows[::-1]

    def status_counts(self, run_ids: Iterable[int]) -> list[dict]:
        """Per run and indicator, how many findings have each status: ``{run_id,
        indicator, status, n}``."""
        ids = list(run_ids)
        if not ids:
            return []
        return list(self.db.query(
            f"SELECT run_id, indicator, status, COUNT(*) AS n FROM findings WHERE run_id IN "
            f"({', '.join('?' * len(ids))}) GROUP BY run_id, indicator, status", ids))
    # --- end of the report's read methods ------------------------------------------------

    # --- saving a target ----------------------------------------------------------------
    def _body(self, body: bytes) -> str | None:
        if not body:
            return None
        packed = self._packed.get(id(body))
        digest, blob = packed[:2] if packed is not None and packed[2] is body else _pack(body)
        self.db.execute("INSERT OR IGNORE INTO bodies VALUES (?,?,?)",
                        [digest, len(body), blob])
        return digest

    def _page_row(self, run_id, target_id, role, seq, resp: Response, role_key="",
                  page: Page | None = None) -> int:
        err = resp.error
        cur = self.db.execute(
            "INSERT INTO pages (run_id, target_id, role, role_key, seq, requested_url, "
            "final_url, status, content_type, encoding, headers, redirect_chain, tls, "
            "body_sha256, body_size, truncated, fetched, rendered, elapsed_ms, fetched_at, "
            "error_cause, error_detail, depth, found_from, ip) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [run_id, target_id, role, role_key, seq, resp.requested_url, resp.url, resp.status,
             resp.content_type, resp.encoding, _j(resp.headers),
             _j([h.to_dict() for h in resp.redirects]),
             _j(resp.tls.to_dict()) if resp.tls else None, self._body(resp.body),
             len(resp.body), int(resp.truncated), int(resp.status is not None),
             int(bool(page and page.rendered)), resp.elapsed_ms, resp.fetched_at,
             str(err.cause) if err else None, err.detail if err else None,
             page.depth if page else None, page.found_from if page else None, resp.ip])
        return cur.lastrowid

    def _artifact(self, run_id, target_id, page_id, kind, data) -> None:
        self.db.execute("INSERT INTO artifacts (run_id, target_id, page_id, kind, data) "
                        "VALUES (?,?,?,?,?)", [run_id, target_id, page_id, kind, _z(data)])

    def save_target_result(self, run_id: int, site: SiteCapture, findings: list,
                           packed: dict | None = None) -> None:
        """Write one target's whole capture and findings in one transaction. ``packed``:
        ``pack_bodies(site)``, made beforehand in a thread (else the bodies are packed
        here)."""
        self._packed = packed or {}
        try:
            self._save_target_result(run_id, site, findings)
        finally:
            self._packed = {}

    def _save_target_result(self, run_id: int, site: SiteCapture, findings: list) -> None:
        t = site.target
        with self.db.atomic():
            # a target may be re-saved when a resumed run re-captures it: replace, never double
            for table in ("findings", "artifacts", "shots", "pages", "captures"):
                self.db.execute(f"DELETE FROM {table} WHERE run_id=? AND target_id=?",
                                [run_id, t.id])
            self._save_targets([t])
            seq = 0
            for role, pages in (("page", site.pages), ("linked", site.linked)):
                for p in pages:
                    pid = self._page_row(run_id, t.id, role, seq, p.response, page=p)
                    seq += 1
                    if p.rendered is not None:
                        self._artifact(run_id, t.id, pid, "rendered", p.rendered.to_dict())
                        for kind, path in screenshots_of(p.rendered):
                            self.db.execute("INSERT OR REPLACE INTO shots VALUES (?,?,?,?,?)",
                                            [run_id, t.id, p.url, kind, path])
                    if p.vnu is not None:
                        self._artifact(run_id, t.id, pid, "vnu", p.vnu.to_dict())
                    if p.css:
                        self._artifact(run_id, t.id, pid, "css", [c.to_dict() for c in p.css])
            for key, resp in site.endpoints.items():
                self._page_row(run_id, t.id, "endpoint", seq, resp, role_key=key)
                seq += 1
            if site.robots is not None:
                self._page_row(run_id, t.id, "robots", seq, site.robots)
                seq += 1
            for sm in site.sitemaps:
                pid = None
                if sm.response is not None:
                    pid = self._page_row(run_id, t.id, "sitemap", seq, sm.response)
                    seq += 1
                d = sm.to_dict()
                d.pop("response", None)
                self._artifact(run_id, t.id, pid, "sitemap", d)
            for key, resp in site.side.items():
                self._page_row(run_id, t.id, "side", seq, resp, role_key=key)
                seq += 1
            for resp in site.legacy:
                self._page_row(run_id, t.id, "legacy", seq, resp)
                seq += 1
            for f in findings:
                d = f.to_dict()
                self.db.execute(
                    "INSERT INTO findings (run_id, target_id, indicator, status, url, summary, "
                    "evidence, details, decree, un_code, probe_version, found_at, message) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [run_id, t.id, d["indicator"], d["status"], d["url"], d["summary"],
                     _j(d["evidence"]), _j(d["details"]), d["decree"], d["un_code"],
                     d["probe_version"], d["found_at"], _j(d.get("message") or {})])
            self.db.execute(
                "INSERT INTO captures VALUES (?,?,?,?,?,?,?,?)",
                [run_id, t.id, _now(), len(site.pages), _j(sorted(site.gathered)),
                 _j(site.notes), _j({k: v.to_dict() for k, v in site.errors.items()}),
                 _j(t.to_dict())])

    # --- reading back -------------------------------------------------------------------
    def findings(self, run_id: int, target_id: str | None = None) -> list[dict]:
        q = "SELECT * FROM findings WHERE run_id=?"
        args: list = [run_id]
        if target_id:
            q += " AND target_id=?"
            args.append(target_id)
        rows = []
        for r in self.db.query(q + " ORDER BY target_id, id", args):
            r["evidence"] = json.loads(r["evidence"] or "[]")
            r["details"] = json.loads(r["details"] or "{}")
            r["message"] = json.loads(r["message"] or "{}")
            rows.append(r)
        return rows

    def run_status_counts(self, run_id: int) -> dict[str, int]:
        """How many findings of the run have each status (counted by SQLite, not by
        decoding every finding's evidence)."""
        return {r["status"]: r["n"] for r in self.db.query(
            "SELECT status, COUNT(*) AS n FROM findings WHERE run_id=? GROUP BY status "
            "ORDER BY MIN(target_id), MIN(id)", [run_id])}

    def run(self, run_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id=?", [run_id]))
        if not rows:
            return None
        r = rows[0]
        r["options"] = json.loads(r["options"] or "{}")
        r["summary"] = json.loads(r["summary"] or "{}")
        return r

    def captures(self, run_id: int, target_id: str | None = None) -> list[dict]:
        """The saved captures of a run (one row per target), or of one target of it."""
        q, args = "SELECT * FROM captures WHERE run_id=?", [run_id]
        if target_id is not None:
            q, args = q + " AND target_id=?", args + [target_id]
        out = []
        for r in self.db.query(q + " ORDER BY target_id", args):
            for k in ("gathered", "notes", "errors", "target"):
                r[k] = json.loads(r[k] or "null")
            out.append(r)
        return out

    def body(self, sha256: str | None) -> bytes:
        if not sha256:
            return b""
        row = self.db.execute("SELECT body FROM bodies WHERE sha256=?", [sha256]).fetchone()
        return unpack_body(row[0]) if row else b""

    def targets(self) -> dict[str, dict]:
        """Every target as last scanned, by id."""
        out = {}
        for r in self.db.query("SELECT * FROM targets ORDER BY id"):
            r["languages"] = json.loads(r["languages"] or "{}")
            r["legacy_domains"] = json.loads(r["legacy_domains"] or "[]")
            out[r["id"]] = r
        return out

    def screenshots(self, run_id: int, target_id: str) -> list[dict]:
        """The screenshots of a target's rendered pages in a run: ``{url, kind, path}``,
        ``path`` relative to the captures directory (``captures_dir``)."""
        return list(self.db.query("SELECT url, kind, path FROM shots WHERE run_id=? AND "
                                  "target_id=? ORDER BY rowid", [run_id, target_id]))

    def shot_paths(self) -> set[str]:
        """Every screenshot path some stored run refers to (what retention must keep)."""
        return {r[0] for r in self.db.execute("SELECT DISTINCT path FROM shots")}

    @property
    def captures_dir(self) -> Path:
        """Where the captures' files (screenshots) live: ``captures/`` beside the database."""
        return self.path.resolve().parent / "captures"

    def _response(self, row: dict) -> Response:
        from crawler.artifacts import Hop, TLSInfo
        from crawler.causes import Cause, FetchError

        err = FetchError(Cause(row["error_cause"]), row["error_detail"] or "") \
            if row["error_cause"] else None
        return Response(
            requested_url=row["requested_url"], url=row["final_url"] or "",
            status=row["status"], headers=json.loads(row["headers"] or "{}"),
            redirects=[Hop(**h) for h in json.loads(row["redirect_chain"] or "[]")],
            body=self.body(row["body_sha256"]), encoding=row["encoding"] or "",
            elapsed_ms=row["elapsed_ms"] or 0.0, fetched_at=row["fetched_at"] or "",
            error=err, truncated=bool(row["truncated"]),
            tls=TLSInfo.from_dict(json.loads(row["tls"])) if row["tls"] else None,
            ip=row["ip"] or "")

    def load_capture(self, run_id: int, target_id: str) -> SiteCapture:
        """Rebuild a stored capture, so probes can judge it again (``govscan rejudge``)."""
        from crawler.causes import FetchError

        cap = next(iter(self.captures(run_id, target_id)), None)
        if cap is None:
            raise KeyError(f"run {run_id} has no capture of target {target_id!r}")
        target = Target.from_dict(cap["target"])
        site = SiteCapture(target=target, gathered=set(cap["gathered"] or []),
                           capture_dir=str(self.captures_dir),
                           notes=cap["notes"] or [],
                           errors={k: FetchError.from_dict(v)
                                   for k, v in (cap["errors"] or {}).items()})
        arts: dict[int | None, list[tuple[str, Any]]] = {}
        for a in self.db.query("SELECT page_id, kind, data FROM artifacts WHERE run_id=? AND "
                               "target_id=? ORDER BY id", [run_id, target_id]):
            arts.setdefault(a["page_id"], []).append((a["kind"], _unz(a["data"])))
        sitemap_by_page = {}
        for row in self.db.query("SELECT * FROM pages WHERE run_id=? AND target_id=? "
                                 "ORDER BY seq", [run_id, target_id]):
            resp = self._response(row)
            role = row["role"]
            if role in ("page", "linked"):
                page = Page(resp, depth=row["depth"] or 0, found_from=row["found_from"] or "",
                            role=role, scope=target.scope)
                for kind, data in arts.get(row["id"], []):
                    if kind == "rendered":
                        page.rendered = Rendered.from_dict(data)
                    elif kind == "vnu":
                        page.vnu = Validation.from_dict(data)
                    elif kind == "css":
                        page.css = [Validation.from_dict(c) for c in data]
                (site.pages if role == "page" else site.linked).append(page)
            elif role == "endpoint":
                site.endpoints[row["role_key"]] = resp
            elif role == "robots":
                site.robots = resp
            elif role == "sitemap":
                sitemap_by_page[row["id"]] = resp
            elif role == "side":
                site.side[row["role_key"]] = resp
            elif role == "legacy":
                site.legacy.append(resp)
        for page_id, items in arts.items():
            for kind, data in items:
                if kind == "sitemap":
                    doc = SitemapDoc.from_dict({**data, "response": None})
                    doc.response = sitemap_by_page.get(page_id)
                    site.sitemaps.append(doc)
        return site
