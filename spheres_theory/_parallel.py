"""Parallel execution helpers: dask clients, task maps, seeds, BLAS threads."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# Thread-count entry points of the OpenBLAS builds numpy and scipy ship
# (plain, 64-bit-integer and scipy-openblas prefixed/suffixed names).
_OPENBLAS_THREAD_SYMBOLS = tuple(
    (f"{prefix}_set_num_threads{suffix}", f"{prefix}_get_num_threads{suffix}")
    for prefix in ("openblas", "scipy_openblas")
    for suffix in ("", "64_", "_64_")
)


def _loaded_openblas() -> list[tuple[Any, Any]]:
    """(setter, getter) of every OpenBLAS loaded in this process (Linux only)."""
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {
                line.split(maxsplit=5)[-1].strip()
                for line in maps
                if "openblas" in line.lower() and ".so" in line
            }
    except OSError:
        return []
    found = []
    mode = getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_LOCAL  # already loaded only
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path, mode=mode)
        except OSError:
            continue
        for set_name, get_name in _OPENBLAS_THREAD_SYMBOLS:
            setter = getattr(lib, set_name, None)
            getter = getattr(lib, get_name, None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                found.append((setter, getter))
                break
    return found


@contextlib.contextmanager
def blas_thread_limit(threads: int | None) -> Iterator[None]:
    """Limit BLAS threads to ``threads`` inside the block (None: no change).

    ``threadpoolctl`` if it is importable (every BLAS and OpenMP library it
    knows); otherwise the OpenBLAS libraries loaded in this process, through
    their own ``openblas_set_num_threads``.  Previous settings are restored.
    """
    if threads is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        libs = _loaded_openblas()
        before = [int(getter()) for _, getter in libs]
        for setter, _ in libs:
            setter(threads)
        try:
            yield
        finally:
            for (setter, _), n in zip(libs, before, strict=True):
                setter(n)
    else:
        with threadpool_limits(limits=threads, user_api="blas"):
            yield


@contextlib.contextmanager
def dask_client(scheduler: Any) -> Iterator[Any]:
    """Yield a dask ``Client`` for ``scheduler``; close it on exit if made here.

    ``"local"`` starts a :class:`~dask.distributed.LocalCluster` of
    single-threaded worker processes, ``"tcp://host:port"`` (or ``tls://``,
    ``inproc://``) connects to a running scheduler, and a ``Client`` is used
    as it is and left open.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the extra
        msg = (
            f"`scheduler` {scheduler!r} needs dask.distributed; install the "
            "dask extra: pip install 'spheres_theory[dask]'."
        )
        raise ValueError(msg) from exc
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if isinstance(scheduler, str) and scheduler == "local":
        cluster: Any = LocalCluster(
            threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    elif isinstance(scheduler, str) and scheduler.startswith(
        ("tcp://", "tls://", "inproc://")
    ):
        cluster = None
        client = Client(scheduler)
    else:
        msg = (
            "`scheduler` must be None, 'local', a dask scheduler address like "
            f"'tcp://host:8786' or a dask.distributed.Client; got {scheduler!r}."
        )
        raise ValueError(msg)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def map_tasks(
    func: Callable[..., Any],
    tasks: list[tuple[Any, ...]],
    scheduler: Any,
    shared: tuple[Any, ...] = (),
) -> list[Any]:
    """``[func(*shared, *task) for task in tasks]``, here or on dask.

    On dask the ``shared`` arguments are scattered once to every worker and
    the results come back in the order of ``tasks``.
    """
    if scheduler is None:
        return [func(*shared, *task) for task in tasks]
    with dask_client(scheduler) as client:
        sent = [client.scatter(obj, broadcast=True, hash=False) for obj in shared]
        futures = [client.submit(func, *sent, *task, pure=False) for task in tasks]
        return list(client.gather(futures))


def seed_sequence(rng: Any) -> np.random.SeedSequence:
    """``rng`` (None, int, SeedSequence or Generator) as a SeedSequence."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        # One draw, as the items do: successive calls get new streams.
        return np.random.SeedSequence(int(rng.integers(2**63)))
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        msg = (
            "`rng` must be None, an integer >= 0, a numpy.random.SeedSequence "
            f"or a numpy.random.Generator; got {rng!r}."
        )
        raise ValueError(msg)
    return np.random.SeedSequence(int(rng))
