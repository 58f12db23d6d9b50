"""Targets of the quick reproduction: each phenomenon shown at d = 500, ≤ 10 min.

Runs README's main job (``spheres-theory reproduce --quick``) into a fresh
folder, then checks every target against the saved results and prints
"met" / "missed" with the measured value and the wall time.

    python benchmarks/bench_reproduce.py [OUT_DIR]

The 10-minute target is for 2 idle cores; on a shared machine the wall time
measured here is an upper bound of that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from spheres_theory.reproduce import load_result


def _line(ok: bool, target: str, value: str) -> bool:
    print(f"{'met   ' if ok else 'missed'}  {target}: {value}")
    return ok


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    shutil.rmtree(out, ignore_errors=True)
    exe = Path(sys.executable).with_name("spheres-theory")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "reproduce", "--quick", "--out", str(out), "--no-progress"],
        check=True,
        env=env,
    )
    wall = time.perf_counter() - start
    r = {
        name: load_result(out / "results" / name)
        for name in (
            "fixed_set",
            "online",
            "adversarial",
            "drift",
            "relu",
            "error_distance",
            "attack_gap",
            "slices",
            "headline",
        )
    }
    ok = []
    f = r["fixed_set"]
    ok.append(
        _line(
            f.log10_error_inner[-1] <= -8
            and f.errors_inner == 0
            and f.errors_outer == 0
            and f.n_samples >= 10**6
            and f.n_bad_alphas[-1] >= 250,
            "Fig. 3 left: exact inner ≤ 1e-8, 0 sampled in ≥ 1e6/sphere, ≥ 250 bad α",
            f"log10 inner {f.log10_error_inner[-1]:.2f}, sampled {f.errors_inner}+"
            f"{f.errors_outer} in {f.n_samples:.0e}, bad α {f.n_bad_alphas[-1]}",
        )
    )
    o, a = r["online"], r["adversarial"]
    ok.append(
        _line(
            bool(o.perfect),
            "online training to a certified perfect rule",
            f"bad α {o.n_bad_alphas[-1]} after {o.steps[-1]} steps ({o.seconds:.0f} s)",
        )
    )
    ok.append(
        _line(
            bool(a.perfect),
            "exact adversarial training to a certified perfect rule",
            f"bad α {a.n_bad_alphas[-1]} after {a.steps[-1]} steps ({a.seconds:.0f} s) "
            f"vs online {o.steps[-1]} steps ({o.seconds:.0f} s)",
        )
    )
    d = r["drift"]
    ok.append(
        _line(
            d.n_bad_alphas[0] == 0
            and d.n_bad_alphas[-1] >= 200
            and d.mean_loss[-1] < d.mean_loss[0],
            "Fig. 3 right: 0 → ≥ 200 bad α while the average loss falls",
            f"{d.n_bad_alphas[0]} → {d.n_bad_alphas[-1]}, loss {d.mean_loss[0]:.4f} → "
            f"{d.mean_loss[-1]:.4f}",
        )
    )
    e = r["error_distance"]
    zero = e.relu_errors == 0
    ok.append(
        _line(
            e.quad_log10_error.max() >= -1
            and e.quad_log10_error.min() <= -12
            and bool(zero.any()),
            "Fig. 4: quad μ from ≥ 1e-1 to ≤ 1e-12; a ReLU checkpoint at sampled μ = 0",
            f"log10 μ {e.quad_log10_error.max():.2f} … {e.quad_log10_error.min():.1f}; "
            f"ReLU checkpoints with 0 errors: {int(zero.sum())}",
        )
    )
    rl = r["relu"]
    ok.append(
        _line(
            rl.errors_inner[-1] == 0
            and rl.errors_outer[-1] == 0
            and rl.n_samples[-1] >= 10**6
            and rl.attack_success[-1] >= 0.95,
            "ReLU: 0 errors in ≥ 1e6/sphere, attack succeeds from ≥ 95 % of starts",
            f"{rl.errors_inner[-1]}+{rl.errors_outer[-1]} in {rl.n_samples[-1]:.0e}, "
            f"attack {100 * rl.attack_success[-1]:.0f}%",
        )
    )
    g = r["attack_gap"]
    ok.append(
        _line(
            g.log10_error_low <= -8
            and g.ratios_low.size > 0
            and g.ratios_early.size > 0,
            "attack gap on a net with μ ≤ 1e-8 and on an early checkpoint",
            f"μ 10^{g.log10_error_low:.1f}: median {np.median(g.ratios_low):.4f}; "
            f"μ 10^{g.log10_error_early:.1f}: median {np.median(g.ratios_early):.4f}",
        )
    )
    s = r["slices"]
    ok.append(
        _line(
            s.kinds
            == ("random × random", "random × adversarial", "adversarial × adversarial"),
            "Fig. 1: the paper's three slices",
            ", ".join(s.kinds),
        )
    )
    nets = sorted(p.stem for p in (out / "nets").glob("*.npz"))
    ok.append(_line(len(nets) >= 6, "every trained quad net saved", ", ".join(nets)))
    ok.append(_line(wall <= 600, "wall time ≤ 10 min", f"{wall:.0f} s"))
    print(f"{sum(ok)} of {len(ok)} targets met; report {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
