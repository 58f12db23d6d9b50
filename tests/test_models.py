"""Tests of the numpy models: hand-derived gradients, Adam, training, persistence."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose

from spheres_theory import ConcentricSpheres
from spheres_theory.models import (
    QuadNet,
    ReLUNet,
    quadnet_backward,
    quadnet_logit,
    relunet_backward,
    relunet_forward,
    sigmoid_cross_entropy,
)
from spheres_theory.training import adam_update, load_model, save_model, train

# ---------------------------------------------------------------------------
# finite-difference helpers
# ---------------------------------------------------------------------------


def _central_diff(f, arr, idx, h=1e-6):
    old = arr[idx]
    arr[idx] = old + h
    fp = f()
    arr[idx] = old - h
    fm = f()
    arr[idx] = old
    return (fp - fm) / (2 * h)


def _check_fd(f, arr, grad, rng, n_coords=12, rtol=1e-6, atol=1e-9):
    flat_idx = rng.choice(arr.size, size=min(n_coords, arr.size), replace=False)
    for k in flat_idx:
        idx = np.unravel_index(k, arr.shape)
        fd = _central_diff(f, arr, idx)
        assert_allclose(grad[idx], fd, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------
# loss
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("z", "y"), [("0.3", 1), ("-2.5", 0), ("40", 0), ("-40", 1), ("35", 1), ("-800", 0)]
)
def test_sigmoid_cross_entropy_matches_mpmath(z, y):
    with mpmath.workdps(50):
        zz = mpmath.mpf(z)
        # -log sigmoid(z) for y = 1, -log(1 - sigmoid(z)) for y = 0
        ref = mpmath.log1p(mpmath.exp(-zz)) if y == 1 else mpmath.log1p(mpmath.exp(zz))
        dref = 1 / (1 + mpmath.exp(-zz)) - y
    loss, dz = sigmoid_cross_entropy(np.array([float(z)]), np.array([y]))
    assert_allclose(loss, float(ref), rtol=1e-14, atol=0)
    assert_allclose(dz[0], float(dref), rtol=1e-14, atol=0)


def test_sigmoid_cross_entropy_is_mean():
    rng = np.random.default_rng(0)
    z = rng.normal(size=7)
    y = rng.integers(0, 2, size=7)
    loss, dz = sigmoid_cross_entropy(z, y)
    per = [sigmoid_cross_entropy(z[i : i + 1], y[i : i + 1])[0] for i in range(7)]
    assert_allclose(loss, np.mean(per), rtol=1e-14)
    assert dz.shape == (7,)


# ---------------------------------------------------------------------------
# gradients: central finite differences, float64
# ---------------------------------------------------------------------------


def test_quadnet_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(6, 4)) / 2
    w = np.array(0.7)
    b = np.array(-1.1)
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 2, size=5)

    def loss():
        return sigmoid_cross_entropy(quadnet_logit(W, w, b, x), y)[0]

    _, dz = sigmoid_cross_entropy(quadnet_logit(W, w, b, x), y)
    dW, dw, db, dx = quadnet_backward(W, w, b, x, dz)
    _check_fd(loss, W, dW, rng, n_coords=24)
    _check_fd(loss, x, dx, rng, n_coords=20)
    assert_allclose(dw, _central_diff(loss, w, ()), rtol=1e-6)
    assert_allclose(db, _central_diff(loss, b, ()), rtol=1e-6)


def test_quadnet_input_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    net = QuadNet(5, hidden=7, rng=rng)
    x = rng.normal(size=(3, 5))
    z, g = net.input_gradient(x)
    assert_allclose(z, net.logit(x), rtol=1e-14)
    for i in range(3):
        for j in range(5):
            e = np.zeros(5)
            e[j] = 1e-6
            fd = (net.logit(x[i] + e)[0] - net.logit(x[i] - e)[0]) / 2e-6
            assert_allclose(g[i, j], fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("batch_norm", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_relunet_gradients_match_finite_differences(batch_norm, training):
    rng = np.random.default_rng(3)
    net = ReLUNet(4, hidden=(6, 5), batch_norm=batch_norm, rng=rng)
    params = {k: v.copy() for k, v in net.params.items()}
    for k in params:  # move away from the symmetric start (gamma=1, beta=0)
        params[k] += 0.3 * rng.normal(size=params[k].shape)
    state = {k: v.copy() for k, v in net.state.items()}
    for k in state:
        state[k] = (
            rng.uniform(0.5, 2.0, size=state[k].shape)
            if k.startswith("running_var")
            else rng.normal(size=state[k].shape)
        )
    x = rng.normal(size=(8, 4))
    y = rng.integers(0, 2, size=8)

    def loss():
        z, _ = relunet_forward(params, x, training=training, state=state)
        return sigmoid_cross_entropy(z, y)[0]

    z, cache = relunet_forward(params, x, training=training, state=state)
    _, dz = sigmoid_cross_entropy(z, y)
    grads = relunet_backward(params, cache, dz)
    assert set(grads) == {*params, "x"}
    for name, arr in params.items():
        _check_fd(loss, arr, grads[name], rng, n_coords=10, rtol=2e-6, atol=1e-9)
    _check_fd(loss, x, grads["x"], rng, n_coords=16, rtol=2e-6, atol=1e-9)


def test_relunet_input_gradient_eval_mode_matches_finite_differences():
    rng = np.random.default_rng(4)
    net = ReLUNet(4, hidden=(6, 5), rng=rng)
    net.logit(rng.normal(size=(16, 4)), training=True)  # non-trivial running stats
    x = rng.normal(size=(3, 4))
    z, g = net.input_gradient(x)
    assert_allclose(z, net.logit(x), rtol=1e-14)
    for i in range(3):
        for j in range(4):
            e = np.zeros(4)
            e[j] = 1e-6
            fd = (net.logit(x[i] + e)[0] - net.logit(x[i] - e)[0]) / 2e-6
            assert_allclose(g[i, j], fd, rtol=1e-6, atol=1e-9)


def test_batch_norm_train_mode_updates_running_stats():
    rng = np.random.default_rng(5)
    net = ReLUNet(3, hidden=(4,), rng=rng)
    x = rng.normal(size=(10, 3)) + 2.0
    before = net.logit(x)
    np.testing.assert_array_equal(before, net.logit(x))  # eval: no side effect
    net.logit(x, training=True)
    a = x @ net.params["W1"].T
    assert_allclose(net.state["running_mean1"], 0.1 * a.mean(0), rtol=1e-12)
    assert_allclose(net.state["running_var1"], 0.9 + 0.1 * a.var(0, ddof=1), rtol=1e-12)


# ---------------------------------------------------------------------------
# Adam
# ---------------------------------------------------------------------------


def test_adam_matches_textbook_formula():
    # Kingma & Ba (2015), Algorithm 1 with PyTorch's eps placement, written out.
    rng = np.random.default_rng(6)
    p = rng.normal(size=10)
    p_ref = p.copy()
    m, v = np.zeros(10), np.zeros(10)
    m_ref, v_ref = np.zeros(10), np.zeros(10)
    lr, b1, b2, eps = 1e-2, 0.9, 0.999, 1e-8
    work = np.empty(10)
    for t in range(1, 6):
        g = rng.normal(size=10)
        adam_update(p, g, m, v, t, lr=lr, work=work)
        m_ref = b1 * m_ref + (1 - b1) * g
        v_ref = b2 * v_ref + (1 - b2) * g * g
        mhat, vhat = m_ref / (1 - b1**t), v_ref / (1 - b2**t)
        p_ref = p_ref - lr * mhat / (np.sqrt(vhat) + eps)
        assert_allclose(p, p_ref, rtol=1e-13, atol=1e-15)


def test_train_step_uses_the_loss_gradient():
    # With a fixed training set of one batch, the first Adam step moves each
    # parameter by -lr * sign(gradient of the batch loss) (|g| >> eps).
    sp = ConcentricSpheres(4)
    net = QuadNet(4, hidden=3, rng=7)
    W0, w0, b0 = net.W.copy(), net.w, net.b
    train(
        net,
        sp,
        steps=1,
        batch_size=16,
        train_size=16,
        lr=1e-3,
        rng=8,
        progress=False,
        exact_checkpoints=False,
    )
    x, y = sp.sample(16, rng=np.random.default_rng(8))
    _, dz = sigmoid_cross_entropy(quadnet_logit(W0, w0, b0, x), y)
    dW, dw, db, _ = quadnet_backward(W0, w0, b0, x, dz)
    assert_allclose(net.W - W0, -1e-3 * np.sign(dW), rtol=1e-6)
    assert_allclose(net.w - w0, -1e-3 * np.sign(dw), rtol=1e-6)
    assert_allclose(net.b - b0, -1e-3 * np.sign(db), rtol=1e-6)


# ---------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------


def test_online_quadnet_training_reaches_perfect_rule():
    # Small problem, higher learning rate than the paper's 1e-4 (1e-2) so that
    # it converges in ~0.1 s; the exact error rates of the final rule are 0.
    sp = ConcentricSpheres(10)
    net = QuadNet(10, hidden=20, rng=0)
    rule0 = net.to_rule()
    assert not rule0.is_perfect(sp)  # the initialisation is not perfect
    hist = train(
        net, sp, steps=3000, lr=1e-2, rng=0, progress=False, checkpoint_every=1000
    )
    rule = net.to_rule()
    lo, hi = sp.alpha_range
    assert np.all((rule.alphas >= lo) & (rule.alphas <= hi))
    assert rule.is_perfect(sp)
    x, y = sp.sample(20_000, rng=1)
    np.testing.assert_array_equal(net.predict(x), y)
    last = hist.checkpoints[-1]
    assert last.step == 3000 and hist.steps_done == 3000
    assert last.n_bad_alphas == 0
    assert last.log10_error_inner == -np.inf
    assert last.log10_error_outer == -np.inf
    assert [c.step for c in hist.checkpoints] == [1000, 2000, 3000]
    # Worst-case loss over both spheres, from the eigenvalues of w WᵀW:
    # max logit on S_1 is w lam_max + b, min logit on S_R is w R² lam_min + b.
    lam = np.linalg.eigvalsh(net.w * net.W.T @ net.W)
    worst = max(
        np.logaddexp(0, lam[-1] + net.b), np.logaddexp(0, -(1.69 * lam[0] + net.b))
    )
    assert_allclose(last.worst_loss, worst, rtol=1e-10)
    per_point = np.logaddexp(0, np.where(y == 1, -1, 1) * net.logit(x))
    assert per_point.max() <= last.worst_loss
    table = hist.table()
    assert table["loss"].shape == (3,)
    assert hist.loss.shape == (3000,)
    assert hist.checkpoints[-1].loss < hist.checkpoints[0].loss


def test_relunet_orthogonal_init_makes_the_first_layer_a_tight_frame():
    # Widths 12 and 5 over dim 4: three stacked orthogonal 4 x 4 blocks (W1ᵀW1
    # = 3 · 2 · I exactly), then 5 rows cut from a 12 x 12 orthogonal matrix.
    net = ReLUNet(4, hidden=(12, 5), rng=0, init="orthogonal")
    W1, W2 = net.params["W1"], net.params["W2"]
    assert_allclose(W1.T @ W1, 6.0 * np.eye(4), atol=1e-12)
    for k in range(3):
        block = W1[4 * k : 4 * k + 4]
        assert_allclose(block @ block.T, 2.0 * np.eye(4), atol=1e-12)
    assert_allclose(W2 @ W2.T, 2.0 * np.eye(5), atol=1e-12)
    normal = ReLUNet(4, hidden=(12, 5), rng=0)
    assert not np.allclose(
        normal.params["W1"].T @ normal.params["W1"], 6.0 * np.eye(4), atol=1e-3
    )
    # the default is He-normal, unchanged by the option's existence
    same = ReLUNet(4, hidden=(12, 5), rng=0, init="normal")
    assert_allclose(same.params["W1"], normal.params["W1"])
    with pytest.raises(ValueError, match="`init`"):
        ReLUNet(4, hidden=(3,), init="xavier")


def test_online_relunet_training_is_accurate():
    # d = 10, widths 64, batch 100, lr 1e-3 (higher than the paper's 1e-4 for
    # speed), 8000 online steps (~2 s).  Measured over seeds 0-3: 100 % of
    # 20 000 fresh points in every case (at widths 32, batch 50, lr 3e-3 some
    # seeds stop at 99.99 %).
    sp = ConcentricSpheres(10)
    net = ReLUNet(10, hidden=(64, 64), rng=0)
    hist = train(
        net,
        sp,
        steps=8000,
        lr=1e-3,
        batch_size=100,
        rng=0,
        progress=False,
        checkpoint_every=1000,
    )
    x, y = sp.sample(20_000, rng=100)
    assert np.mean(net.predict(x) == y) == 1.0
    assert hist.checkpoints[-1].n_bad_alphas is None
    # Training-mode accuracy of the batches uses noisy batch-norm statistics;
    # it is recorded, and high.
    assert 0.9 < hist.checkpoints[-1].accuracy <= 1.0


def test_fixed_tiny_training_set_leaves_bad_alphas():
    # 20 points in d = 20 span at most 20 directions but do not pin the
    # curvature along each: the training set is fit, the rule is not perfect.
    sp = ConcentricSpheres(20)
    net = QuadNet(20, hidden=40, rng=3)
    hist = train(
        net,
        sp,
        steps=2000,
        lr=1e-2,
        train_size=20,
        batch_size=10,
        rng=4,
        progress=False,
        checkpoint_every=100,
    )
    assert hist.train_size == 20
    last = hist.checkpoints[-1]
    assert last.accuracy == 1.0  # every batch of the last 100 steps is fit
    rule = net.to_rule()
    assert rule.bad_alphas(sp).n_bad > 0
    assert last.n_bad_alphas == rule.bad_alphas(sp).n_bad
    # Closing the loop: the checkpoint's exact error rates match the error
    # frequency on fresh points (Monte Carlo, 5 standard errors).
    n = 20_000
    for sphere, log10_err in (
        ("inner", last.log10_error_inner),
        ("outer", last.log10_error_outer),
    ):
        p = 10.0**log10_err
        x, y = sp.sample(n, sphere=sphere, rng=5)
        freq = np.mean(net.predict(x) != y)
        assert abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-12
    assert max(last.log10_error_inner, last.log10_error_outer) > -3


def test_perfect_initialisation():
    sp = ConcentricSpheres(12, outer_radius=1.3)
    net = QuadNet.perfect(12, hidden=30, rng=5)
    assert net.to_rule().is_perfect(sp)
    x, y = sp.sample(2000, rng=6)
    np.testing.assert_array_equal(net.predict(x), y)


def test_from_alphas_reproduces_the_rule():
    alphas = np.array([1.3, 0.9, 0.6, 0.2, 0.0])
    basis, _ = np.linalg.qr(np.random.default_rng(7).normal(size=(5, 5)))
    net = QuadNet.from_alphas(alphas, hidden=8, basis=basis, rng=8)
    A = net.w * net.W.T @ net.W / -net.b
    assert_allclose(A, basis @ np.diag(alphas) @ basis.T, atol=1e-12)


def test_callback_can_stop_training():
    sp = ConcentricSpheres(5)
    net = QuadNet(5, hidden=5, rng=0)
    seen = []

    def cb(model, ckpt):
        seen.append(ckpt.step)
        return ckpt.step >= 20

    hist = train(
        net, sp, steps=100, checkpoint_every=10, callbacks=[cb], rng=0, progress=False
    )
    assert seen == [10, 20]
    assert hist.steps_done == 20
    assert hist.loss.shape == (20,)


def test_progress_bar_runs(capsys):
    sp = ConcentricSpheres(5)
    train(ReLUNet(5, hidden=(4,), rng=0), sp, steps=60, rng=0, progress=True)
    assert "ReLUNet" in capsys.readouterr().err


def test_float32_training():
    sp = ConcentricSpheres(10)
    net = QuadNet(10, hidden=20, rng=0, dtype=np.float32)
    train(net, sp, steps=3000, lr=1e-2, rng=0, progress=False)
    assert net.W.dtype == np.float32
    x, y = sp.sample(5000, rng=1)
    assert net.logit(x).dtype == np.float32
    assert np.mean(net.predict(x) == y) >= 0.999


# ---------------------------------------------------------------------------
# persistence
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_roundtrip(tmp_path, dtype):
    rng = np.random.default_rng(9)
    q = QuadNet(6, hidden=9, rng=rng, dtype=dtype)
    q.w = 0.3
    q.b = -0.8
    back = load_model(save_model(q, tmp_path / "quad"))
    assert isinstance(back, QuadNet) and back.W.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.W, q.W)
    assert (back.w, back.b) == (q.w, q.b)
    with np.load(tmp_path / "quad.npz") as f:
        assert {"W", "w", "b"} <= set(f.files)

    r = ReLUNet(6, hidden=(5, 4), rng=rng, dtype=dtype)
    r.logit(rng.normal(size=(12, 6)), training=True)
    back_r = load_model(save_model(r, tmp_path / "relu.npz"))
    assert isinstance(back_r, ReLUNet) and back_r.hidden == (5, 4)
    x = rng.normal(size=(7, 6))
    np.testing.assert_array_equal(back_r.logit(x), r.logit(x))


def test_load_plain_quad_net_file(tmp_path):
    # A file with only W, w, b (e.g. exported from another framework).
    W = np.random.default_rng(10).normal(size=(4, 3))
    np.savez(tmp_path / "plain.npz", W=W, w=np.float64(0.5), b=np.float64(-1.0))
    net = load_model(tmp_path / "plain.npz")
    np.testing.assert_array_equal(net.W, W)
    assert (net.w, net.b) == (0.5, -1.0)


def test_load_rejects_incomplete_file(tmp_path):
    np.savez(tmp_path / "bad.npz", W=np.ones((2, 2)))
    with pytest.raises(ValueError, match="lacks"):
        load_model(tmp_path / "bad.npz")


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def test_validation_messages():
    with pytest.raises(ValueError, match="`dtype`"):
        QuadNet(3, dtype=np.int32)
    with pytest.raises(ValueError, match="`hidden`"):
        QuadNet(3, hidden=0)
    with pytest.raises(ValueError, match="`x`"):
        QuadNet(3, hidden=2).logit(np.ones((2, 4)))
    with pytest.raises(ValueError, match="`W`"):
        QuadNet(3, hidden=2).W = np.ones((3, 3))
    with pytest.raises(ValueError, match="`spheres`"):
        train(QuadNet(3, hidden=2), ConcentricSpheres(4), steps=1, progress=False)
    with pytest.raises(ValueError, match="`lr`"):
        train(QuadNet(3, hidden=2), ConcentricSpheres(3), steps=1, lr=0.0)
    with pytest.raises(ValueError, match="`hidden`"):
        QuadNet.perfect(5, hidden=4)


def test_saved_quad_net_verifies_through_cli(tmp_path, capsys):
    from spheres_theory.cli import main

    good = save_model(QuadNet.perfect(8, hidden=12, rng=0), tmp_path / "good.npz")
    assert main(["verify", str(good)]) == 0
    bad_net = QuadNet.from_alphas([1.2] + [0.8] * 7, hidden=12, rng=1)
    bad = save_model(bad_net, tmp_path / "bad.npz")
    assert main(["verify", str(bad)]) == 1
    capsys.readouterr()
