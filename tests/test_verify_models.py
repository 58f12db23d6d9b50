"""``verify`` on the models people train: PyTorch checkpoints and scikit-learn models.

Each model is built here (no downloads); the verdict and the rates are checked
against an independent Monte Carlo of the model's own forward pass.
"""

from __future__ import annotations

import json
import pickle
import zipfile

import numpy as np
import pytest
import torch
from scipy import stats

from spheres_theory import ConcentricSpheres
from spheres_theory.cli import main

DIM, HIDDEN = 6, 9
N_MC = 400_000


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _json(argv, capsys):
    code, out, err = _run([*argv, "--json"], capsys)
    assert err == "", err
    return code, json.loads(out)


class QuadNet(torch.nn.Module):
    def __init__(self, hidden_bias=False, logits=1, dim=DIM, hidden=HIDDEN):
        super().__init__()
        self.layer1 = torch.nn.Linear(dim, hidden, bias=hidden_bias)
        self.readout = torch.nn.Linear(hidden, logits)

    def forward(self, x):
        return self.readout(self.layer1(x) ** 2)


def _net(seed, *, hidden_bias=False, logits=1, dim=DIM, hidden=HIDDEN):
    """A quad net whose alphas straddle the band [1/R^2, 1] a little."""
    torch.manual_seed(seed)
    net = QuadNet(hidden_bias, logits, dim, hidden).double()
    with torch.no_grad():
        net.readout.weight.abs_()
        net.readout.bias.fill_(-1.0)
        if logits == 2:
            net.readout.weight[0] = 0.0
            net.readout.bias[0] = 0.0
        w = net.readout.weight[-1]
        W = net.layer1.weight
        alphas = torch.linalg.eigvalsh(W.T @ (w[:, None] * W))
        net.layer1.weight.mul_(torch.sqrt(0.75 / alphas.mean()))
        if hidden_bias:
            net.layer1.bias.mul_(0.1)
    return net


def _mc_rates(predict_outer, dim, *, seed=1, n=N_MC):
    """Fraction of misclassified points on each sphere, by the model itself."""
    sp = ConcentricSpheres(dim, outer_radius=1.3)
    rates = {}
    for sphere, wrong in (("inner", 1), ("outer", 0)):
        x, _ = sp.sample(n, sphere=sphere, rng=seed)
        rates[sphere] = float(np.mean(predict_outer(x) == wrong))
    return rates


def _torch_predict(net):
    def predict(x):
        with torch.no_grad():
            out = net(torch.from_numpy(x).to(next(net.parameters()).dtype)).double()
        if out.shape[1] == 2:
            return (out[:, 1] > out[:, 0]).numpy().astype(int)
        return (out[:, 0] > 0).numpy().astype(int)

    return predict


def _agrees(report_rate, mc, n=N_MC):
    """The report's rate (exact or its interval) agrees with the Monte Carlo."""
    k = round(mc * n)
    lo = stats.beta.ppf(1e-4, k, n - k + 1) if k else 0.0
    hi = stats.beta.isf(1e-4, k + 1, n - k) if k < n else 1.0
    if report_rate["exact"]:
        return lo <= report_rate["value"] <= hi
    return report_rate["ci_low"] <= hi and lo <= report_rate["ci_high"]


@pytest.mark.parametrize("hidden_bias", [False, True])
def test_state_dict_without_keys(tmp_path, capsys, hidden_bias):
    net = _net(0, hidden_bias=hidden_bias)
    path = tmp_path / "model.pt"
    torch.save(net.state_dict(), path)
    code, r = _json(["verify", str(path), "--n-samples", "20000"], capsys)
    assert r["rule_kind"] == ("non-centred" if hidden_bias else "centred")
    assert r["arrays"]["used"]["W"] == "layer1.weight"
    assert r["exact"]["verdict"] is True
    assert r["exact"]["error_rates"] is (not hidden_bias)
    mc = _mc_rates(_torch_predict(net), DIM)
    for s in ("inner", "outer"):
        assert _agrees(r["error_rates"][s], mc[s]), (s, r["error_rates"][s], mc[s])
    assert code == (0 if r["perfect"] else 1)


def test_hidden_bias_changes_the_answer(tmp_path, capsys):
    # the bug: a hidden bias ignored without a word.  With keys that leave
    # it out, the bias is an unused array that could change the rule: exit 2
    net = _net(1, hidden_bias=True)
    path = tmp_path / "model.pt"
    torch.save(net.state_dict(), path)
    keys = "W=layer1.weight,w=readout.weight,b=readout.bias"
    code, _out, err = _run(["verify", str(path), "--keys", keys], capsys)
    assert code == 2
    assert "layer1.bias" in err and "could change" in err
    _, r = _json(["verify", str(path), "--keys", keys, "--allow-unused"], capsys)
    assert r["arrays"]["unused_model"] == ["layer1.bias"]


def test_nested_checkpoint_and_prefixes(tmp_path, capsys):
    net = _net(2)
    opt = torch.optim.Adam(net.parameters())
    net(torch.ones(3, DIM, dtype=torch.float64)).sum().backward()
    opt.step()
    sd = {f"module.{k}": v for k, v in net.state_dict().items()}  # DataParallel
    path = tmp_path / "checkpoint.pth.tar"
    torch.save({"state_dict": sd, "optimizer": opt.state_dict(), "epoch": 3}, path)
    _, r = _json(["verify", str(path)], capsys)
    assert r["format"] == "torch"
    assert r["arrays"]["used"]["W"] == "state_dict.module.layer1.weight"
    assert any(n.startswith("optimizer.") for n in r["arrays"]["unused_training_state"])
    mc = _mc_rates(_torch_predict(net), DIM)
    for s in ("inner", "outer"):
        assert _agrees(r["error_rates"][s], mc[s])
    # dotted paths in --keys
    keys = (
        "W=state_dict.module.layer1.weight,w=state_dict.module.readout.weight,"
        "b=state_dict.module.readout.bias"
    )
    _, r2 = _json(["verify", str(path), "--keys", keys], capsys)
    assert r2["error_rates"] == r["error_rates"]


def test_lightning_checkpoint(tmp_path, capsys):
    net = _net(3)
    sd = {f"model.{k}": v for k, v in net.state_dict().items()}
    ckpt = {
        "epoch": 7,
        "global_step": 700,
        "pytorch-lightning_version": "2.4.0",
        "state_dict": sd,
        "optimizer_states": [{"state": {}, "param_groups": []}],
        "lr_schedulers": [],
        "hyper_parameters": {"lr": 1e-3},
    }
    path = tmp_path / "last.ckpt"
    torch.save(ckpt, path)
    _, r = _json(["verify", str(path)], capsys)
    assert r["rule_kind"] == "centred"
    mc = _mc_rates(_torch_predict(net), DIM)
    assert _agrees(r["error_rates"]["inner"], mc["inner"])


def test_two_logit_readout(tmp_path, capsys):
    net = _net(4, logits=2)
    path = tmp_path / "two.pt"
    torch.save(net.state_dict(), path)
    _, r = _json(["verify", str(path)], capsys)
    assert any("logit difference" in n for n in r["notes"])
    mc = _mc_rates(_torch_predict(net), DIM)
    for s in ("inner", "outer"):
        assert _agrees(r["error_rates"][s], mc[s])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_narrow_dtypes(tmp_path, capsys, dtype):
    net = _net(5).to(getattr(torch, dtype))
    path = tmp_path / "half.pt"
    torch.save(net.state_dict(), path)
    _, r = _json(["verify", str(path)], capsys)
    assert r["precision"]["dtype"] == dtype
    # the rule of the stored values, checked by the forward pass in float64
    net64 = QuadNet().double()
    net64.load_state_dict({k: v.double() for k, v in net.state_dict().items()})
    mc = _mc_rates(_torch_predict(net64), DIM)
    assert _agrees(r["error_rates"]["inner"], mc["inner"])


def test_margin_below_float32_precision(tmp_path, capsys):
    # every alpha exactly 1 in float64 terms: margin 0, float32 forward pass
    # misclassifies a good share of the inner sphere
    W = torch.eye(DIM, dtype=torch.float32)
    net = QuadNet(dim=DIM, hidden=DIM)
    with torch.no_grad():
        net.layer1.weight.copy_(W)
        net.readout.weight.fill_(1.0)
        net.readout.bias.fill_(-1.0)
    path = tmp_path / "edge.pt"
    torch.save(net.state_dict(), path)
    code, r = _json(["verify", str(path)], capsys)
    assert r["precision"]["margin_below_precision"] is True
    assert r["perfect"] is None and code == 1
    assert any("precision" in w for w in r["warnings"])
    mc = _mc_rates(_torch_predict(net), DIM, n=20_000)
    assert mc["inner"] > 0.01  # the float32 model itself errs


def test_cuda_tagged_storage_is_read_on_cpu(tmp_path, capsys):
    net = _net(6)
    src = tmp_path / "cpu.pt"
    torch.save(net.state_dict(), src)
    dst = tmp_path / "cuda.pt"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("data.pkl"):
                assert b"X\x03\x00\x00\x00cpu" in data
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            zout.writestr(info, data)
    _, r = _json(["verify", str(dst)], capsys)
    _, r0 = _json(["verify", str(src)], capsys)
    assert r["error_rates"] == r0["error_rates"]


def test_transposed_and_non_square_W(tmp_path, capsys):
    rng = np.random.default_rng(7)
    dim, hidden = 5, 8
    W = rng.standard_normal((hidden, dim))
    w = rng.uniform(0.1, 0.4, hidden)
    good = tmp_path / "good.npz"
    np.savez(good, W=W, w=w, b=-1.0)
    flipped = tmp_path / "flipped.npz"
    np.savez(flipped, W=W.T, w=w, b=-1.0)  # (in, out) layout
    _, r1 = _json(["verify", str(good)], capsys)
    _, r2 = _json(["verify", str(flipped)], capsys)
    assert r1["dim"] == r2["dim"] == dim
    assert any("transposed" in n for n in r2["notes"])
    assert r1["alphas"]["max"] == pytest.approx(r2["alphas"]["max"], rel=1e-12)
    # a scalar readout cannot tell the orientation: an error, then --dim decides
    scalar = tmp_path / "scalar.npz"
    np.savez(scalar, W=W.T, w=0.2, b=-1.0)
    code, _, err = _run(["verify", str(scalar)], capsys)
    assert code == 2 and "--dim" in err
    _, r3 = _json(["verify", str(scalar), "--dim", str(dim)], capsys)
    assert r3["dim"] == dim
    code, _, err = _run(["verify", str(scalar), "--dim", "7"], capsys)
    assert code == 2 and "--dim 7" in err


def test_flipped_label_convention(tmp_path, capsys):
    # inner = positive class: w < 0, b > 0; the same ellipsoid as the usual net
    rng = np.random.default_rng(8)
    q, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    W = q @ np.diag(np.sqrt(np.linspace(0.65, 0.95, DIM)))
    path = tmp_path / "flipped.npz"
    np.savez(path, W=W.T, w=-1.0, b=1.0)
    code, r = _json(["verify", str(path)], capsys)
    assert code == 1 and r["kind"] == "complement of an ellipsoid"
    code, r = _json(["verify", str(path), "--positive-class", "inner"], capsys)
    assert code == 0 and r["perfect"] is True and r["kind"] == "ellipsoid"


def test_sklearn_models(tmp_path, capsys):
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import PolynomialFeatures

    sp = ConcentricSpheres(DIM, outer_radius=1.3)
    x, y = sp.sample(300, sphere="both", rng=0)
    qda = QuadraticDiscriminantAnalysis().fit(x, y)
    path = tmp_path / "qda.npz"
    np.savez(
        path,
        means_=qda.means_,
        rotations_=np.stack(qda.rotations_),
        scalings_=np.stack(qda.scalings_),
        priors_=qda.priors_,
    )
    _, r = _json(["verify", str(path), "--n-samples", "20000"], capsys)
    assert r["model"].startswith("qda")
    mc = _mc_rates(qda.predict, DIM)
    for s in ("inner", "outer"):
        assert _agrees(r["error_rates"][s], mc[s]), (s, r["error_rates"][s], mc[s])
    poly = PolynomialFeatures(degree=2)
    clf = LogisticRegression(max_iter=3000).fit(poly.fit_transform(x), y)
    path = tmp_path / "poly.npz"
    np.savez(path, powers_=poly.powers_, coef_=clf.coef_, intercept_=clf.intercept_)
    _, r = _json(["verify", str(path), "--n-samples", "20000"], capsys)
    mc = _mc_rates(lambda z: clf.predict(poly.transform(z)), DIM)
    for s in ("inner", "outer"):
        assert _agrees(r["error_rates"][s], mc[s]), (s, r["error_rates"][s], mc[s])


def test_matrix_with_linear_term_is_not_ignored(tmp_path, capsys):
    A = np.diag(np.linspace(0.7, 0.9, DIM))
    lin = np.zeros(DIM)
    lin[0] = 0.3
    path = tmp_path / "Al.npz"
    np.savez(path, A=A, l=lin, c=-1.0)
    code, r = _json(["verify", str(path), "--n-samples", "20000"], capsys)
    assert r["rule_kind"] == "non-centred"
    # by hand: max on the unit sphere at e_1: 0.7 + 0.3 - 1 = 0 -> boundary;
    # the exact extreme lies a bit off e_1 (larger alphas elsewhere)
    assert r["extremes"]["inner_max"][0] > 0 and code == 1
    path2 = tmp_path / "Al_keys.npz"
    np.savez(path2, A=A, linear_term=lin)
    code, _, err = _run(["verify", str(path2)], capsys)
    assert code == 2 and "linear_term" in err


def test_torch_save_model_gets_a_hint(tmp_path, capsys):
    path = tmp_path / "whole.pt"
    torch.save(_net(0), path)
    code, _, err = _run(["verify", str(path)], capsys)
    assert code == 2 and "state_dict()" in err
    assert err.count("\n") == 1


def test_ambiguous_models_are_listed(tmp_path, capsys):
    sd = {
        "a.weight": torch.ones(4, 3),
        "b.weight": torch.ones(4, 4),
        "c.weight": torch.ones(1, 4),
    }
    path = tmp_path / "deep.pt"
    torch.save(sd, path)
    code, _, err = _run(["verify", str(path)], capsys)
    assert code == 2 and "a.weight (4, 3)" in err and "--keys" in err


def test_alphas_file(tmp_path, capsys):
    net = _net(9)
    path = tmp_path / "m.pt"
    torch.save(net.state_dict(), path)
    out = tmp_path / "alphas.csv"
    _, r = _json(["verify", str(path), "--alphas", str(out), "--basis"], capsys)
    alphas = np.loadtxt(out, delimiter=",")
    basis = np.loadtxt(tmp_path / "alphas_basis.csv", delimiter=",")
    assert alphas.shape == (DIM,) and basis.shape == (DIM, DIM)
    assert alphas.max() == pytest.approx(r["alphas"]["max"], rel=1e-15)
    # independent: eigenvalues of w W^T W / |b| (scalar-free: diag readout)
    W = net.layer1.weight.detach().numpy()
    w = net.readout.weight.detach().numpy().ravel()
    M = W.T @ (w[:, None] * W) / abs(net.readout.bias.item())
    np.testing.assert_allclose(np.sort(alphas), np.linalg.eigvalsh(M), rtol=1e-10)
    npy = tmp_path / "alphas.npy"
    _json(["verify", str(path), "--alphas", str(npy)], capsys)
    np.testing.assert_array_equal(np.load(npy), alphas)
    code, _, err = _run(
        ["verify", str(path), "--alphas", str(tmp_path / "a.txt")], capsys
    )
    assert code == 2 and ".npy or .csv" in err


class _Evil:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_pickles_are_never_executed(tmp_path, capsys):
    marker = tmp_path / "EXECUTED"
    evil = _Evil(marker)
    files = []
    p = tmp_path / "evil.npy"
    np.save(p, np.array([evil, None], dtype=object), allow_pickle=True)
    files.append(p)
    p = tmp_path / "evil.npz"
    np.savez(p, W=np.array([evil], dtype=object), w=1.0, b=-1.0)
    files.append(p)
    p = tmp_path / "evil.pt"
    torch.save({"W": evil}, p)
    files.append(p)
    p = tmp_path / "evil_legacy.pt"
    torch.save({"W": evil}, p, _use_new_zipfile_serialization=False)
    files.append(p)
    p = tmp_path / "evil.ckpt"
    torch.save({"state_dict": {"layer.weight": evil}, "epoch": 1}, p)
    files.append(p)
    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps(evil))
    files.append(p)
    assert not marker.exists()
    for f in files:
        code, _, err = _run(["verify", str(f)], capsys)
        assert code == 2, f
        assert err.count("\n") == 1, err
        assert not marker.exists(), f
