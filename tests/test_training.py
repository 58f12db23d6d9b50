"""Tests of `train`: parameter-group rates, Adam options, resumable training.

References are independent of the code under test: a float64 Adam step and
the quad net's gradient written out here, Adam's first step (``lr`` times the
sign of the gradient), and uninterrupted runs for the resumed ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import spheres_theory._persistence as persistence
from spheres_theory import ConcentricSpheres
from spheres_theory.models import QuadNet, ReLUNet
from spheres_theory.training import (
    TrainingState,
    load_model,
    load_training_state,
    save_model,
    save_training_state,
    train,
)

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------
# a float64 reference: the quad net's loss gradient and Adam, written out
# ---------------------------------------------------------------------------


def _ref_grad(W, w, b, x, y):
    """Gradient of the mean sigmoid cross-entropy of w ||W x||² + b (float64)."""
    W, x, y = (np.asarray(a, dtype=np.float64) for a in (W, x, y))
    h = x @ W.T
    s = (h**2).sum(axis=1)
    z = w * s + b
    p = 1.0 / (1.0 + np.exp(-z))  # |z| is small here: no overflow
    dz = (p - y) / len(y)
    dW = 2.0 * w * (h * dz[:, None]).T @ x
    return dW, float(dz @ s), float(dz.sum())


def _ref_adam(params, grads, ms, vs, t, lr, betas, eps):
    """Kingma & Ba (2015), Algorithm 1, PyTorch's placement of eps."""
    b1, b2 = betas
    out = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        ms[i] = b1 * ms[i] + (1 - b1) * g
        vs[i] = b2 * vs[i] + (1 - b2) * g * g
        mhat, vhat = ms[i] / (1 - b1**t), vs[i] / (1 - b2**t)
        out.append(p - lr[i] * mhat / (np.sqrt(vhat) + eps))
    return out


def _one_batch_set(sp, n, seed):
    x, y = sp.sample(n, rng=seed)
    return x, y


# ---------------------------------------------------------------------------
# 1. parameter-group learning rates and Adam options
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_readout_lr_moves_readout_by_its_own_rate(dtype):
    # Adam's first step moves each parameter by lr * g / (|g| + eps) ~ lr *
    # sign(g): W by lr, (w, b) by readout_lr.
    sp = ConcentricSpheres(6)
    net = QuadNet(6, hidden=9, rng=1, dtype=dtype)
    W0, w0, b0 = net.W.astype(np.float64), net.w, net.b
    x, y = _one_batch_set(sp, 20, 2)
    train(net, sp, steps=1, batch_size=20, data=(x, y), lr=1e-4, readout_lr=1e-2, rng=3)
    dW, dw, db = _ref_grad(W0, w0, b0, x, y)

    def first_step(lr, g):  # m̂ = g, v̂ = g² after one step
        return -lr * g / (np.abs(g) + 1e-8)

    rtol = 1e-9 if dtype == np.float64 else 1e-5
    assert_allclose(net.W - W0, first_step(1e-4, dW), rtol=rtol, atol=1e-3 * 1e-4)
    assert_allclose(net.w - w0, first_step(1e-2, dw), rtol=rtol)
    assert_allclose(net.b - b0, first_step(1e-2, db), rtol=rtol)
    assert np.all(np.abs(net.W - W0) <= 1e-4 + 1e-7)
    assert np.median(np.abs(net.W - W0)) > 9e-5


def test_readout_lr_of_relu_net_is_w_out_and_b_out():
    sp = ConcentricSpheres(5)
    net = ReLUNet(5, hidden=(6, 4), rng=0)
    before = {k: v.copy() for k, v in net.params.items()}
    train(net, sp, steps=1, batch_size=16, lr=1e-5, readout_lr=1e-2, rng=1)
    for name, old in before.items():
        moved = np.abs(net.params[name] - old)
        rate = 1e-2 if name in ("w_out", "b_out") else 1e-5
        # first step: |change| = rate * |g| / (|g| + eps) <= rate, ~rate
        assert np.all(moved <= rate * (1 + 1e-12)), name
        assert np.median(moved) > 0.5 * rate, name


def test_schedules_get_the_one_based_step():
    sp = ConcentricSpheres(4)
    seen_lr, seen_readout = [], []

    def lr(step):
        seen_lr.append(step)
        return 1e-3

    def readout(step):
        seen_readout.append(step)
        return 1e-2 / step

    net = QuadNet(4, hidden=3, rng=0)
    hist = train(net, sp, steps=5, lr=lr, readout_lr=readout, rng=0)
    assert seen_lr == [1, 2, 3, 4, 5]
    assert seen_readout == [1, 2, 3, 4, 5]
    assert hist.lr == 1e-3 and hist.readout_lr == 1e-2 / 5
    # continuing a run continues the count
    seen_lr.clear()
    train(net, sp, steps=3, lr=lr, state=hist.state)
    assert seen_lr == [6, 7, 8]


def test_steps_match_a_float64_reference_implementation():
    # Three steps with non-default betas, eps and two rates, against the
    # gradient and Adam written out above (float64 model: to rounding).
    sp = ConcentricSpheres(5)
    net = QuadNet(5, hidden=7, rng=4)
    x, y = _one_batch_set(sp, 30, 5)
    params = [net.W.copy(), np.float64(net.w), np.float64(net.b)]
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    betas, eps, rates = (0.8, 0.95), 1e-6, (3e-3, 2e-2, 2e-2)
    for t in range(1, 4):
        grads = _ref_grad(params[0], params[1], params[2], x, y)
        params = _ref_adam(params, grads, ms, vs, t, rates, betas, eps)
    train(
        net,
        sp,
        steps=3,
        batch_size=30,
        data=(x, y),
        lr=3e-3,
        readout_lr=2e-2,
        betas=betas,
        eps=eps,
        rng=0,
    )
    assert_allclose(net.W, params[0], rtol=1e-12, atol=1e-15)
    assert_allclose([net.w, net.b], [params[1], params[2]], rtol=1e-12)


def test_float32_step_matches_the_float64_reference():
    # One float32 step from the same (float32) start equals the float64
    # reference step to float32 accuracy.
    sp = ConcentricSpheres(6)
    net = QuadNet(6, hidden=9, rng=6, dtype=np.float32)
    x, y = _one_batch_set(sp, 25, 7)
    start = [net.W.astype(np.float64), np.float64(net.w), np.float64(net.b)]
    grads = _ref_grad(*start, x, y)
    zeros = [np.zeros_like(p) for p in start]
    ref = _ref_adam(start, grads, zeros, [z.copy() for z in zeros], 1, (0.1,) * 3,
                    (0.9, 0.999), 1e-8)  # fmt: skip
    train(net, sp, steps=1, batch_size=25, data=(x, y), lr=0.1, rng=0)
    assert_allclose(net.W, ref[0], rtol=2e-6, atol=1e-7)
    assert_allclose([net.w, net.b], [ref[1], ref[2]], rtol=2e-6)


def test_adam_option_validation():
    sp, net = ConcentricSpheres(3), QuadNet(3, hidden=2, rng=0)
    with pytest.raises(ValueError, match="`readout_lr`"):
        train(net, sp, steps=1, readout_lr=-1.0)
    with pytest.raises(ValueError, match="`betas`"):
        train(net, sp, steps=1, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="`betas`"):
        train(net, sp, steps=1, betas=0.9)
    with pytest.raises(ValueError, match="`eps`"):
        train(net, sp, steps=1, eps=0.0)
    with pytest.raises(ValueError, match="`lr` must return"):
        train(net, sp, steps=3, lr=lambda step: 1e-3 if step < 2 else float("nan"))
    with pytest.raises(ValueError, match="`readout_lr` must return"):
        train(net, sp, steps=1, readout_lr=lambda step: "fast")


# ---------------------------------------------------------------------------
# 2. resumable training
# ---------------------------------------------------------------------------


def _make(kind, dtype):
    if kind == "quad":
        return QuadNet(6, hidden=8, rng=11, dtype=dtype)
    return ReLUNet(6, hidden=(7, 5), rng=11, dtype=dtype)


def _assert_same(a, b):
    for name, arr in a.params.items():
        np.testing.assert_array_equal(arr, b.params[name], err_msg=name)
    for name, arr in getattr(a, "state", {}).items():
        np.testing.assert_array_equal(arr, b.state[name], err_msg=name)


MODES = {
    "online": {},
    "train_size": {"train_size": 130},
    "data": {"data": ConcentricSpheres(6).sample(70, rng=21)},
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize(
    ("kind", "dtype"), [("quad", np.float32), ("relu", np.float64)]
)
def test_resumed_run_is_bit_identical(tmp_path, mode, kind, dtype):
    # N steps in one call == k steps, save, load a fresh model, N - k steps;
    # k = 97 is inside the second online chunk (81 batches of 50) and inside
    # an epoch of the fixed sets; N = 250 crosses more chunks and epochs.
    sp, n, k = ConcentricSpheres(6), 250, 97
    opts = dict(batch_size=50, lr=3e-3, readout_lr=lambda t: 1e-2 / np.sqrt(t))
    opts.update(MODES[mode], rng=5, exact_checkpoints=False)
    whole = _make(kind, dtype)
    h_whole = train(whole, sp, steps=n, **opts)

    part = _make(kind, dtype)
    h1 = train(part, sp, steps=k, **opts)
    path = save_training_state(tmp_path / "run", part, h1.state)
    del part
    fresh, state = load_training_state(path)
    assert state.step == k
    h2 = train(fresh, sp, steps=n - k, state=state, **opts)
    _assert_same(fresh, whole)
    np.testing.assert_array_equal(np.r_[h1.loss, h2.loss], h_whole.loss)
    np.testing.assert_array_equal(h2.state.m, h_whole.state.m)
    np.testing.assert_array_equal(h2.state.v, h_whole.state.v)
    assert h2.state.step == h_whole.state.step == n
    assert h2.state.rng_state == h_whole.state.rng_state
    assert h2.state.position == h_whole.state.position


def test_resume_in_many_pieces_and_at_chunk_boundaries():
    # Pieces ending exactly at a chunk's end (81 batches) and of one step,
    # resumed from the in-memory state, with checkpoints counted globally.
    sp = ConcentricSpheres(5)
    whole = QuadNet(5, hidden=6, rng=2)
    ref = train(whole, sp, steps=200, rng=9, checkpoint_every=40)
    net = QuadNet(5, hidden=6, rng=2)
    state, steps_seen = None, []
    for size in (81, 81, 1, 0, 37):
        hist = train(net, sp, steps=size, rng=9, state=state, checkpoint_every=40)
        state = hist.state
        steps_seen += [c.step for c in hist.checkpoints]
    _assert_same(net, whole)
    assert state.step == 200
    assert steps_seen == [40, 80, 81, 120, 160, 162, 163, 163, 200]
    last = next(c for c in ref.checkpoints if c.step == 200)
    assert hist.checkpoints[-1].n_bad_alphas == last.n_bad_alphas
    assert hist.checkpoints[-1].log10_error_inner == last.log10_error_inner


def test_state_is_frozen_and_checked():
    sp = ConcentricSpheres(4)
    net = QuadNet(4, hidden=3, rng=0)
    hist = train(net, sp, steps=3, rng=0, train_size=40, batch_size=10)
    state = hist.state
    assert isinstance(state, TrainingState)
    with pytest.raises(ValueError, match="read-only"):
        state.m[0] = 1.0
    with pytest.raises(ValueError, match="`batch_size`"):
        train(net, sp, steps=1, rng=0, train_size=40, batch_size=20, state=state)
    with pytest.raises(ValueError, match="another training set"):
        train(net, sp, steps=1, rng=1, train_size=40, batch_size=10, state=state)
    with pytest.raises(ValueError, match="another training set"):
        train(net, sp, steps=1, rng=0, batch_size=10, state=state)
    with pytest.raises(ValueError, match="`state` m"):
        train(QuadNet(4, hidden=5, rng=0), sp, steps=1, batch_size=10, state=state)
    with pytest.raises(ValueError, match="`state` must be"):
        train(net, sp, steps=1, state={"step": 3})
    online = train(net, sp, steps=2, rng=0, batch_size=10).state
    with pytest.raises(ValueError, match="Philox"):
        other = np.random.Generator(np.random.Philox(0))
        train(net, sp, steps=1, rng=other, batch_size=10, state=online)
    with pytest.raises(ValueError, match="`checkpoint_steps`"):
        train(net, sp, steps=2, state=state, checkpoint_steps=[6], train_size=40,
              batch_size=10, rng=0)  # fmt: skip


def test_state_file_is_a_model_file_and_refuses_plain_ones(tmp_path):
    sp = ConcentricSpheres(4)
    net = QuadNet(4, hidden=3, rng=0, dtype=np.float32)
    hist = train(net, sp, steps=4, rng=0)
    path = save_training_state(tmp_path / "state.npz", net, hist.state)
    with np.load(path, allow_pickle=False) as f:  # no object arrays
        assert {"W", "w", "b", "train_m", "train_rng_state"} <= set(f.files)
    back = load_model(path)  # the verifier's reader sees a quad net
    np.testing.assert_array_equal(back.W, net.W)
    plain = save_model(net, tmp_path / "plain.npz")
    with pytest.raises(ValueError, match="no training state"):
        load_training_state(plain)
    with pytest.raises(ValueError, match="`state`"):
        save_training_state(tmp_path / "x", QuadNet(4, hidden=5), hist.state)


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    sp = ConcentricSpheres(4)
    net = QuadNet(4, hidden=3, rng=0)
    h1 = train(net, sp, steps=5, rng=0)
    path = save_training_state(tmp_path / "run.npz", net, h1.state)
    h2 = train(net, sp, steps=5, rng=0, state=h1.state)

    real_savez = np.savez

    def dying_savez(file, **arrays):
        real_savez(file, **arrays)
        file.truncate(100)  # half-written, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(persistence.np, "savez", dying_savez)
    with pytest.raises(KeyboardInterrupt):
        save_training_state(path, net, h2.state)
    monkeypatch.undo()
    _, state = load_training_state(path)
    assert state.step == 5
    np.testing.assert_array_equal(state.m, h1.state.m)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]
    # a partial file left by a hard kill (no cleanup) is never read
    (tmp_path / ".run.npz.abc.partial").write_bytes(b"PK\x03\x04 half")
    assert load_training_state(path)[1].step == 5


_CHILD = textwrap.dedent(
    """
    import sys
    from spheres_theory import ConcentricSpheres
    from spheres_theory.models import QuadNet
    from spheres_theory.training import train

    path, total = sys.argv[1], int(sys.argv[2])
    sp, net = ConcentricSpheres(6), QuadNet(6, hidden=8, rng=3)

    def tell(model, checkpoint):
        print(checkpoint.step, flush=True)

    train(net, sp, steps=total, rng=4, checkpoint_every=7, state_path=path,
          callbacks=[tell], exact_checkpoints=False)
    """
)


def test_kill_9_then_resume_matches_an_uninterrupted_run(tmp_path):
    # A child process trains, saving its state every 7 steps (`state_path`);
    # it is killed with SIGKILL at an arbitrary moment; the run resumed from
    # the file ends with the parameters of an uninterrupted run.
    total = 2100
    path = tmp_path / "run.npz"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), str(total)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        for _ in range(3):  # a few saves, then kill it mid-run
            assert child.stdout.readline().strip()
        time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        child.stdout.close()
    net, state = load_training_state(path)
    assert 0 < state.step < total and state.step % 7 == 0
    sp = ConcentricSpheres(6)
    train(net, sp, steps=total - state.step, rng=4, state=state, state_path=path)
    assert load_training_state(path)[1].step == total
    whole = QuadNet(6, hidden=8, rng=3)
    train(whole, sp, steps=total, rng=4, exact_checkpoints=False)
    _assert_same(net, whole)


# ---------------------------------------------------------------------------
# 3. the fast step keeps the maths
# ---------------------------------------------------------------------------


def test_fast_quad_gradient_matches_the_reference_with_kept_buffers():
    # The training path (preallocated buffers kept in `scratch`, reused and
    # resized between calls) gives the gradient written out in this file.
    sp = ConcentricSpheres(7)
    net = QuadNet(7, hidden=5, rng=12)
    scratch = {}
    for n, seed in ((9, 1), (9, 2), (4, 3)):
        x, y = sp.sample(n, rng=seed)
        loss, acc = net._loss_and_grad(x, y.astype(float), scratch=scratch)
        dW, dw, db = _ref_grad(net.W, net.w, net.b, x, y)
        assert_allclose(net._grads["W"], dW, rtol=1e-12, atol=1e-15)
        assert_allclose([net._grads["w"], net._grads["b"]], [dw, db], rtol=1e-12)
        assert scratch["hT"].shape == (5, n)
    z = net.w * ((x @ net.W.T) ** 2).sum(1) + net.b
    ref_loss = np.mean(np.logaddexp(0, z) - y * z)
    assert_allclose(loss, ref_loss, rtol=1e-12)
    assert acc == np.mean((z > 0) == (y == 1))


def test_float32_training_stays_float32():
    # No silent upcast in the hot path: every array the step makes is float32.
    sp = ConcentricSpheres(6)
    net = QuadNet(6, hidden=4, rng=0, dtype=np.float32)
    scratch = {}
    x, y = sp.sample(10, rng=1)
    net._loss_and_grad(x.astype(np.float32), y.astype(np.float32), scratch=scratch)
    assert scratch["hT"].dtype == np.float32
    assert net._grad_flat.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("contiguous", [True, False])
def test_adam_update_matches_textbook_in_every_layout(dtype, contiguous):
    from spheres_theory.training import adam_update

    rng = np.random.default_rng(13)
    n = 11
    base = [rng.normal(size=2 * n).astype(dtype) for _ in range(2)]
    p, m, v = base[0], np.zeros(2 * n, dtype), np.zeros(2 * n, dtype)
    if not contiguous:
        p, m, v = p[::2], m[::2], v[::2]
    else:
        p, m, v = p[:n], m[:n], v[:n]
    ref = [p.astype(np.float64)]
    ms, vs = [np.zeros(n)], [np.zeros(n)]
    for t in range(1, 5):
        g = rng.normal(size=n).astype(dtype)
        adam_update(p, g, m, v, t, lr=1e-2, betas=(0.8, 0.99), eps=1e-6)
        ref = _ref_adam(ref, [g.astype(np.float64)], ms, vs, t, (1e-2,), (0.8, 0.99),
                        1e-6)  # fmt: skip
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(p, ref[0], rtol=tol)


def test_state_path_saves_at_every_checkpoint(tmp_path):
    sp = ConcentricSpheres(4)
    net = QuadNet(4, hidden=3, rng=0)
    path = tmp_path / "run.npz"
    seen = []

    def look(model, checkpoint):
        saved_net, saved = load_training_state(path)
        seen.append(saved.step)
        np.testing.assert_array_equal(saved_net.W, model.W)
        return checkpoint.step >= 20  # stop early: the file is at step 20

    hist = train(
        net, sp, steps=50, rng=0, state_path=path, checkpoint_every=10,
        callbacks=[look], train_size=30, batch_size=10,
    )  # fmt: skip
    assert seen == [10, 20]
    _, saved = load_training_state(path)
    assert saved.step == hist.state.step == 20
    np.testing.assert_array_equal(saved.m, hist.state.m)
    assert saved.rng_state == hist.state.rng_state
    assert saved.position == hist.state.position
    assert saved.data_digest == hist.state.data_digest != ""


def test_readout_eps_applies_to_the_readout_only():
    # After one step a parameter moves by -lr g / (|g| + eps): a large eps
    # shrinks the move, so each offset shows in its own parameters.
    sp = ConcentricSpheres(6)
    x, y = _one_batch_set(sp, 20, 2)
    net = QuadNet(6, hidden=9, rng=1, dtype=np.float64)
    W0, w0, b0 = net.W.copy(), net.w, net.b
    dW, dw, db = _ref_grad(W0, w0, b0, x, y)
    big = 10 * max(abs(dw), abs(db))
    train(
        net,
        sp,
        steps=1,
        batch_size=20,
        data=(x, y),
        lr=1e-3,
        readout_lr=1e-3,
        eps=1e-12,
        readout_eps=big,
        rng=3,
    )
    assert_allclose(net.W - W0, -1e-3 * dW / (np.abs(dW) + 1e-12), rtol=1e-9)
    assert_allclose(net.w - w0, -1e-3 * dw / (abs(dw) + big), rtol=1e-9)
    assert_allclose(net.b - b0, -1e-3 * db / (abs(db) + big), rtol=1e-9)
    with pytest.raises(ValueError, match="`readout_eps`"):
        train(net, sp, steps=1, data=(x, y), readout_eps=-1.0)
