"""``spheres-theory bound``: the Lévy bound on the command line."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_reference

from spheres_theory.cli import main

OMD = {
    (c["d"], c["mu"], c["metric"]): c
    for c in load_reference("optimal_mean_distance.json")["cases"]
}


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report(capsys):
    code, out, err = _run(["bound", "--dim", "500", "--error-rate", "1e-6"], capsys)
    assert code == 0 and err == ""
    ref = OMD[(500, "1e-6", "chordal")]
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "exact" in lines and "asymptotic" in lines
    assert "Φ⁻¹(1−μ)/√d" in lines["asymptotic"]
    exact = float(lines["exact"].split()[2])
    asym = float(lines["asymptotic"].split()[2])
    assert math.isclose(exact, float(ref["value"]), rel_tol=1e-11)
    assert math.isclose(asym, float(ref["asymptotic"]), rel_tol=1e-11)
    assert "cap height" in out and "0.2105089008" in out
    assert "500" in out and "chordal" in out and "1e-06" in out


def test_json_report(capsys):
    argv = ["bound", "--dim", "500", "--error-rate", "1e-6", "--metric", "geodesic"]
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    ref = OMD[(500, "1e-6", "geodesic")]
    assert report["dim"] == 500 and report["metric"] == "geodesic"
    assert report["error_rate"] == 1e-6
    assert math.isclose(report["exact"], float(ref["value"]), rel_tol=1e-12)
    assert math.isclose(report["asymptotic"], float(ref["asymptotic"]), rel_tol=1e-12)
    assert math.isclose(report["cap_height"], float(ref["cap_height"]), rel_tol=1e-12)
    assert math.isclose(report["log10_error_rate"], -6.0, rel_tol=1e-15)


def test_radius_and_deep_rate(capsys):
    code, out, _ = _run(
        ["bound", "--dim", "500", "--error-rate", "1e-6", "--radius", "1.3", "--json"],
        capsys,
    )
    ref = OMD[(500, "1e-6", "chordal")]
    assert math.isclose(
        json.loads(out)["exact"], 1.3 * float(ref["value"]), rel_tol=1e-12
    )
    # below float64: the decimal string is kept through its logarithm
    code, out, _ = _run(
        ["bound", "--dim", "500", "--error-rate", "1e-400", "--json"], capsys
    )
    report = json.loads(out)
    assert code == 0 and report["error_rate"] is None
    assert math.isclose(report["log10_error_rate"], -400.0, rel_tol=1e-15)
    assert 0.9 < report["cap_height"] < 1 and 1 < report["exact"] < 2


def test_plot_writes_png(tmp_path, capsys):
    path = tmp_path / "curve.png"
    code, out, _ = _run(["bound", "--dim", "500", "--plot", str(path)], capsys)
    assert code == 0 and str(path) in out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = _run(
        [
            "bound",
            "--dim",
            "100",
            "--error-rate",
            "0.01",
            "--plot",
            str(path),
            "--json",
        ],
        capsys,
    )
    assert code == 0 and json.loads(out)["plot"] == str(path)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--dim", "1", "--error-rate", "0.1"], "`dim`"),
        (["--dim", "2.5", "--error-rate", "0.1"], "`dim`"),
        (["--dim", "abc", "--error-rate", "0.1"], "--dim"),
        (["--dim", "500", "--error-rate", "2"], "`error_rate`"),
        (["--dim", "500", "--error-rate", "0"], "`error_rate`"),
        (["--dim", "500", "--error-rate", "nan"], "`error_rate`"),
        (["--dim", "500", "--error-rate", "x"], "--error-rate"),
        (["--dim", "500", "--error-rate", "0.1", "--radius", "0"], "`radius`"),
        (["--dim", "500"], "--error-rate"),
    ],
)
def test_bad_input_one_line_exit_2(argv, needle, capsys):
    code, out, err = _run(["bound", *argv], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and needle in err
    assert "Traceback" not in err


def test_unwritable_plot_path(tmp_path, capsys):
    bad = tmp_path / "missing-dir" / "curve.png"
    code, _, err = _run(["bound", "--dim", "50", "--plot", str(bad)], capsys)
    assert code == 2 and err.count("\n") == 1


def test_console_script(tmp_path):
    exe = Path(sys.executable).with_name("spheres-theory")
    if not exe.exists():  # fall back to PATH (installed elsewhere)
        found = shutil.which("spheres-theory")
        assert found, "the spheres-theory console script is not installed"
        exe = Path(found)
    done = subprocess.run(
        [str(exe), "bound", "--dim", "500", "--error-rate", "1e-2", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{json.loads(done.stdout)['exact']:.4f}" == "0.1042"
    bad = subprocess.run(
        [str(exe), "bound", "--dim", "1", "--error-rate", "0.1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("name", ["x.txt", "x", "x.jpeg"])
def test_plot_suffix_must_name_a_format(tmp_path, name, capsys):
    path = tmp_path / name
    code, out, err = _run(["bound", "--dim", "50", "--plot", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--plot" in err and ".png" in err
    assert not path.exists()


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".pdf", b"%PDF"), (".svg", b"<?xml"), (".PNG", b"\x89PNG")],
)
def test_plot_format_follows_suffix(tmp_path, suffix, magic, capsys):
    path = tmp_path / f"curve{suffix}"
    code, _, _ = _run(["bound", "--dim", "50", "--plot", str(path)], capsys)
    assert code == 0
    assert path.read_bytes()[: len(magic)] == magic


def test_dim_beyond_supported_range_is_a_usage_error(capsys):
    # Used to print 0 with exit status 0 (true bound ~1.33e-10).
    argv = ["bound", "--dim", "99999999999999999999", "--error-rate", "0.1"]
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "`dim`" in err and "1e16" in err


def test_negative_exponent_value_reaches_the_rate_check(capsys):
    """'-1e-3' is a value, not an option: the error names the rate rule."""
    assert main(["bound", "--dim", "500", "--error-rate", "-1e-3"]) == 2
    err = capsys.readouterr().err
    assert "`error_rate` must be in the open interval (0, 1)" in err
    assert "expected one argument" not in err


def test_closed_pipe_is_not_an_error():
    """A reader that closed the pipe (``| head``) gives no traceback, no message."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "spheres_theory.cli",
            "bound",
            "--dim",
            "500",
            "--error-rate",
            "1e-3",
            "--json",
        ],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(write)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""
