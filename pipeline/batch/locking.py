"""One run at a time per output folder: a lock file holding the owner's pid."""
from __future__ import annotations

import errno
import os
import time
from pathlib import Path

LOCK_NAME = ".lock"


class LockedError(RuntimeError):
    """Another live process holds the output folder."""

    def __init__(self, path: Path, pid: int):
        super().__init__(f"another run (pid {pid}) is writing {path.parent}; "
                         f"wait for it, or pass --wait (lock file: {path})")
        self.pid = pid


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _holder(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1


class RunLock:
    """``with RunLock(folder):`` holds ``folder/.lock``; a stale lock of a dead process is taken over."""

    def __init__(self, folder: Path, wait: bool = False, poll_s: float = 0.5):
        self.path = Path(folder) / LOCK_NAME
        self.wait, self.poll_s = wait, poll_s

    def _try_create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()}\n")
        return True

    def acquire(self) -> None:
        while not self._try_create():
            pid = _holder(self.path)
            if pid == os.getpid() or not _pid_alive(pid):
                self.path.unlink(missing_ok=True)        # stale: its owner is gone
                continue
            if not self.wait:
                raise LockedError(self.path, pid)
            time.sleep(self.poll_s)

    def release(self) -> None:
        if _holder(self.path) == os.getpid():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
