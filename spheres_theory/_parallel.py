"""Parallel execution helpers: dask clients, task maps, seeds, BLAS threads."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


@contextlib.contextmanager
def blas_thread_limit(threads: int | None) -> Iterator[None]:
    """Limit BLAS threads to ``threads`` inside the block (None: no change).

    Uses ``threadpoolctl`` (every BLAS library it knows); the previous
    settings are restored on exit, so the limit never outlives the block.
    """
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

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
