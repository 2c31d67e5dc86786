"""Locks on an output folder: OS locks (``flock``) that the kernel releases when the holder dies.

``RunLock``: one run (extract, compact) at a time, on ``folder/.lock``. ``CommitLock``: readers
hold it shared while they read, a commit holds it exclusively while it renames files, so a reader
never sees half a commit. Lock files are never deleted (a deleted lock file would let two
processes lock two different files); ``.lock`` holds its holder's pid, for the message only.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pipeline.exits import Busy

LOCK_NAME = ".lock"
COMMIT_LOCK_NAME = ".commit.lock"


class LockedError(Busy):
    """Another live process holds the output folder."""

    def __init__(self, path: Path, pid: str):
        super().__init__(f"another run ({'pid ' + pid if pid else 'starting'}) is writing {path.parent}; "
                         f"wait for it, or pass --wait")
        self.pid = pid


class _FileLock:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)            # closing the descriptor releases the flock
            self._fd = None

    def __exit__(self, *exc) -> None:
        self.release()


class RunLock(_FileLock):
    """``with RunLock(folder):`` holds ``folder/.lock`` exclusively; ``wait`` blocks until it is free."""

    def __init__(self, folder: Path, wait: bool = False):
        super().__init__(Path(folder) / LOCK_NAME)
        self.wait = wait

    def acquire(self) -> None:
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise LockedError(self.path, pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self


class CommitLock(_FileLock):
    """Exclusive for a commit, shared for readers; a reader that cannot create the lock file
    (a read-only folder) reads without it, as nobody can commit there either."""

    def __init__(self, folder: Path, shared: bool):
        super().__init__(Path(folder) / COMMIT_LOCK_NAME)
        self.shared = shared

    def __enter__(self) -> "CommitLock":
        try:
            fd = self._open()
        except OSError:
            if not self.shared:
                raise
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except OSError:
                return self
        try:
            fcntl.flock(fd, fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self
