"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

:func:`execute` yields results as runs complete, in no set order (callers order them by run id). A
run that raises becomes a :class:`RunError` naming it, and the runs not yet started are cancelled.
Only a bounded number of runs is handed out ahead of the workers, so a million runs do not sit in
memory as pending tasks. Pool workers start from a fresh interpreter (``forkserver`` where the system
has it, else ``spawn``) and ignore SIGINT: when the command stops early (an error, SIGINT, SIGTERM) the runs
not yet started are cancelled and those in progress end first. Workers end by themselves if the command's
process is killed (``kill -9``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol, TypeVar

from simkz.errors import InputError, SimkzError

__all__ = ["RunError", "check_scheduler", "execute"]

#: Runs handed out per worker ahead of completion.
AHEAD_PER_WORKER = 4
#: Seconds between a pool worker's checks that the command still runs.
WATCH_INTERVAL_S = 0.2
#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT_S = 10


class _HasRunId(Protocol):
    @property
    def run_id(self) -> str: ...


S = TypeVar("S", bound=_HasRunId)
R = TypeVar("R")


class RunError(SimkzError):
    """A run raised: the error names the run and says what it raised."""

    def __init__(self, run_id: str, cause: BaseException) -> None:
        self.run_id = run_id
        self.cause = cause
        if isinstance(cause, SimkzError):
            text = f"run {run_id}: {cause}"
        else:
            text = f"run {run_id} failed: {type(cause).__name__}: {cause}"
        super().__init__(text.replace("\n", " "))


def execute(fn: Callable[[S], R], specs: Sequence[S], *, workers: int = 1, scheduler: str | None = None) -> Iterator[R]:
    """Run ``fn`` on every spec and yield the results as they complete.

    ``workers`` 1 runs in this process, more in a local process pool of that many processes; ``scheduler``
    (a Dask scheduler address, ``tcp://host:8786``) runs on that cluster instead, whatever ``workers``.
    """
    if scheduler is not None:
        return _dask(fn, specs, scheduler)
    if workers <= 1 or len(specs) <= 1:
        return _serial(fn, specs)
    return _pool(fn, specs, min(workers, len(specs)))


def _serial(fn: Callable[[S], R], specs: Sequence[S]) -> Iterator[R]:
    for spec in specs:
        try:
            result = fn(spec)
        except Exception as exc:
            raise RunError(spec.run_id, exc) from exc
        yield result


def _start_worker(command: int) -> None:
    """Set up a pool worker: leave SIGINT to the command (which stops the workers), and end when the command's
    process ``command`` is gone (``kill -9`` gives it no chance to stop them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":  # elsewhere there is no safe probe of another process
        threading.Thread(target=_watch, args=(command,), name="simkz-watch", daemon=True).start()


def _watch(pid: int) -> None:
    while _alive(pid):
        time.sleep(WATCH_INTERVAL_S)
    os._exit(1)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc: the signal probe says enough
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["simkz.sweep.run"])  # workers fork from an interpreter that imported simkz
        return ctx
    return multiprocessing.get_context("spawn")


def _pool(fn: Callable[[S], R], specs: Sequence[S], workers: int) -> Iterator[R]:
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_start_worker, initargs=(os.getpid(),)
    )
    pending: dict[Future[R], str] = {}
    queue = iter(specs)
    done = False
    try:
        while True:
            for spec in queue:
                pending[pool.submit(fn, spec)] = spec.run_id
                if len(pending) >= workers * AHEAD_PER_WORKER:
                    break
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f]):
                run_id = pending.pop(future)
                error = future.exception()
                if error is not None:
                    raise RunError(run_id, error) from error
                yield future.result()
        done = True
    finally:
        _stop(pool, done)


def _stop(pool: ProcessPoolExecutor, done: bool) -> None:
    """Shut the pool down: after the last run, or early (an error, a stop signal): then the queued runs are
    cancelled and the command waits for the runs in progress to end. Workers are not killed: one killed while it
    sends its result would leave half a message in the pool's pipe, and the command would wait for the rest forever.
    """
    pool.shutdown(wait=True, cancel_futures=not done)


def check_scheduler(address: str) -> None:
    """Raise :class:`InputError` (naming ``--scheduler``) unless a Dask scheduler answers at ``address``: a command
    checks it before it writes anything."""
    _connect(address).close()


def _connect(address: str) -> Any:
    try:
        from distributed import Client
        from distributed.comm.addressing import resolve_address
    except ImportError:
        raise InputError(None, ("--scheduler",), "Dask is not installed", allowed="pip install 'simkz[dask]'") from None
    try:
        resolve_address(address)  # a malformed address fails here, before a client is made (and left to close)
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise InputError(
            None,
            ("--scheduler",),
            f"cannot connect to the Dask scheduler: {exc}",
            value=address,
            allowed="the address of a running scheduler, e.g. tcp://127.0.0.1:8786",
        ) from None


def _dask(fn: Callable[[S], R], specs: Sequence[S], address: str) -> Iterator[R]:
    from distributed import as_completed

    with _connect(address) as client:
        yield from _dask_runs(client, as_completed, fn, specs)


def _dask_runs(client: Any, as_completed: Any, fn: Callable[[S], R], specs: Sequence[S]) -> Iterator[R]:
    threads = sum(client.nthreads().values()) or 1
    queue = iter(specs)
    live: dict[str, tuple[Any, str]] = {}  # future key: the future and its run id
    running = as_completed(loop=client.loop)

    def submit(count: int) -> None:
        for spec in queue:
            future = client.submit(fn, spec, pure=False)
            live[future.key] = (future, spec.run_id)
            running.add(future)
            count -= 1
            if count <= 0:
                break

    submit(threads * AHEAD_PER_WORKER)
    try:
        for future in running:
            run_id = live.pop(future.key)[1]
            if future.status == "error":
                error = future.exception()
                raise RunError(run_id, error) from error
            result: R = future.result()
            future.release()
            submit(1)
            yield result
    finally:
        if live:
            client.cancel([future for future, _ in live.values()])
