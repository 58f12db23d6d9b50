"""Time one training step of the numpy nets against PyTorch on CPU.

Run: ``.venv/bin/python benchmarks/bench_training.py [--steps N] [--dim D]``.

For each architecture (quad net d -> 1000, paper's ReLU+BN net d -> 1000 ->
1000 -> 1) and dtype (float32, float64) it times, on the same fixed batch of 50
points:

* ``numpy``: forward, hand-derived backward and the in-place Adam update of
  :mod:`spheres_theory.models` (what :func:`~spheres_theory.models.train` runs
  per step, minus data sampling);
* ``train()``: the public training loop per step, including online sampling;
* ``torch``: the same network in PyTorch (``torch.optim.Adam`` defaults,
  ``BCEWithLogitsLoss``), zero_grad + forward + backward + step, when torch is
  installed (``pip install torch``; the column is skipped otherwise).

It prints ms per step (best of 5 blocks, the three timed in interleaved
blocks so that they share any background load), steps per second, the ratio
numpy / torch (target <= 1.0) and, as an accuracy check, the max relative
difference between numpy and torch parameters after 20 Adam steps from the
same initial parameters on the same batch.

Both libraries run on one thread by default (``OPENBLAS_NUM_THREADS=1`` is set
unless the environment already sets it; torch is pinned to the same number).
Run ``OPENBLAS_NUM_THREADS=2 python benchmarks/bench_training.py`` for a
multi-threaded comparison; on a machine shared with other jobs those timings
are erratic (spinning BLAS threads starve each other).  For sweeps of many
small runs in parallel processes, pin one BLAS thread per process the same
way (and ``torch.set_num_threads(1)``), or use
``threadpoolctl.threadpool_limits(1)`` if threadpoolctl is installed (it is
not a dependency).
"""

from __future__ import annotations

import os

# One BLAS thread (and one torch thread) unless OPENBLAS_NUM_THREADS says
# otherwise: set before numpy is imported.  Single-thread timings are stable on
# shared machines; multi-threaded ones are not.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import time
from functools import partial

import numpy as np

from spheres_theory import ConcentricSpheres
from spheres_theory.models import QuadNet, ReLUNet
from spheres_theory.training import adam_update, train

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

# Match torch's intra-op threads to the BLAS pool pinned through the
# environment (e.g. OPENBLAS_NUM_THREADS=1 for a single-thread comparison).
_THREADS = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
if torch is not None and _THREADS:
    torch.set_num_threads(int(_THREADS))


def _make(kind, dim, hidden, dtype):
    if kind == "quad":
        return QuadNet(dim, hidden, rng=1, dtype=dtype)
    return ReLUNet(dim, (hidden, hidden), rng=1, dtype=dtype)


def numpy_step_fn(net, x, y):
    m = np.zeros_like(net._flat)
    v = np.zeros_like(net._flat)
    work = np.empty_like(net._flat)
    state = {"t": 0}

    def step():
        state["t"] += 1
        net._loss_and_grad(x, y)
        adam_update(net._flat, net._grad_flat, m, v, state["t"], lr=1e-4, work=work)

    return step


def torch_quad(net, dtype):
    W = torch.nn.Parameter(torch.tensor(np.array(net.W), dtype=dtype))
    w = torch.nn.Parameter(torch.tensor(net.w, dtype=dtype))
    b = torch.nn.Parameter(torch.tensor(net.b, dtype=dtype))
    params = [W, w, b]

    def forward(x):
        h = x @ W.T
        return w * (h * h).sum(1) + b

    def export():
        return {
            "W": W.detach().numpy(),
            "w": w.detach().numpy(),
            "b": b.detach().numpy(),
        }

    return params, forward, export


def torch_relu(net, dtype):
    p = {k: np.array(v) for k, v in net.params.items()}
    layers = []
    for i in range(1, len(net.hidden) + 1):
        lin = torch.nn.Linear(p[f"W{i}"].shape[1], p[f"W{i}"].shape[0], bias=False)
        lin.weight.data = torch.tensor(p[f"W{i}"], dtype=dtype)
        bn = torch.nn.BatchNorm1d(p[f"W{i}"].shape[0], eps=net.eps, momentum=0.1)
        bn.weight.data = torch.tensor(p[f"gamma{i}"], dtype=dtype)
        bn.bias.data = torch.tensor(p[f"beta{i}"], dtype=dtype)
        layers += [lin, bn, torch.nn.ReLU()]
    out = torch.nn.Linear(p["w_out"].shape[0], 1)
    out.weight.data = torch.tensor(p["w_out"][None, :], dtype=dtype)
    out.bias.data = torch.tensor(p["b_out"].reshape(1), dtype=dtype)
    model = torch.nn.Sequential(*layers, out).to(dtype)
    model.train()

    def forward(x):
        return model(x)[:, 0]

    def export():
        res = {}
        for i in range(1, len(net.hidden) + 1):
            res[f"W{i}"] = layers[3 * (i - 1)].weight.detach().numpy()
            res[f"gamma{i}"] = layers[3 * (i - 1) + 1].weight.detach().numpy()
            res[f"beta{i}"] = layers[3 * (i - 1) + 1].bias.detach().numpy()
        res["w_out"] = out.weight.detach().numpy()[0]
        res["b_out"] = out.bias.detach().numpy()[0]
        return res

    return list(model.parameters()), forward, export


def torch_step_fn(params, forward, x, y):
    opt = torch.optim.Adam(params, lr=1e-4)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(forward(x), y)
        loss.backward()
        opt.step()

    return step


def best_times(fns, steps, repeats=5, warmup_s=1.0):
    """Best time per step of each ``(fn, steps_per_call)``, in interleaved blocks.

    Blocks of ``steps`` calls alternate between the functions, so that all
    of them see the same background load (the machine may be shared); each
    function is first warmed up for ``warmup_s`` seconds (on a shared VM the
    first few hundred BLAS calls of a fresh thread pool are several times
    slower than the steady state).
    """
    for fn, _ in fns:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < warmup_s:
            fn()
    best = [np.inf] * len(fns)
    for _ in range(repeats):
        for i, (fn, per_call) in enumerate(fns):
            calls = max(1, round(steps / per_call))
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            best[i] = min(best[i], (time.perf_counter() - t0) / (calls * per_call))
    return best


# train() draws online batches in chunks of 4096 // 50 = 81 batches: time
# whole chunks so that the sampling cost is amortised as in a long run.
TRAIN_STEPS = 81


def train_step_fn(net, sp):
    gen = np.random.default_rng(0)

    def run():
        train(
            net, sp, steps=TRAIN_STEPS, rng=gen, progress=False, exact_checkpoints=False
        )

    return run


def max_rel_diff(a: dict, b: dict) -> float:
    worst = 0.0
    for k, va in a.items():
        va = np.asarray(va, dtype=np.float64)
        vb = np.asarray(b[k], dtype=np.float64)
        worst = max(worst, float(np.max(np.abs(va - vb)) / np.max(np.abs(vb))))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per block")
    parser.add_argument("--dim", type=int, default=500)
    parser.add_argument("--hidden", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    sp = ConcentricSpheres(args.dim)
    x64, y64 = sp.sample(args.batch, rng=0)
    tinfo = (
        f"{torch.__version__} ({torch.get_num_threads()} threads)"
        if torch is not None
        else "not installed"
    )
    print(
        f"d={args.dim}, hidden={args.hidden}, batch={args.batch}, "
        f"best of 5 interleaved blocks of {args.steps} steps; BLAS threads "
        f"{_THREADS or 'default'}; torch {tinfo}"
    )
    header = (
        f"{'model':<10}{'dtype':<9}{'numpy ms':>10}{'steps/s':>9}{'train() ms':>12}"
        f"{'torch ms':>10}{'np/torch':>10}{'max rel diff':>14}"
    )
    print(header)
    print("-" * len(header))
    for kind in ("quad", "relu+bn"):
        for dtype in (np.float32, np.float64):
            make = partial(_make, kind, args.dim, args.hidden, np.dtype(dtype))
            x, y = x64.astype(dtype), y64.astype(dtype)
            fns = [
                (numpy_step_fn(make(), x, y), 1),
                (train_step_fn(make(), sp), TRAIN_STEPS),
            ]
            if torch is not None:
                tdtype = torch.float32 if dtype == np.float32 else torch.float64
                build = torch_quad if kind == "quad" else torch_relu
                params, forward, _ = build(make(), tdtype)
                xt, yt = torch.tensor(x), torch.tensor(y)
                fns.append((torch_step_fn(params, forward, xt, yt), 1))
            times = best_times(fns, args.steps)
            t_np, t_train = times[0], times[1]
            t_torch_s = ratio_s = diff_s = "-"
            if torch is not None:
                t_torch = times[2]
                t_torch_s = f"{t_torch * 1e3:.2f}"
                ratio_s = f"{t_np / t_torch:.2f}x"
                # accuracy: identical init, identical batch, k Adam steps each
                k = 20
                a_net = make()
                step_np = numpy_step_fn(a_net, x, y)
                b_params, b_forward, b_export = build(make(), tdtype)
                step_t = torch_step_fn(b_params, b_forward, xt, yt)
                for _ in range(k):
                    step_np()
                    step_t()
                diff_s = f"{max_rel_diff(a_net.params, b_export()):.1e}"
            print(
                f"{kind:<10}{np.dtype(dtype).name:<9}{t_np * 1e3:>10.2f}"
                f"{1 / t_np:>9.0f}{t_train * 1e3:>12.2f}{t_torch_s:>10}"
                f"{ratio_s:>10}{diff_s:>14}"
            )


if __name__ == "__main__":
    main()
