"""Markup and CSS validation with a local Nu HTML Checker (vnu) service.

The public validators (validator.w3.org/nu, jigsaw) ban an address after ~150 requests in 10
minutes, so govscan runs the Nu HTML Checker itself: ``vnu.jar`` (npm ``vnu-jar``, pinned in
package.json) started **once per run** as a local HTTP service bound to 127.0.0.1, and every
document is POSTed to it (``?out=json``). A JVM per document costs ~2 s of start-up; a warm
service checks tens of documents per second.

* ``VnuService`` - start (free port, spawn, wait for readiness), ``validate_html`` /
  ``validate_css`` (sync, thread-safe) and ``avalidate_html`` / ``avalidate_css`` (asyncio),
  ``stop``. A service that dies is restarted **once**; after that (or when Java or the jar is
  missing) every call raises ``ValidatorUnavailable``, which the gatherers record as
  ``FetchError(Cause.VALIDATOR_UNAVAILABLE, ...)``.
* ``gather_vnu(site, env)`` - each HTML page of ``site.pages`` as served (the response bytes,
  its real media type and charset; XHTML as ``application/xhtml+xml``) -> ``Page.vnu``.
* ``gather_css(site, env)`` - each style sheet a page uses -> ``Page.css``: linked sheets
  (``<link rel=stylesheet>``, fetched, at most ``CSS_LINKS_PER_PAGE`` per page, de-duplicated
  across the site), ``@import`` followed one level, ``<style>`` blocks
  (``inline:<page>#style[n]``) and ``style`` attributes as one synthetic sheet of ``x{...}``
  rules (``inline:<page>#style-attributes``; each message gets ``element``/``snippet`` keys
  mapping it back to the element).

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

import asyncio
import atexit
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx

from .artifacts import Page, Validation
from .causes import Cause, FetchError

if TYPE_CHECKING:  # pragma: no cover
    from .artifacts import SiteCapture
    from .capture import CaptureEnv

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
JAR_RELATIVE = Path("node_modules/vnu-jar/build/dist/vnu.jar")

CSS_LINKS_PER_PAGE = 10  # linked (+ @imported) sheets fetched per page
CSS_SHEETS_PER_SITE = 60  # distinct external sheets fetched per site
CSS_MAX_BYTES = 2_000_000  # a style sheet larger than this is not fetched whole
VALIDATE_CONCURRENCY = 4  # documents in flight to the service from one gatherer

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


class ValidationFailed(RuntimeError):
    """One document could not be checked (timeout, a non-JSON answer) while the service
    itself is alive. ``cause`` is a ``Cause``."""

    def __init__(self, cause: Cause, detail: str):
        super().__init__(detail)
        self.cause = cause

    def to_fetch_error(self) -> FetchError:
        return FetchError(self.cause, str(self))


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
    asyncio-friendly (an ``httpx.AsyncClient`` per event loop). When a call finds the JVM dead
    the service is restarted once (``max_restarts``); the next death makes every call raise
    ``ValidatorUnavailable``. ``stop()`` is idempotent and also runs at interpreter exit.
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
            if self._client is not None:
                self._client.close()
                self._client = None
            for loop, ac in list(self._aclients.values()):
                if not loop.is_closed():
                    try:
                        if loop.is_running():
                            loop.create_task(ac.aclose())
                    except RuntimeError:
                        pass
            self._aclients.clear()
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

    # --- requests -----------------------------------------------------------------------
    def _params(self, css: bool) -> dict[str, str]:
        return {"out": "json", "css": "yes"} if css else {"out": "json"}

    @staticmethod
    def _parse(resp: httpx.Response) -> list[dict]:
        if resp.status_code != 200:
            raise ValidationFailed(Cause.OTHER, f"vnu answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError as exc:
            raise ValidationFailed(Cause.OTHER, f"vnu answered non-JSON: {exc}") from exc
        return list(data.get("messages") or [])

    def _sync_client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=self.request_timeout, trust_env=False,
                    limits=httpx.Limits(max_connections=16, max_keepalive_connections=16))
            return self._client

    def _request_failed(self, exc: Exception, attempt: int) -> Exception | None:
        """What a failed POST means: a timeout while the JVM lives is this document's
        failure; any failure on the second attempt means the service is gone; else None
        (recover the service and try once more)."""
        if isinstance(exc, httpx.TimeoutException) and self.alive():
            return ValidationFailed(Cause.TIMEOUT, f"vnu did not answer in "
                                    f"{self.request_timeout:.0f} s")
        if attempt:
            return ValidatorUnavailable(f"vnu request failed: {exc!r}")
        return None

    def _post(self, body: bytes, content_type: str, css: bool) -> list[dict]:
        for attempt in range(2):
            if not self.alive():
                if self.proc is None and not self.unavailable and self.starts == 0:
                    self.start()
                else:
                    self._recover()
            try:
                r = self._sync_client().post(self.url, params=self._params(css), content=body,
                                             headers={"Content-Type": content_type})
                return self._parse(r)
            except httpx.TransportError as exc:  # timeouts included
                err = self._request_failed(exc, attempt)
                if err is not None:
                    raise err from exc
            self._recover()
        raise ValidatorUnavailable("unreachable")  # pragma: no cover

    async def _apost(self, body: bytes, content_type: str, css: bool) -> list[dict]:
        for attempt in range(2):
            if not self.alive():
                if self.proc is None and not self.unavailable and self.starts == 0:
                    await asyncio.to_thread(self.start)
                else:
                    await asyncio.to_thread(self._recover)
            try:
                r = await self._async_client().post(self.url, params=self._params(css),
                                                    content=body,
                                                    headers={"Content-Type": content_type})
                return self._parse(r)
            except httpx.TransportError as exc:  # timeouts included
                err = self._request_failed(exc, attempt)
                if err is not None:
                    raise err from exc
            await asyncio.to_thread(self._recover)
        raise ValidatorUnavailable("unreachable")  # pragma: no cover

    def _async_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._aclients.get(id(loop))
            if entry is None or entry[0] is not loop:
                for key, (lp, _ac) in list(self._aclients.items()):
                    if lp.is_closed():
                        del self._aclients[key]
                ac = httpx.AsyncClient(
                    timeout=self.request_timeout, trust_env=False,
                    limits=httpx.Limits(max_connections=16, max_keepalive_connections=16))
                entry = (loop, ac)
                self._aclients[id(loop)] = entry
            return entry[1]

    @staticmethod
    def html_content_type(content_type: str) -> str:
        """The Content-Type to send for a page served with ``content_type``: the served
        media type (XHTML stays ``application/xhtml+xml``; anything else HTML-ish is
        ``text/html``) with the served ``charset`` parameter, if there was one. No charset is
        invented: vnu then finds it as a browser would (BOM, ``<meta charset>``) and reports
        a missing declaration, as the W3C service does."""
        parts = [p.strip() for p in (content_type or "").split(";")]
        media = parts[0].lower() if parts else ""
        if media not in ("text/html", "application/xhtml+xml", "image/svg+xml"):
            media = "application/xhtml+xml" if media.endswith("+xml") else "text/html"
        charset = ""
        for p in parts[1:]:
            k, _, v = p.partition("=")
            if k.strip().lower() == "charset" and v.strip():
                charset = v.strip().strip("\"'")
        return f"{media}; charset={charset}" if charset else media

    def validate_html(self, body: bytes, content_type: str = "text/html") -> list[dict]:
        """vnu's JSON messages for one document given as the bytes served and the served
        Content-Type header value."""
        return self._post(body, self.html_content_type(content_type), css=False)

    def validate_css(self, text: str) -> list[dict]:
        """vnu's JSON messages for one style sheet (sent as UTF-8 ``text/css``)."""
        return self._post(text.encode("utf-8"), "text/css; charset=utf-8", css=True)

    async def avalidate_html(self, body: bytes, content_type: str = "text/html") -> list[dict]:
        return await self._apost(body, self.html_content_type(content_type), css=False)

    async def avalidate_css(self, text: str) -> list[dict]:
        return await self._apost(text.encode("utf-8"), "text/css; charset=utf-8", css=True)


# --- the gatherers -----------------------------------------------------------------------

_ENV_LOCK = threading.Lock()


def _ensure_service_sync(env: "CaptureEnv") -> VnuService:
    with _ENV_LOCK:
        svc = env.validator
        if svc is None:
            svc = env.validator = VnuService()
    if not svc.alive():
        if svc.starts == 0:
            svc.start()
        else:
            svc._recover()
    return svc


async def ensure_service(env: "CaptureEnv") -> VnuService:
    """``env.validator``, created and started on first use (in a worker thread, so other
    sites keep crawling while the JVM starts). Raises ``ValidatorUnavailable``."""
    svc = env.validator
    if isinstance(svc, VnuService) and svc.alive():
        return svc
    if isinstance(svc, VnuService) and svc.unavailable:
        raise ValidatorUnavailable(svc.unavailable)
    return await asyncio.to_thread(_ensure_service_sync, env)


def not_checked(msgs: list[dict]) -> FetchError | None:
    """vnu's "non-document-error" means the checker could not read the document (too large,
    an unsupported encoding, an I/O error): the document was not judged, so this is a
    ``Validation.error`` - never counted as a markup error of the page."""
    for m in msgs:
        if m.get("type") == "non-document-error":
            text = m.get("message") or "the checker could not read the document"
            cause = Cause.TOO_LARGE if "size exceeds" in text.lower() else Cause.OTHER
            return FetchError(cause, f"vnu: {text}")
    return None


def _pages_to_check(site: "SiteCapture") -> list[Page]:
    return [p for p in site.pages if p.response.ok and p.response.is_html and p.response.body]


async def _check_page(svc: VnuService, page: Page, sem: asyncio.Semaphore) -> None:
    resp = page.response
    ctype = svc.html_content_type(resp.headers.get("content-type", ""))
    if resp.truncated:
        page.vnu = Validation(page.url, "html", [], ctype, FetchError(
            Cause.TOO_LARGE, "the page was truncated at the body cap; not validated"))
        return
    async with sem:
        try:
            msgs = await svc.avalidate_html(resp.body, ctype)
            page.vnu = Validation(page.url, "html", msgs, ctype, not_checked(msgs))
        except (ValidatorUnavailable, ValidationFailed) as exc:
            page.vnu = Validation(page.url, "html", [], ctype, exc.to_fetch_error())


async def _service_for(site: "SiteCapture", env: "CaptureEnv", artifact: str):
    """The running service, or None with ``site.errors[artifact]`` saying why not."""
    try:
        return await ensure_service(env)
    except ValidatorUnavailable as exc:
        site.errors[artifact] = exc.to_fetch_error()
        return None


async def gather_vnu(site: "SiteCapture", env: "CaptureEnv") -> None:
    """Validate every HTML page of ``site.pages`` as served into ``Page.vnu``. When the
    service is unavailable, ``site.errors["vnu"]`` gets ``validator-unavailable``."""
    pages = _pages_to_check(site)
    if not pages:
        return
    svc = await _service_for(site, env, "vnu")
    if svc is None:
        return
    sem = asyncio.Semaphore(VALIDATE_CONCURRENCY)
    await asyncio.gather(*(_check_page(svc, p, sem) for p in pages))
    if all(p.vnu is not None and p.vnu.error is not None
           and p.vnu.error.cause == Cause.VALIDATOR_UNAVAILABLE for p in pages):
        site.errors["vnu"] = pages[0].vnu.error


# --- style sheets --------------------------------------------------------------------------

_IMPORT_RE = re.compile(
    r"""@import\s+(?:url\(\s*(?P<q1>["']?)(?P<u1>[^"')]+)(?P=q1)\s*\)|(?P<q2>["'])(?P<u2>[^"']+)(?P=q2))""",
    re.I)
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


def css_imports(text: str, base: str) -> list[str]:
    """Absolute URLs of the ``@import`` rules of a style sheet (comments ignored)."""
    out = []
    for m in _IMPORT_RE.finditer(_COMMENT_RE.sub("", text)):
        u = (m.group("u1") or m.group("u2") or "").strip()
        if u:
            try:
                out.append(urljoin(base, u).split("#", 1)[0])
            except ValueError:
                continue
    return list(dict.fromkeys(out))


def _base_url(page: Page) -> str:
    base_el = page.tree.css_first("base[href]")
    if base_el is not None:
        try:
            return urljoin(page.url, base_el.attributes.get("href") or "")
        except ValueError:
            pass
    return page.url


def stylesheet_links(page: Page) -> list[str]:
    """Absolute URLs of the page's ``<link rel=stylesheet href>`` (not alternate sheets), in
    document order, de-duplicated."""
    base = _base_url(page)
    out = []
    for node in page.tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "stylesheet" not in rel or "alternate" in rel:
            continue
        href = (node.attributes.get("href") or "").strip()
        if not href:
            continue
        try:
            u = urljoin(base, href).split("#", 1)[0]
        except ValueError:
            continue
        if urlsplit(u).scheme in ("http", "https"):
            out.append(u)
    return list(dict.fromkeys(out))


def style_blocks(page: Page) -> list[str]:
    """The text of each ``<style>`` element whose type is CSS (absent, empty or text/css)."""
    out = []
    for node in page.tree.css("style"):
        t = (node.attributes.get("type") or "").strip().lower()
        if t and t != "text/css":
            continue
        out.append(node.text(deep=True) or "")
    return out


def _selector(node) -> str:
    parts = []
    n = node
    while n is not None and n.tag not in (None, "-undef", "html", "#document") and len(parts) < 4:
        attrs = n.attributes
        s = n.tag
        if attrs.get("id"):
            parts.append(f"{s}#{attrs['id']}")
            break
        cls = (attrs.get("class") or "").split()
        if cls:
            s += "." + ".".join(cls[:2])
        parts.append(s)
        n = n.parent
    return " > ".join(reversed(parts))


def style_attribute_sheet(page: Page) -> tuple[str, list[dict]]:
    """The page's ``style`` attributes as one synthetic sheet, one ``x{...}`` rule per line,
    and for each line (1-based index = position + 1) the element it came from."""
    lines, where = [], []
    for node in page.tree.css("[style]"):
        value = node.attributes.get("style")
        if value is None or not value.strip():
            continue
        value = " ".join(value.split())
        lines.append("x{" + value + "}")
        attrs = " ".join(f'{k}="{v}"' if v is not None else k
                         for k, v in list(node.attributes.items())[:4])
        where.append({"element": _selector(node), "snippet": f"<{node.tag} {attrs}>"[:300]})
    return "\n".join(lines), where


def _map_attribute_messages(msgs: list[dict], where: list[dict]) -> list[dict]:
    for m in msgs:
        line = m.get("lastLine") or m.get("firstLine")
        if isinstance(line, int) and 1 <= line <= len(where):
            m.update(where[line - 1])
    return msgs


async def _validate_css_text(svc: VnuService, url: str, text: str, sem, ctype: str = "text/css",
                             where: list[dict] | None = None) -> Validation:
    async with sem:
        try:
            msgs = await svc.avalidate_css(text)
        except (ValidatorUnavailable, ValidationFailed) as exc:
            return Validation(url, "css", [], ctype, exc.to_fetch_error())
    if where is not None:
        msgs = _map_attribute_messages(msgs, where)
    return Validation(url, "css", msgs, ctype, not_checked(msgs))


def decode_css(raw: bytes, content_type: str = "", fallback: str = "utf-8") -> str:
    """A style sheet's text, decoded as CSS Syntax 3 says: a BOM, else the Content-Type
    charset, else a leading ``@charset "...";``, else ``fallback`` (the referring page's
    encoding), UTF-8 when that fails."""
    import codecs

    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(enc, errors="replace")
    candidates = []
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.I)
    if m:
        candidates.append(m.group(1))
    m2 = re.match(rb'@charset "([^"]{1,40})";', raw)
    if m2:
        candidates.append(m2.group(1).decode("ascii", "replace"))
    candidates += [fallback or "utf-8", "utf-8"]
    for enc in candidates:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


def _strip_charset_rule(text: str) -> str:
    """The sheet is re-sent as UTF-8, so a leading ``@charset "...";`` is replaced by the
    same number of spaces (line and column numbers do not move)."""
    m = re.match(r'\ufeff?@charset\s+"[^"]*"\s*;', text)
    return " " * m.end() + text[m.end():] if m else text


class _SheetCache:
    """External sheets of one site: url -> Validation (an asyncio task, so two pages that
    link the same sheet fetch and check it once) plus the imports found in it."""

    def __init__(self, svc: VnuService, env: "CaptureEnv", sem: asyncio.Semaphore):
        self.svc, self.env, self.sem = svc, env, sem
        self.tasks: dict[str, asyncio.Task] = {}
        self.page_encoding: dict[str, str] = {}  # sheet url -> encoding of the first referrer
        self.notes: list[str] = []  # visible caps, for site.notes

    def get(self, url: str) -> "asyncio.Task | None":
        if url not in self.tasks:
            if len(self.tasks) >= CSS_SHEETS_PER_SITE:
                return None
            self.tasks[url] = asyncio.ensure_future(self._fetch_and_check(url))
        return self.tasks[url]

    async def _fetch_and_check(self, url: str) -> tuple[Validation, list[str]]:
        resp = await self.env.fetcher.fetch(url, html_only=False, max_body=CSS_MAX_BYTES)
        ctype = resp.headers.get("content-type", "")
        if resp.error is not None:
            return Validation(url, "css", [], ctype, resp.error), []
        if not resp.ok:
            cause = Cause.BLOCKED_BOT if resp.status in (403, 429) else Cause.HTTP_ERROR
            return Validation(url, "css", [], ctype,
                              FetchError(cause, f"HTTP {resp.status}")), []
        if resp.truncated:
            return Validation(url, "css", [], ctype, FetchError(
                Cause.TOO_LARGE, f"style sheet larger than {CSS_MAX_BYTES} bytes")), []
        text = decode_css(resp.body, ctype, self.page_encoding.get(url, ""))
        v = await _validate_css_text(self.svc, resp.url or url, _strip_charset_rule(text),
                                     self.sem, ctype)
        v.url = url
        return v, css_imports(text, resp.url or url)


async def _page_css(page: Page, cache: _SheetCache) -> None:
    out: list[Validation] = []
    budget = CSS_LINKS_PER_PAGE
    all_links = stylesheet_links(page)
    links = all_links[:budget]
    if len(all_links) > budget:
        cache.notes.append(f"CSS: {page.url} links {len(all_links)} style sheets; the first "
                           f"{budget} were checked")
    budget -= len(links)
    inline: list[tuple[str, str, list[dict] | None]] = []
    for i, text in enumerate(style_blocks(page), 1):
        inline.append((f"inline:{page.url}#style[{i}]", text, None))
    attr_text, where = style_attribute_sheet(page)
    if attr_text:
        inline.append((f"inline:{page.url}#style-attributes", attr_text, where))
    # one level of @import from <style> blocks, too
    base = _base_url(page)
    block_imports = [u for _, t, w in inline if w is None for u in css_imports(t, base)]

    for u in links:
        cache.page_encoding.setdefault(u, page.response.encoding)
    tasks = [t for t in (cache.get(u) for u in links) if t is not None]
    inline_tasks = [asyncio.ensure_future(_validate_css_text(cache.svc, u, _strip_charset_rule(t),
                                                             cache.sem, "text/css", w))
                    for u, t, w in inline]
    results = [await t for t in tasks]
    seen = set(links)
    imports: list[str] = []
    for v, imps in results:
        out.append(v)
        imports.extend(imps)
    imports.extend(block_imports)
    imp_tasks = []
    for u in dict.fromkeys(imports):
        if u in seen or budget <= 0:
            continue
        seen.add(u)
        budget -= 1
        cache.page_encoding.setdefault(u, page.response.encoding)
        t = cache.get(u)
        if t is not None:
            imp_tasks.append(t)
    for t in imp_tasks:
        v, _ignored = await t  # one level only
        out.append(v)
    for t in inline_tasks:
        out.append(await t)
    page.css = out


async def gather_css(site: "SiteCapture", env: "CaptureEnv") -> None:
    """Validate every style sheet each HTML page of ``site.pages`` uses into ``Page.css``."""
    pages = _pages_to_check(site)
    if not pages:
        return
    svc = await _service_for(site, env, "css")
    if svc is None:
        return
    cache = _SheetCache(svc, env, asyncio.Semaphore(VALIDATE_CONCURRENCY))
    await asyncio.gather(*(_page_css(p, cache) for p in pages))
    site.notes.extend(cache.notes[:5])
    if len(cache.tasks) >= CSS_SHEETS_PER_SITE:
        site.notes.append(f"CSS: only the first {CSS_SHEETS_PER_SITE} distinct style sheets "
                          f"of the site were fetched and checked")
    checked = [v for p in pages for v in p.css]
    if checked and all(v.error is not None and v.error.cause == Cause.VALIDATOR_UNAVAILABLE
                       for v in checked):
        site.errors["css"] = checked[0].error
