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

# Data flows one way: a module may only import modules of lower rank
# (STYLE §1).  Every module of the package has a rank; the reproduction
# package counts as one module, ``reproduce``.
RANK = {
    "_validation": 0,
    "_stats": 0,
    "_parallel": 0,
    "_arrays": 2,
    "errors": 0,
    "sphere": 1,
    "_capmath": 1,
    "_contour": 0,
    "_mpcontour": 0,
    "_forms": 0.5,  # shared gχ² machinery: above _contour, below gchi2
    "gchi2": 1,
    "caps": 2,
    "quadforms": 2,
    "concentration": 3,
    "rules": 4,
    "quadrics": 5,  # builds on rules (centred rules keep their exact route)
    "_secular": 4,
    "_secular_fast": 4.5,  # the fast batch route over the careful one
    "_conic": 4,
    "_trust_region": 0,
    "_rare_events": 0.5,  # uses _stats
    "_readers": 0,
    "_quadric_sdp": 1,
    "_rule_results": 3,
    "_verify_cli": 8,
    "_verify_text": 0,
    "nearest": 5,
    "models": 5,
    "_persistence": 5.5,  # model and training-state files: above models, below training
    "training": 6,
    "attacks": 6,
    "sweeps": 7,
    "strategies": 7,
    "plotting": 7,
    "reproduce": 8,
    "cli": 9,
}

MODULES = sorted(p.stem for p in PKG.glob("*.py") if not p.stem.startswith("_"))
SOURCES = sorted(
    p for p in PKG.rglob("*.py") if p.name != "__init__.py" or p.parent != PKG
)


def _unit(path: Path) -> str:
    """The ranked unit a source file belongs to (``reproduce`` for its tree)."""
    rel = path.relative_to(PKG).parts
    return rel[0] if len(rel) > 1 else path.stem


def _imported_units(path: Path) -> set[str]:
    """Package modules imported by ``path`` (relative or absolute imports)."""
    tree = ast.parse(path.read_text())
    depth = len(path.relative_to(PKG).parts) - 1
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level <= depth:  # inside the same sub-package
                    continue
                parts = (node.module or "").split(".")
                names = [a.name for a in node.names]
                found.add(parts[0] if parts[0] else names[0])
            elif node.module and node.module.startswith("spheres_theory."):
                found.add(node.module.split(".")[1])
            elif node.module == "spheres_theory":
                found.update(a.name for a in node.names if a.name in RANK)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("spheres_theory."):
                    found.add(alias.name.split(".")[1])
    return found


def test_every_module_has_a_rank():
    missing = {_unit(p) for p in SOURCES} - set(RANK)
    assert not missing, f"modules without a rank: {sorted(missing)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_private_name_is_imported_across_modules(path):
    """Private helpers stay in their module; shared ones live, with public
    names, in a private module (``_validation``, ``_capmath``, ``_forms``...)."""
    if _unit(path) == "reproduce":
        return  # the application's own modules may share its helpers
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").startswith("spheres_theory")
        ):
            private = [
                a.name
                for a in node.names
                if a.name.startswith("_") and not (PKG / f"{a.name}.py").exists()
            ]
            assert not private, f"{path.name} imports {private} from {node.module}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG)))
def test_layering(path):
    unit = _unit(path)
    for top in _imported_units(path):
        if top == unit or top not in RANK:
            continue
        assert RANK[top] < RANK[unit], f"{path.name} ({unit}) imports {top}"


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
