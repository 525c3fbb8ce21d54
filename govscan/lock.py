"""One run at a time: an exclusive, non-blocking ``flock`` on ``<db>.lock``."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class RunLocked(RuntimeError):
    pass


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``<db>.lock`` (released by the kernel when
    the process dies, so a SIGKILLed run never leaves a stale lock)."""

    def __init__(self, db_path: str | Path):
        self.path = Path(f"{db_path}.lock")
        self.fd: int | None = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RunLocked(f"another govscan run holds {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
