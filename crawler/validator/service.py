"""The local Nu HTML Checker (vnu.jar) as a long-lived service: find Java and the jar, start
the JVM on a free loopback port, wait until it answers, restart it once when it dies, stop it,
and stop the orphaned JVMs of killed runs.

The public validators (validator.w3.org/nu, jigsaw) ban an address after ~150 requests in 10
minutes, so govscan runs the Nu HTML Checker itself: ``vnu.jar`` (npm ``vnu-jar``, pinned in
package.json) started **once per run** as a local HTTP service bound to 127.0.0.1. A JVM per
document costs ~2 s of start-up; a warm service checks tens of documents per second.

``VnuService`` - ``start`` (free port, spawn, wait for readiness), ``stop``, ``_recover``. A
service that dies is restarted **once**; after that (or when Java or the jar is missing) every
call raises ``ValidatorUnavailable``. Posting documents to it is ``crawler.validator.client``
(``VnuService.validate_html`` and friends are thin methods delegating there).

The JVM runs with the system properties of vnu's own command line and conformance runner
(``VNU_PROPERTIES``; bench/vnu_corpus.py shows the service then classifies all 3,492
conformance documents exactly as ``java -jar vnu.jar`` does). Each JVM's pid is recorded in
``$TMPDIR/govscan-vnu/``; a run killed with SIGKILL cannot stop its JVM, so the next start
stops such orphans (``reap_orphans``).

Finding the jar: env ``GOVSCAN_VNU_JAR``, else ``node_modules/vnu-jar/build/dist/vnu.jar``
under the repository root (or the current directory). Java: env ``GOVSCAN_JAVA``, else
``$JAVA_HOME/bin/java``, else ``java`` on PATH.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import httpx

from ..causes import Cause, FetchError

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
JAR_RELATIVE = Path("node_modules/vnu-jar/build/dist/vnu.jar")

# JVM system properties of the service: the configuration vnu's own command line
# (``java -jar vnu.jar``) and its conformance test runner use, so that "valid" means what the
# Nu checker's test suite means by it (bench/vnu_corpus.py checks this on 3,492 documents):
# * datatype.warn - a URL that is only *potentially* bad (e.g. a fragment in a data: URL) is
#   a warning, as on the command line, not an error (the servlet's own default);
# * ignoreMissingLang - no "Consider adding a lang attribute" warning (the conformance runner
#   sets it; a missing ``lang`` is judged by the wcag probe, axe rule html-has-lang);
# * max-file-size - the servlet refuses documents over 2 MB ("Resource size exceeds limit");
#   the fetcher's body cap is 8 MiB, so the service accepts up to MAX_DOCUMENT_BYTES.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
JVM_ARGS: list[str] = []  # extra JVM flags (bench/bench_vnu.py measures the choice)
VNU_PROPERTIES: dict[str, str] = {
    "nu.validator.datatype.warn": "true",
    "nu.validator.checker.ignoreMissingLang": "true",
    "nu.validator.servlet.max-file-size": str(MAX_DOCUMENT_BYTES),
}


class ValidatorUnavailable(RuntimeError):
    """The local vnu service cannot be used (Java or the jar missing, failed to start, or
    died twice). ``cause`` is always ``Cause.VALIDATOR_UNAVAILABLE``."""

    cause = Cause.VALIDATOR_UNAVAILABLE

    def to_fetch_error(self) -> FetchError:
        return FetchError(Cause.VALIDATOR_UNAVAILABLE, str(self))


def find_jar() -> Path | None:
    """The vnu.jar to run: ``$GOVSCAN_VNU_JAR``, else the npm install under the repository
    root, else under the current directory."""
    env = os.environ.get("GOVSCAN_VNU_JAR")
    if env:
        return Path(env) if Path(env).is_file() else None
    for base in (REPO_ROOT, Path.cwd()):
        p = base / JAR_RELATIVE
        if p.is_file():
            return p
    return None


def find_java() -> str | None:
    """The java executable: ``$GOVSCAN_JAVA``, ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    env = os.environ.get("GOVSCAN_JAVA")
    if env:
        return env if shutil.which(env) else None
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LIVE: "weakref.WeakSet[VnuService]" = weakref.WeakSet()

# Each JVM govscan starts is recorded in RUN_DIR/<jvm pid>.json with the pid of the Python
# process that owns it. A scan killed with SIGKILL cannot stop its JVM; the next start reaps
# such orphans (only processes govscan recorded, only if still running the vnu servlet).
RUN_DIR = Path(tempfile.gettempdir()) / "govscan-vnu"
MAIN_CLASS = "nu.validator.servlet.Main"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except OSError:
        return ""


def reap_orphans(run_dir: Path | None = None) -> list[int]:
    """Stop vnu JVMs recorded by a govscan process that no longer exists; returns their
    pids. A record whose JVM is gone (or is no longer the vnu servlet) is just removed."""
    import json

    run_dir = run_dir or RUN_DIR
    reaped = []
    for rec in run_dir.glob("*.json") if run_dir.is_dir() else ():
        try:
            d = json.loads(rec.read_text())
            jvm, owner = int(d["jvm"]), int(d["owner"])
        except (OSError, ValueError, KeyError):
            continue
        if _pid_alive(owner):
            continue
        if _pid_alive(jvm) and MAIN_CLASS in _cmdline(jvm):
            try:
                os.kill(jvm, signal.SIGTERM)
                reaped.append(jvm)
            except ProcessLookupError:
                pass
        try:
            rec.unlink()
        except OSError:
            pass
    return reaped


def _record(pid: int) -> None:
    import json

    try:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        (RUN_DIR / f"{pid}.json").write_text(json.dumps({"jvm": pid, "owner": os.getpid()}))
    except OSError:  # best effort
        pass


def _unrecord(pid: int | None) -> None:
    if pid is not None:
        try:
            (RUN_DIR / f"{pid}.json").unlink()
        except OSError:
            pass


@atexit.register
def _stop_all() -> None:  # pragma: no cover - interpreter exit
    for svc in list(_LIVE):
        try:
            svc.stop()
        except Exception:  # noqa: BLE001
            pass


class VnuService:
    """A long-lived local Nu HTML Checker HTTP service (one JVM for the whole run).

    ``start()`` picks a free loopback port, spawns ``java -Xss4m -Xmx1g -cp vnu.jar
    nu.validator.servlet.Main <port>`` bound to 127.0.0.1 and waits until it answers (at most
    ``startup_timeout`` seconds). Calls are thread-safe (one pooled ``httpx.Client``) and
    asyncio-friendly (an ``httpx.AsyncClient`` per event loop); the requests themselves are
    ``crawler.validator.client``, which the ``validate_*`` methods delegate to. When a call
    finds the JVM dead the service is restarted once (``max_restarts``); the next death makes
    every call raise ``ValidatorUnavailable``. ``stop()`` is idempotent and also runs at
    interpreter exit.
    """

    def __init__(self, jar: str | Path | None = None, java: str | None = None,
                 xss: str = "4m", xmx: str = "1g", startup_timeout: float = 90.0,
                 request_timeout: float = 120.0, max_restarts: int = 1,
                 properties: dict[str, str] | None = None,
                 jvm_args: list[str] | None = None):
        self.jar = Path(jar) if jar else find_jar()
        self.java = java or find_java()
        self.xss, self.xmx = xss, xmx
        self.startup_timeout = startup_timeout
        self.request_timeout = request_timeout
        self.max_restarts = max_restarts
        self.properties = dict(VNU_PROPERTIES if properties is None else properties)
        self.jvm_args = list(JVM_ARGS if jvm_args is None else jvm_args)
        self.restarts = 0  # how many times a dead service was restarted
        self.starts = 0  # how many JVMs were spawned in all
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.unavailable: str = ""  # set once the service is given up: the reason
        self._lock = threading.RLock()
        self._client: httpx.Client | None = None
        self._aclients: dict[int, tuple[Any, httpx.AsyncClient]] = {}
        self._log_path: str = ""
        self._log_file = None

    # --- lifecycle ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def command(self, port: int) -> list[str]:
        return [self.java or "java", f"-Xss{self.xss}", f"-Xmx{self.xmx}",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                *self.jvm_args,
                *(f"-D{k}={v}" for k, v in self.properties.items()),
                "-Djava.awt.headless=true", "-cp", str(self.jar),
                "nu.validator.servlet.Main", str(port)]

    def start(self) -> "VnuService":
        """Spawn the JVM and wait for readiness. Raises ``ValidatorUnavailable`` with a clear
        reason (no Java, no jar, the JVM exited, or it did not answer in time)."""
        with self._lock:
            if self.alive():
                return self
            if self.unavailable:
                raise ValidatorUnavailable(self.unavailable)
            if not self.java:
                raise ValidatorUnavailable(
                    "Java was not found (install a Java 11+ runtime, e.g. `apt-get install "
                    "default-jre-headless`, or set GOVSCAN_JAVA / JAVA_HOME)")
            if not self.jar or not Path(self.jar).is_file():
                raise ValidatorUnavailable(
                    "vnu.jar was not found (run `npm ci` in the repository root to install "
                    "the pinned vnu-jar, or set GOVSCAN_VNU_JAR)")
            try:
                for pid in reap_orphans():
                    log.warning("stopped an orphaned vnu JVM (pid %s) left by a killed run", pid)
            except Exception:  # noqa: BLE001 - best effort, never blocks a start
                log.debug("reaping orphaned vnu JVMs failed", exc_info=True)
            last = ""
            for _attempt in range(2):  # a second try on another port if the first was taken
                self._spawn()
                try:
                    self._wait_ready()
                    _LIVE.add(self)
                    log.info("vnu service ready on %s (pid %s)", self.url, self.pid)
                    return self
                except ValidatorUnavailable as exc:
                    last = str(exc)
                    self._kill()
            raise ValidatorUnavailable(last)

    def _spawn(self) -> None:
        self.port = _free_port()
        if self._log_file is None:
            fd, self._log_path = tempfile.mkstemp(prefix="govscan-vnu-", suffix=".log")
            self._log_file = os.fdopen(fd, "wb")
        try:
            self.proc = subprocess.Popen(self.command(self.port), stdin=subprocess.DEVNULL,
                                         stdout=self._log_file, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        except OSError as exc:
            raise ValidatorUnavailable(f"could not run {self.java!r}: {exc}") from exc
        _record(self.proc.pid)
        self.starts += 1

    def _log_tail(self, n: int = 5) -> str:
        try:
            lines = Path(self._log_path).read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-n:])

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=2.0, trust_env=False) as c:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise ValidatorUnavailable(
                        f"the vnu JVM exited with code {self.proc.returncode} while starting: "
                        f"{self._log_tail()}")
                try:
                    if c.get(self.url).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
        raise ValidatorUnavailable(
            f"the vnu service did not answer within {self.startup_timeout:.0f} s: "
            f"{self._log_tail()}")

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        _unrecord(proc.pid)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop(self) -> None:
        """Stop the JVM and close the clients (idempotent)."""
        with self._lock:
            self._kill()
            _client.close_clients(self)
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None
                try:
                    os.unlink(self._log_path)
                except OSError:
                    pass
            _LIVE.discard(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _recover(self) -> None:
        """Called after a failed request: if the JVM died, restart it once (else give up)."""
        with self._lock:
            if self.alive():
                return
            if self.unavailable:
                raise ValidatorUnavailable(self.unavailable)
            if self.restarts >= self.max_restarts:
                code = self.proc.returncode if self.proc else None
                self.unavailable = (f"the vnu service died again after {self.restarts} "
                                    f"restart(s) (exit code {code})")
                self._kill()
                raise ValidatorUnavailable(self.unavailable)
            self.restarts += 1
            log.warning("vnu service died (exit %s); restarting it once",
                        self.proc.returncode if self.proc else None)
            self._kill()
            try:
                self.start()
            except ValidatorUnavailable as exc:
                self.unavailable = f"the vnu service died and could not be restarted: {exc}"
                raise ValidatorUnavailable(self.unavailable) from exc


    # --- requests: thin methods over crawler.validator.client (kept for the callers of
    # ``svc.validate_html(...)``; the retry/recovery loop is there, once) ---------------------
    @staticmethod
    def html_content_type(content_type: str) -> str:
        """The Content-Type to send for a page served with ``content_type`` (see
        ``crawler.validator.client.html_content_type``)."""
        return _client.html_content_type(content_type)

    def validate_html(self, body: bytes, content_type: str = "text/html") -> list[dict]:
        """vnu's JSON messages for one document given as the bytes served and the served
        Content-Type header value."""
        return _client.validate_html(self, body, content_type)

    def validate_css(self, text: str) -> list[dict]:
        """vnu's JSON messages for one style sheet (sent as UTF-8 ``text/css``)."""
        return _client.validate_css(self, text)

    async def avalidate_html(self, body: bytes, content_type: str = "text/html") -> list[dict]:
        return await _client.avalidate_html(self, body, content_type)

    async def avalidate_css(self, text: str) -> list[dict]:
        return await _client.avalidate_css(self, text)


# the client module builds on this one (ValidatorUnavailable, the lifecycle), so it is
# imported last; the methods above only reach it at call time
from . import client as _client  # noqa: E402
