"""The second core for an import's per-row Python work: `halves(work, items)` runs
`work(second half)` in a forked child while this process runs `work(first half)`.

An import spends most of its time in Python, one row after another, on one core of two (the
database, SQLite in-process, gets nothing from a second thread: binding a row's parameters holds
the GIL). A forked child sees the parent's memory as it was (the rows just read, the region index
loaded), so nothing is sent to it; only its results come back, pickled through a pipe, which is
why `work` should return plain values (tuples of str, int, bytes, dates) rather than objects with
a costly pickle.

The child never touches the database: it inherits the parent's connection (a PostgreSQL socket,
an SQLite handle inside a transaction) and must leave it alone, so it ends with `os._exit`, which
runs no atexit handler or finaliser that could close or write to it. If the child fails (an
exception, killed, out of memory), the parent does the second half itself: the result is the same,
only slower. Where `os.fork` is missing (Windows), or the process runs other threads
(`can_fork`), everything runs in this process. A child that has not answered long after the
parent finished its own half (`PATIENCE`) is killed, and its half done here too."""

import os
import pickle
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# Below this many items the fork and the pipe cost more than the half they save.
MIN_ITEMS = 20_000
# How long the parent waits for the child once its own half is done: PATIENCE times what its
# own half took, at least MIN_WAIT seconds. The halves are of one size and the child is about
# 15 % slower; one that takes ten times as long is stuck (or starved), and is killed.
PATIENCE = 10
MIN_WAIT = 60.0


class ChildFailed(Exception):
    """The forked child gave no result (its traceback, or how it ended)."""


class Forked:
    """`work()` running in a forked child; `result()` waits for its return value. Use as a
    context manager: leaving the block early (an error in the parent) closes the pipe and reaps
    the child, so no process is left behind blocked on a write nobody reads."""

    def __init__(self, work: Callable[[], T]):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                os.close(read_end)
                try:
                    payload = (True, work())
                except BaseException:
                    payload = (False, traceback.format_exc())
                # Pickled whole before writing: the pipe holds 64 KiB, and the parent reads only
                # once its own half is done, so pickling while writing would wait on it.
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
                status = 0 if payload[0] else 1
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.fd = pid, read_end

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None

    def result(self, timeout: float | None = None) -> T:
        """The child's return value; `ChildFailed` if it raised, died, or gave nothing within
        `timeout` seconds (then it is killed)."""
        chunks = []
        deadline = None if timeout is None else time.monotonic() + timeout
        waiting = select.poll()  # not select.select: it fails for a descriptor over 1023
        waiting.register(self.fd, select.POLLIN)
        while True:
            if deadline is not None:
                left_ms = max(0, round((deadline - time.monotonic()) * 1000))
                if not waiting.poll(left_ms):
                    os.kill(self.pid, signal.SIGKILL)
                    self.close()
                    raise ChildFailed(f"子进程 {timeout:.0f} 秒内没有返回结果，已终止")
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        data = b"".join(chunks)
        if not data:
            raise ChildFailed(f"子进程没有返回结果（退出状态 {status}）")
        ok, value = pickle.loads(data)  # noqa: S301 (our own child, through our own pipe)
        if not ok:
            raise ChildFailed(value)
        return value


def can_fork() -> bool:
    """`os.fork` exists and this process runs one thread. A fork copies only the thread that
    calls it: a lock another thread held at that moment (OpenSSL's, a logging handler's, the
    database driver's) stays locked for ever in the child, which would hang on it, and the
    parent with it, waiting for a result. The import runs in the command line, the demo and
    the background worker (`anju worker`, one thread); anywhere with threads it stays in one
    process."""
    return hasattr(os, "fork") and threading.active_count() == 1


def halves(
    work: Callable[[Sequence, bool], T],
    items: Sequence,
    *,
    min_items: int | None = None,
    share: float = 0.5,
) -> list[T]:
    """[work(first half, True), work(second half, False)], the second computed in a forked
    child while this process computes the first; [work(items, True)] when there are fewer than
    `min_items` items (default MIN_ITEMS) or no fork. The flag says whether `work` runs in this
    process (and may report progress). `share`: the fraction of the items this process takes
    (the child pays for pickling its results, and for copying every page of the parent's memory
    it touches). The halves are contiguous and in order, so results concatenate in the items'
    order."""
    least = MIN_ITEMS if min_items is None else min_items
    if len(items) < max(2, least) or not can_fork():
        return [work(items, True)]
    middle = min(len(items) - 1, max(1, round(len(items) * share)))
    first, second = items[:middle], items[middle:]
    with Forked(lambda: work(second, False)) as child:
        began = time.monotonic()
        mine = work(first, True)
        wait = max(MIN_WAIT, PATIENCE * (time.monotonic() - began))
        try:
            theirs = child.result(timeout=wait)
        except ChildFailed:
            theirs = work(second, True)
    return [mine, theirs]
