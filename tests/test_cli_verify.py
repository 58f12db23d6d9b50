"""``spheres-theory verify``: reading models, the report, exit codes, bad input."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

from spheres_theory import ConcentricSpheres, QuadraticRule
from spheres_theory.cli import main


def _orthogonal(dim, rng):
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def _quad_net(alphas, *, w=0.5, b=-2.0, seed=0):
    """W (dim, dim) with w s^2 / -b = alphas, rotated on both sides."""
    rng = np.random.default_rng(seed)
    dim = len(alphas)
    s = np.sqrt(np.asarray(alphas) * (-b) / w)
    W = _orthogonal(dim, rng) @ np.diag(s) @ _orthogonal(dim, rng).T
    return W, w, b


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def perfect_npz(tmp_path):
    W, w, b = _quad_net(np.linspace(0.6, 0.99, 40))
    path = tmp_path / "perfect.npz"
    np.savez(path, W=W, w=w, b=b)
    return path


@pytest.fixture
def imperfect_npz(tmp_path):
    alphas = np.linspace(0.6, 0.99, 40)
    alphas[[3, 7]] = [1.3, 0.4]
    W, w, b = _quad_net(alphas)
    path = tmp_path / "imperfect.npz"
    np.savez(path, W=W, w=w, b=b)
    return path


def test_perfect_model_exit_0(perfect_npz, capsys):
    code, out, err = _run(["verify", str(perfect_npz)], capsys)
    assert code == 0
    assert err == ""
    assert "PERFECT" in out
    assert "NOT PERFECT" not in out
    assert "CLT approximation (paper, corrected)" in out
    assert "dimension     40" in out
    assert out.count("0 (exactly)") == 2


def test_imperfect_model_exit_1_and_json(imperfect_npz, capsys):
    code, out, _ = _run(["verify", str(imperfect_npz), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["dim"] == 40
    assert report["perfect"] is False
    assert report["alphas"]["n_above"] == 1
    assert report["alphas"]["n_below"] == 1
    assert report["alphas"]["max"] == pytest.approx(1.3, rel=1e-12)
    # the same numbers as the API on the same rule
    alphas = np.linspace(0.6, 0.99, 40)
    alphas[[3, 7]] = [1.3, 0.4]
    sp = ConcentricSpheres(40)
    for sphere in ("inner", "outer"):
        ref = QuadraticRule(alphas).error_rate(sp, sphere=sphere).log10_value
        got = report["error_rates"][sphere]["log10_value"]
        assert got == pytest.approx(ref, rel=1e-9)
        assert report["clt"][sphere]["method"] == "clt"


def test_json_uses_null_for_exact_zero(perfect_npz, capsys):
    code, out, _ = _run(["verify", str(perfect_npz), "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["error_rates"]["inner"]["log10_value"] is None
    assert report["error_rates"]["inner"]["value"] == 0.0
    assert report["verdict"].startswith("PERFECT")


def test_outer_radius_changes_the_band(perfect_npz, capsys):
    # α down to 0.6 are in [1/R², 1] for R = 1.3 but not for R = 1.2 (1/1.44 = 0.694)
    code, _out, _ = _run(["verify", str(perfect_npz), "--outer-radius", "1.2"], capsys)
    assert code == 1


def test_keys_mapping(tmp_path, capsys):
    W, w, b = _quad_net(np.full(5, 0.8))
    path = tmp_path / "renamed.npz"
    np.savez(path, **{"hidden.weight": W, "readout": w, "bias": b})
    code, _, err = _run(["verify", str(path)], capsys)
    assert code == 2
    assert "--keys" in err
    argv = ["verify", str(path), "--keys", "W=hidden.weight,w=readout,b=bias"]
    code, _out, _ = _run(argv, capsys)
    assert code == 0


def test_npy_matrix(tmp_path, capsys):
    rng = np.random.default_rng(1)
    Q = _orthogonal(6, rng)
    A = Q @ np.diag([0.7, 0.8, 0.9, 0.95, 0.65, 1.1]) @ Q.T
    path = tmp_path / "A.npy"
    np.save(path, (A + A.T) / 2)
    code, out, _ = _run(["verify", str(path), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["alphas"]["n_above"] == 1
    assert report["model"].startswith("matrix")
    npz = tmp_path / "A.npz"
    np.savez(npz, A=(A + A.T) / 2)
    assert _run(["verify", str(npz)], capsys)[0] == 1


def test_example_model(capsys):
    code, out, err = _run(["verify", "--example"], capsys)
    assert code in (0, 1)
    assert err == ""
    assert "dimension     500" in out
    assert "example_quadnet.npz" in out
    code_json, out_json, _ = _run(["verify", "--example", "--json"], capsys)
    report = json.loads(out_json)
    assert code_json == code == (0 if report["perfect"] else 1)
    assert report["dim"] == 500
    # built by benchmarks/make_example.py like the paper's fixed-set net:
    # 394 of 500 α out of band, 51 near 0, inner error about 1e-11
    assert report["alphas"]["n_bad"] == 394
    assert report["alphas"]["n_near_zero"] == 51
    assert -13 < report["error_rates"]["inner"]["log10_value"] < -10


def test_console_script_runs(perfect_npz):
    proc = subprocess.run(
        [sys.executable, "-m", "spheres_theory.cli", "verify", str(perfect_npz)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "verdict" in proc.stdout


# --- bad input: exit code 2, one line on stderr, no traceback ------------------


def _bad_files(tmp_path):
    W, w, b = _quad_net(np.full(4, 0.8))
    files = {}
    p = tmp_path / "nan.npz"
    np.savez(p, W=np.full((4, 4), np.nan), w=w, b=b)
    files["nan weights"] = (p, "finite")
    p = tmp_path / "shape.npz"
    np.savez(p, W=np.ones(4), w=w, b=b)
    files["1-d W"] = (p, "2-d")
    p = tmp_path / "wshape.npz"
    np.savez(p, W=W, w=np.ones(3), b=b)
    files["w of wrong length"] = (p, "`w`")
    p = tmp_path / "b0.npz"
    np.savez(p, W=W, w=w, b=0.0)
    files["b = 0"] = (p, "`b` must be nonzero")
    p = tmp_path / "empty.npz"
    np.savez(p, W=np.ones((0, 4)), w=w, b=b)
    files["empty W"] = (p, "empty")
    p = tmp_path / "truncated.npz"
    np.savez(tmp_path / "full.npz", W=W, w=w, b=b)
    p.write_bytes((tmp_path / "full.npz").read_bytes()[:300])
    files["truncated npz"] = (p, "")
    p = tmp_path / "truncated.npy"
    np.save(tmp_path / "full.npy", W)
    p.write_bytes((tmp_path / "full.npy").read_bytes()[:100])
    files["truncated npy"] = (p, "")
    p = tmp_path / "object.npy"
    np.save(p, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    files["object npy"] = (p, "pickle")
    p = tmp_path / "pickled.npy"
    p.write_bytes(pickle.dumps({"W": W.tolist()}))
    files["pickle as npy"] = (p, "pickle")
    p = tmp_path / "text.npz"
    p.write_text("not a model\n")
    files["text file"] = (p, "")
    p = tmp_path / "rect.npy"
    np.save(p, np.ones((3, 4)))
    files["non-square matrix"] = (p, "square")
    p = tmp_path / "asym.npy"
    np.save(p, np.array([[1.0, 2.0], [0.0, 1.0]]))
    files["asymmetric matrix"] = (p, "symmetric")
    p = tmp_path / "scalar.npy"
    np.save(p, np.float64(3.0))
    files["0-d npy"] = (p, "2-d")
    p = tmp_path / "dim1.npy"
    np.save(p, np.ones((1, 1)))
    files["dim 1"] = (p, "dim")
    files["missing file"] = (tmp_path / "missing.npz", "")
    return files


def test_bad_files_give_one_line_and_exit_2(tmp_path, capsys):
    for name, (path, needle) in _bad_files(tmp_path).items():
        code, out, err = _run(["verify", str(path)], capsys)
        assert code == 2, name
        assert out == "", name
        assert err.count("\n") == 1 and err.endswith("\n"), (name, err)
        assert err.startswith("spheres-theory verify: error: "), (name, err)
        assert "Traceback" not in err
        assert needle in err, (name, err)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["verify"], "exactly one of WEIGHTS and --example"),
        (["verify", "x.npz", "--example"], "exactly one of WEIGHTS and --example"),
        (["verify", "--example", "--keys", "Q=1"], "--keys"),
        (["verify", "--example", "--keys", "W"], "--keys"),
        (["verify", "--example", "--outer-radius", "0.5"], "outer-radius"),
        (["verify", "--example", "--outer-radius", "nan"], "outer-radius"),
    ],
)
def test_bad_arguments_exit_2(argv, needle, capsys):
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert needle in err


def test_torch_file_without_torch(tmp_path, capsys, monkeypatch):
    import torch

    path = tmp_path / "model.bin"  # the extension says nothing
    torch.save({"W": torch.eye(3)}, path)
    monkeypatch.setitem(sys.modules, "torch", None)  # make `import torch` fail
    code, _out, err = _run(["verify", str(path)], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "install the torch extra" in err


def test_torch_state_dict(tmp_path, capsys):
    import torch

    W, w, b = _quad_net(np.linspace(0.6, 0.99, 10))
    path = tmp_path / "model.pt"
    torch.save({"W": torch.tensor(W), "w": torch.tensor(w), "b": torch.tensor(b)}, path)
    assert _run(["verify", str(path)], capsys)[0] == 0
    bad = tmp_path / "list.pt"
    torch.save([1, 2, 3], bad)
    code, _, err = _run(["verify", str(bad)], capsys)
    assert code == 2
    assert "state dict" in err
    # arbitrary pickled objects are refused (weights_only=True), on one line
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps(_NotAStateDict()))
    code, _, err = _run(["verify", str(evil)], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "cannot read" in err


class _NotAStateDict:
    def __reduce__(self):
        return (print, ("unpickled!",))


# --- overflow, complex input, leaked warnings: still one line and exit 2 -------


def _run_no_warnings(argv, capsys):
    """Run main, failing if any warning escapes it (they would reach stderr)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out, err = _run(argv, capsys)
    assert [str(w.message) for w in caught] == []
    return code, out, err


def _assert_one_line_error(code, out, err, needle):
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("spheres-theory verify: error: "), err
    assert needle in err, err


@pytest.mark.parametrize("outer_radius", ["1e308", "1e200", "1.3407807929942597e154"])
def test_outer_radius_whose_square_overflows(outer_radius, capsys):
    # used to crash with OverflowError in ConcentricSpheres.alpha_range
    argv = ["verify", "--example", "--outer-radius", outer_radius]
    _assert_one_line_error(*_run_no_warnings(argv, capsys), "--outer-radius")


def test_arithmetic_errors_are_one_line(perfect_npz, capsys, monkeypatch):
    def overflow(*args, **kwargs):
        raise OverflowError(34, "Numerical result out of range")

    monkeypatch.setattr(QuadraticRule, "certify", overflow)
    code, out, err = _run(["verify", str(perfect_npz)], capsys)
    _assert_one_line_error(code, out, err, "could not compute the error rates")


def test_duplicate_keys_are_refused(capsys):
    argv = ["verify", "--example", "--keys", "W=W,W=W"]
    _assert_one_line_error(*_run_no_warnings(argv, capsys), "at most once")


def test_complex_weights_are_refused(tmp_path, capsys):
    W, w, b = _quad_net(np.full(4, 0.8))
    npz = tmp_path / "complex.npz"
    np.savez(npz, W=W + 1e-3j, w=w, b=b)
    code, out, err = _run_no_warnings(["verify", str(npz)], capsys)
    _assert_one_line_error(code, out, err, "`W` must be real")
    npy = tmp_path / "complex.npy"
    np.save(npy, np.eye(3) * (0.8 + 0j))
    code, out, err = _run_no_warnings(["verify", str(npy)], capsys)
    _assert_one_line_error(code, out, err, "`A` must be real")


def test_huge_matrix_warns_nothing(tmp_path, capsys):
    # 0.5 * (A + A.T) overflowed (RuntimeWarning on stderr) for entries ~1e308
    path = tmp_path / "huge.npy"
    np.save(path, np.eye(3) * 1e308)
    code, out, err = _run_no_warnings(["verify", str(path), "--json"], capsys)
    assert code == 1
    assert err == ""
    report = json.loads(out, parse_constant=_no_nan)
    assert report["alphas"]["max"] == 1e308
    assert report["error_rates"]["inner"]["value"] == 1.0
    assert all(isinstance(note, str) for note in report["warnings"])


def test_torch_protocol_4_pickle_is_one_line(tmp_path, capsys):
    import torch  # noqa: F401  (in the test extra: never skipped)

    path = tmp_path / "p.pt"
    path.write_bytes(pickle.dumps({"a": 1}, protocol=4))  # torch warns on these
    code, out, err = _run_no_warnings(["verify", str(path)], capsys)
    _assert_one_line_error(code, out, err, "readable with weights_only=True")
    assert "weights_only=False" not in err  # never advise unsafe loading


def test_torch_complex_tensor_is_refused(tmp_path, capsys):
    import torch

    W, w, b = _quad_net(np.full(4, 0.8))
    path = tmp_path / "complex.pt"
    state = {"W": torch.tensor(W + 1e-3j), "w": torch.tensor(w), "b": torch.tensor(b)}
    torch.save(state, path)
    code, out, err = _run_no_warnings(["verify", str(path)], capsys)
    _assert_one_line_error(code, out, err, "`W` must be real")


# --- accuracy of the error rates in the report ----------------------------------


def _no_nan(name):
    raise AssertionError(f"invalid JSON constant {name}")


@pytest.mark.parametrize(
    "diag", [[1e-300, 1e300], [1e20, 1 - 1e-10]], ids=["1e-300,1e300", "1e20,1-1e-10"]
)
def test_report_carries_the_accuracy_of_each_rate(diag, tmp_path, capsys):
    # the auditor saw a NaN rate and an unflagged inaccurate one for these
    path = tmp_path / "A.npy"
    np.save(path, np.diag(diag))
    code, out, err = _run_no_warnings(["verify", str(path), "--json"], capsys)
    assert code == 1
    assert err == ""
    report = json.loads(out, parse_constant=_no_nan)  # strict JSON: no NaN
    rule = QuadraticRule.from_matrix(np.diag(diag))
    sp = ConcentricSpheres(2)
    for sphere in ("inner", "outer"):
        got = report["error_rates"][sphere]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # AccuracyWarning: `.accurate` says it
            ref = rule.error_rate(sp, sphere=sphere)
        assert got["accurate"] is bool(ref.accurate and np.isfinite(ref.value))
        if np.isfinite(ref.value):
            assert got["value"] == float(ref.value)
        else:
            assert got["value"] is None
        if np.isfinite(ref.error_estimate):
            assert got["error_estimate"] == float(ref.error_estimate)
        else:
            assert got["error_estimate"] is None
        assert report["clt"][sphere]["error_estimate"] is None  # not estimated
    _run_no_warnings(["verify", str(path)], capsys)


def test_inaccurate_and_nan_rates_are_flagged(perfect_npz, capsys, monkeypatch):
    # Whatever the current accuracy of quadforms, the CLI must flag a rate that
    # misses the target and must not print NaN into the JSON.
    from spheres_theory.quadforms import TailProbability

    fake = {
        "inner": TailProbability(
            value=0.25,
            log10_value=np.log10(0.25),
            method="exact",
            error_estimate=3.5e-7,
            accurate=False,
        ),
        "outer": TailProbability(
            value=np.nan,
            log10_value=np.nan,
            method="exact",
            error_estimate=np.inf,
            accurate=False,
        ),
    }
    original = QuadraticRule._rate

    def rate(self, spheres, sphere, method, opts):
        if method is None:
            return fake[sphere], None
        return original(self, spheres, sphere, method, opts)

    monkeypatch.setattr(QuadraticRule, "_rate", rate)
    code, out, err = _run_no_warnings(["verify", str(perfect_npz), "--json"], capsys)
    assert code == 0  # the verdict rests on the alphas alone
    assert err == ""
    report = json.loads(out, parse_constant=_no_nan)
    inner, outer = report["error_rates"]["inner"], report["error_rates"]["outer"]
    assert inner["value"] == 0.25
    assert inner["accurate"] is False
    assert inner["error_estimate"] == 3.5e-7
    assert outer["value"] is None
    assert outer["log10_value"] is None
    assert outer["accurate"] is False
    assert outer["error_estimate"] is None
    assert report["clt"]["inner"]["accurate"] is True
    code, out, err = _run_no_warnings(["verify", str(perfect_npz)], capsys)
    assert code == 0
    assert err == ""
    assert "(inaccurate: estimated relative error 3.5e-07)" in out
    assert "(inaccurate: estimated relative error unknown)" in out
    assert out.count("(inaccurate:") == 2
    assert "not computed" in out
    rows = [line for line in out.splitlines() if " sphere  " in line]
    assert len(rows) == 2
    assert "nan" not in " ".join(rows).lower()


def test_accurate_rates_carry_no_note(imperfect_npz, capsys):
    code, out, _ = _run_no_warnings(["verify", str(imperfect_npz), "--json"], capsys)
    report = json.loads(out, parse_constant=_no_nan)
    for sphere in ("inner", "outer"):
        assert report["error_rates"][sphere]["accurate"] is True
        assert report["error_rates"][sphere]["error_estimate"] <= 1e-10
    assert report["warnings"] == []
    code, out, _ = _run_no_warnings(["verify", str(imperfect_npz)], capsys)
    assert code == 1
    assert "inaccurate" not in out
    assert "warning" not in out


# --- the band of a complement rule ----------------------------------------------


def test_complement_rule_has_no_band(tmp_path, capsys):
    # w < 0 < b: inner region = complement of an ellipsoid, threshold -1; the
    # "band" [-1/R^2, -1] is empty and was printed with its ends reversed
    W = np.diag(np.linspace(1.1, 2.0, 5))
    path = tmp_path / "complement.npz"
    np.savez(path, W=W, w=-1.0, b=1.0)
    code, out, err = _run_no_warnings(["verify", str(path)], capsys)
    assert code == 1
    assert err == ""
    assert "complement of an ellipsoid" in out
    assert "[-0.591716, -1]" not in out
    assert "no band: alpha > -1 cause inner errors" in out
    assert "alpha < -1/R^2 = -0.591716 outer errors" in out
    code, out, _ = _run_no_warnings(["verify", str(path), "--json"], capsys)
    report = json.loads(out)
    assert report["alphas"]["band_empty"] is True
    assert report["alphas"]["band"] == [-1 / 1.3**2, -1.0]


def test_ellipsoid_rule_band_unchanged(perfect_npz, capsys):
    _code, out, _ = _run_no_warnings(["verify", str(perfect_npz), "--json"], capsys)
    assert json.loads(out)["alphas"]["band_empty"] is False
    _code, out, _ = _run_no_warnings(["verify", str(perfect_npz)], capsys)
    assert "band [threshold/R^2, threshold] = [0.591716, 1]" in out
