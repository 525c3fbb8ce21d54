"""The settings of every command: ``govscan.toml`` first, flags over it, defaults under both.

One table (``SETTINGS``) names each setting once: where it sits in the config file, the
command-line destination it fills, its type and its allowed range. ``apply(args, path)``
reads the file (``--config FILE``, else ``./govscan.toml`` when there is one), fills every
argument the command line left unset, and range-checks every value, wherever it came from -
so ``--timeout 0`` and ``[fetch] timeout = 0`` are refused by the same line, with the same
words (exit 2, one line). Relative paths in the file are relative to the file's folder (a
systemd unit or a cron job may start in another folder).

The file (every key optional; ``govscan.example.toml`` documents each)::

    targets = "targets.toml"     # or "builtin": the 228 real targets bundled with govscan
    database = "govscan.db"
    reports = "reports"          # latest/ and runs/<N>/
    log_file = "govscan-errors.log"
    [scan]      indicators, only, max_pages, render_pages, max_depth, target_concurrency,
                probe_workers, target_budget, report, summary, fail_on, regressions_after,
                exercise_post_search
    [fetch]     user_agent, per_host_concurrency, per_host_delay, global_concurrency,
                timeout, retries, max_body, ca_bundle, allow_private, resolve
    [browser]   render, concurrency, timeout, load_media, screenshots, outline
    [notify]    command, when, timeout
    [retention] keep_days, keep_runs, vacuum, after_scan
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_NAME = "govscan.toml"
BUILTIN = "builtin"  # --targets builtin: the bundled list of real targets


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line, naming where it came from."""


@dataclass(frozen=True)
class Setting:
    key: str  # "section.name" in the file ("name" at the top level)
    dest: str  # the argparse destination it fills
    kind: type  # int, float, str, bool, list, dict
    low: float | None = None  # smallest allowed value
    above: bool = False  # the value must be strictly greater than ``low``
    invert: bool = False  # a bool whose flag says the opposite (render -> --no-render)
    path: bool = False  # a file path: relative to the config file's folder
    choices: tuple[str, ...] = ()
    flag: str = ""  # the command-line spelling, for messages (default --dest)

    @property
    def option(self) -> str:
        return self.flag or "--" + self.dest.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting("targets", "targets", str, path=True),
    Setting("database", "db", str, path=True, flag="--db"),
    Setting("reports", "out", str, path=True, flag="--out"),
    Setting("log_file", "log_file", str, path=True),
    Setting("scan.indicators", "indicators", list),
    Setting("scan.only", "only", list),
    Setting("scan.max_pages", "max_pages", int, 1),
    Setting("scan.render_pages", "render_pages", int, 0),
    Setting("scan.max_depth", "max_depth", int, 0),
    Setting("scan.target_concurrency", "target_concurrency", int, 1),
    Setting("scan.probe_workers", "probe_workers", int, 0),
    Setting("scan.target_budget", "target_budget", float, 0, above=True),
    Setting("scan.report", "report", bool),
    Setting("scan.summary", "summary", str, path=True),
    Setting("scan.fail_on", "fail_on", str, choices=("failures", "regressions")),
    Setting("scan.regressions_after", "regressions_after", int, 1),
    Setting("scan.exercise_post_search", "exercise_post_search", bool),
    Setting("fetch.user_agent", "user_agent", str),
    Setting("fetch.per_host_concurrency", "per_host_concurrency", int, 1),
    Setting("fetch.per_host_delay", "per_host_delay", float, 0),
    Setting("fetch.global_concurrency", "global_concurrency", int, 1),
    Setting("fetch.timeout", "timeout", float, 0, above=True),
    Setting("fetch.retries", "retries", int, 0),
    Setting("fetch.max_body", "max_body", float, 0, above=True),
    Setting("fetch.ca_bundle", "ca_bundle", str, path=True),
    Setting("fetch.allow_private", "allow_private", bool),
    Setting("fetch.resolve", "resolve_map", dict),
    Setting("browser.render", "no_render", bool, invert=True),
    Setting("browser.concurrency", "browser_concurrency", int, 1),
    Setting("browser.timeout", "browser_timeout", float, 0, above=True),
    Setting("browser.load_media", "load_media", bool),
    Setting("browser.screenshots", "no_screenshots", bool, invert=True),
    Setting("browser.outline", "outline", list),
    Setting("notify.command", "notify", list, flag="--notify"),
    Setting("notify.when", "notify_when", str, choices=("always", "failures", "regressions")),
    Setting("notify.timeout", "notify_timeout", float, 0, above=True),
    Setting("retention.keep_days", "days", float, 0, above=True, flag="--days"),
    Setting("retention.keep_runs", "keep", int, 1, flag="--keep"),
    Setting("retention.vacuum", "vacuum", bool),
    Setting("retention.after_scan", "prune_after", bool),
)
BY_KEY = {s.key: s for s in SETTINGS}
BY_DEST = {s.dest: s for s in SETTINGS}


def check(s: Setting, value: Any, where: str) -> Any:
    """``value`` if it is a valid ``s``, else ``ConfigError`` naming ``where`` it came from
    (``--timeout 0`` or ``govscan.toml: [fetch] timeout = 0``). The one range check."""
    def bad(why: str):
        raise ConfigError(f"{where}: {why}")

    if s.kind is bool:
        if not isinstance(value, bool):
            bad("must be true or false")
        return value
    if s.kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            bad("must be a number")
        if s.kind is int and not float(value).is_integer():
            bad("must be a whole number")
        if isinstance(value, float) and not math.isfinite(value):
            bad("must be a finite number")
        if s.low is not None:
            if s.above and not value > s.low:
                bad(f"must be greater than {s.low:g}")
            if not s.above and value < s.low:
                bad(f"must be at least {s.low:g}")
        return s.kind(value)
    if s.kind is str:
        if not isinstance(value, str) or not value.strip():
            bad("must be a non-empty string")
        if s.choices and value not in s.choices:
            bad(f"must be one of {', '.join(s.choices)}")
        return value
    if s.kind is list:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            bad("must be a list of strings")
        return value
    if s.kind is dict:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            bad('must be a table of strings, like { "gov.uz" = "10.0.0.5" }')
        return value
    raise AssertionError(s.kind)  # pragma: no cover


def _flat(data: dict, path: Path) -> dict[str, Any]:
    """The file's tables as ``section.key`` -> value; unknown keys are refused (a typo
    must not be silently ignored by a nightly job)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict) and k in {s.key.split(".")[0] for s in SETTINGS if "." in s.key}:
            for k2, v2 in v.items():
                out[f"{k}.{k2}"] = v2
        else:
            out[k] = v
    for k in out:
        if k not in BY_KEY:
            sec, _, name = k.rpartition(".")
            shown = f"[{sec}] {name}" if sec else name
            raise ConfigError(f"{path}: unknown setting {shown}")
    return out


def _shown(s: Setting, path: Path, value: Any) -> str:
    sec, _, name = s.key.rpartition(".")
    return f"{path}: {'[' + sec + '] ' if sec else ''}{name} = {value!r}"


def find_config(explicit: str | None) -> Path | None:
    """``--config FILE`` (must exist), else ``./govscan.toml`` when there is one."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise ConfigError(f"--config {explicit}: no such file")
        return p
    p = Path(CONFIG_NAME)
    return p if p.is_file() else None


def load(path: Path) -> dict[str, Any]:
    """The checked values of the file at ``path``, by destination."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    out: dict[str, Any] = {}
    for key, value in _flat(data, path).items():
        s = BY_KEY[key]
        value = check(s, value, _shown(s, path, value))
        if s.path and value != BUILTIN:
            value = str((path.parent / Path(value).expanduser()).resolve()) \
                if not Path(value).expanduser().is_absolute() else str(Path(value).expanduser())
        if s.invert:
            value = not value
        out[s.dest] = value
    return out


def apply(args, explicit: str | None = None) -> Path | None:
    """Fill ``args`` from the config file where the command line left a setting unset
    (``None``), then range-check every set value of the command line. Returns the file
    used (or None). Raises ``ConfigError`` (one line)."""
    path = find_config(explicit)
    from_file = load(path) if path else {}
    given = {d for d in BY_DEST if getattr(args, d, None) not in (None, [])}
    for dest in given:  # the command line: the same checks as the file
        s = BY_DEST[dest]
        v = getattr(args, dest)
        if s.kind in (int, float) or s.choices:
            check(s, v, f"{s.option} {v:g}" if isinstance(v, float) else f"{s.option} {v}")
    for dest, value in from_file.items():
        if hasattr(args, dest) and dest not in given:
            setattr(args, dest, value)
    args.config_file = path
    return path
