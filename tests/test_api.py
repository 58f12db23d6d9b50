"""Package-level contracts: layering, public surface, import hygiene."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import spheres_theory

PKG = Path(spheres_theory.__file__).parent

# Data flows one way: a module may only import modules of lower rank.
RANK = {
    "sphere": 1,
    "caps": 2,
    "quadforms": 2,
    "concentration": 3,
    "rules": 4,
    "quadrics": 4,
    "nearest": 5,
    "models": 5,
    "attacks": 6,
    "experiments": 7,
    "strategies": 7,
    "plotting": 8,
    "cli": 9,
}

MODULES = sorted(p.stem for p in PKG.glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("mod", [m for m in MODULES if m in RANK])
def test_layering(mod):
    tree = ast.parse((PKG / f"{mod}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            top = node.module.split(".")[0]
            if top in RANK:
                assert RANK[top] < RANK[mod], f"{mod} imports {top}"


@pytest.mark.parametrize("mod", MODULES)
def test_all_matches_public_names(mod):
    module = importlib.import_module(f"spheres_theory.{mod}")
    exported = set(module.__all__)
    for name in exported:
        assert hasattr(module, name), f"{mod}.__all__ lists missing {name}"
    defined = {
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == module.__name__
    }
    assert defined <= exported, (
        f"{mod}: public but not in __all__: {defined - exported}"
    )


def test_top_level_all():
    for name in spheres_theory.__all__:
        assert hasattr(spheres_theory, name)


def test_public_callables_have_docstrings():
    for name in spheres_theory.__all__:
        obj = getattr(spheres_theory, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_import_loads_no_matplotlib():
    code = (
        "import sys, spheres_theory; "
        "print(any(m.startswith('matplotlib') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def _fenced_bash_lines(text: str) -> list[str]:
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```bash"
            continue
        if inside:
            lines.append(line.strip())
    return lines


def test_ci_runs_readme_test_command():
    """.ci/run must run README's test command verbatim."""
    root = PKG.parent
    readme = _fenced_bash_lines((root / "README.md").read_text())
    tests_cmd = [c for c in readme if "pytest" in c]
    assert len(tests_cmd) == 1
    ci = [line.strip() for line in (root / ".ci" / "run").read_text().splitlines()]
    assert tests_cmd[0] in ci
