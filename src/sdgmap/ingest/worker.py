"""Parse one file in a separate process with a time and a memory budget (web uploads).

A hostile upload (a 1 MB .docx holding 100 MB of tiny paragraphs, a zip bomb) must not stop
the server or eat its memory, so ``parse_in_worker`` runs ``parse_document`` in a child
process and returns its ``ParsedDocument``:

- the child comes from a *forkserver* (a clean process started once, with ``sdgmap.ingest``,
  python-docx and pypdf preloaded), never from a fork of the threaded server, so a start
  costs a fork, not an interpreter start;
- its address space is capped with ``RLIMIT_AS`` at the child's own size when it starts
  plus the memory budget: the kernel refuses the allocation, the child fails alone, and
  the server's memory never holds the parse. (Polling the child's RSS would let it overshoot
  between polls, and a C library can allocate gigabytes in one go.)
- it is killed when it runs past the time budget.

Either way the caller gets a ``ParseTimeoutError`` or ``ParseMemoryError`` (both
``FileTooLargeError``) naming the file. The database write stays with the caller.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from multiprocessing.connection import Connection

from sdgmap.errors import UserError
from sdgmap.ingest import errors
from sdgmap.ingest.errors import CorruptFileError, IngestError, ParseMemoryError, ParseTimeoutError
from sdgmap.ingest.parse import ParsedDocument, parse_document

try:
    import resource
except ImportError:  # not on Windows: the time budget still holds there
    resource = None  # type: ignore[assignment]

DEFAULT_PARSE_TIMEOUT = 30.0
DEFAULT_PARSE_MEMORY = 500 * 1024 * 1024
# Imported once by the forkserver, so each child starts with them (a start is ~10-20 ms).
PRELOAD = ["sdgmap.ingest.worker", "docx", "pypdf"]
_lock = threading.Lock()
_context: multiprocessing.context.BaseContext | None = None


def limits_from_env(environ: dict | None = None) -> tuple[float, int]:
    """(seconds, bytes) from ``SDGMAP_PARSE_TIMEOUT`` (seconds) and ``SDGMAP_PARSE_MEMORY_MB``,
    else the defaults (30 s, 500 MB)."""
    env = os.environ if environ is None else environ
    timeout = float(env.get("SDGMAP_PARSE_TIMEOUT") or DEFAULT_PARSE_TIMEOUT)
    memory = int(float(env.get("SDGMAP_PARSE_MEMORY_MB") or 0) * 1024 * 1024) or DEFAULT_PARSE_MEMORY
    if timeout <= 0 or memory <= 0:
        raise ValueError("SDGMAP_PARSE_TIMEOUT and SDGMAP_PARSE_MEMORY_MB must be positive")
    return timeout, memory


def context() -> multiprocessing.context.BaseContext:
    """The forkserver context (spawn where there is none), with the readers preloaded."""
    global _context
    with _lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(PRELOAD)
            else:
                ctx = multiprocessing.get_context("spawn")
            _context = ctx
        return _context


def _vm_size() -> int:
    """This process's virtual size in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _vm_peak() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _send_size(conn: Connection) -> None:
    conn.send(_vm_size())
    conn.close()


def child_start_size() -> int:
    """A worker's virtual size when it starts, in bytes: the base its RLIMIT_AS adds the
    budget to (reported by benchmarks/upload_dos.py)."""
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_send_size, args=(sender,), daemon=True)
    proc.start()
    sender.close()
    try:
        return receiver.recv()
    finally:
        proc.join(5)
        receiver.close()


def _child(conn: Connection, filename: str, data: bytes, kwargs: dict, memory: int) -> None:
    limit = 0
    if resource is not None and _vm_size():
        limit = _vm_size() + memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        message: tuple = ("ok", parse_document(filename, data, **kwargs))
    except MemoryError:
        message = ("memory",)
    except IngestError as exc:
        # libxml2 reports a failed allocation as a parse error: near the cap, it was memory
        near_cap = limit and _vm_peak() > limit - memory // 10
        message = ("memory",) if near_cap else ("ingest", type(exc).__name__, exc.filename, exc.detail)
    except UserError as exc:
        message = ("user", str(exc))
    except (ValueError, UnicodeError) as exc:
        message = ("value", str(exc))
    except Exception:
        message = ("crash", traceback.format_exc(limit=8))
    try:
        conn.send(message)
    except MemoryError:  # the result itself does not fit in the budget
        conn.send(("memory",))
    finally:
        conn.close()


def parse_in_worker(filename: str, data: bytes, *, timeout: float = DEFAULT_PARSE_TIMEOUT,
                    memory: int = DEFAULT_PARSE_MEMORY, **kwargs) -> ParsedDocument:
    """``parse_document(filename, data, **kwargs)`` in a child process within the budgets.

    Blocks the calling thread (call it from a worker thread in a server); raises what
    ``parse_document`` raises, or ``ParseTimeoutError`` / ``ParseMemoryError``.
    """
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, filename, data, kwargs, memory),
                       name="sdgmap-parse", daemon=True)
    proc.start()  # needs a main module that is safe to import (the __main__ idiom), as any spawn
    try:
        sender.close()
        deadline = time.monotonic() + timeout
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise ParseTimeoutError(filename, f"{timeout:g} s")
        try:
            message = receiver.recv()
        except EOFError:  # died without a word: killed by the kernel, or crashed in C
            proc.join(5)
            raise CorruptFileError(filename, f"the reader stopped (exit code {proc.exitcode})") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receiver.close()
    kind = message[0]
    if kind == "ok":
        return message[1]
    if kind == "memory":
        raise ParseMemoryError(filename, f"{memory / (1024 * 1024):g} MB")
    if kind == "ingest":
        cls = getattr(errors, message[1], IngestError)
        raise cls(message[2], message[3])
    if kind == "user":
        raise UserError(message[1])
    if kind == "value":
        raise ValueError(message[1])
    raise RuntimeError(f"reading {filename} failed in the worker:\n{message[1]}")
