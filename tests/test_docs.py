"""The examples in the documentation run, print what the pages show, and build.

Markdown files under ``docs/`` (and the README) are read as a sequence of fenced
blocks, executed in order in one namespace with a temporary working directory:

* ```` ```python ```` blocks are executed; when the next block is an
  ```` ```output ```` block, the printed text must equal it;
* ```` ```console ```` blocks hold ``$ spheres-theory bound|verify ...`` lines,
  run through :func:`spheres_theory.cli.main`; the lines after each command are
  its expected output;
* a block preceded by ``<!-- not executed: reason -->`` is skipped, as are all
  other languages (```` ```bash ````, ```` ```text ````).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([*DOCS.glob("*.md"), *DOCS.glob("tutorials/*.md")])
TUTORIALS = sorted(DOCS.glob("tutorials/*.md"))

_FENCE = re.compile(
    r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)
_SKIP = "<!-- not executed"
# console blocks may only run fast subcommands (no `reproduce` in the tests)
_CONSOLE_COMMANDS = ("bound", "verify")


@dataclass
class Block:
    lang: str
    body: str
    line: int  # 1-based line of the opening fence
    skip: bool
    adjacent: bool  # only blank lines since the previous block


def blocks(text: str) -> list[Block]:
    found, end = [], 0
    for m in _FENCE.finditer(text):
        before = text[end : m.start()].strip().splitlines()
        skip = bool(before) and before[-1].startswith(_SKIP)
        line = text.count("\n", 0, m.start()) + 1
        block = Block(m.group("lang"), m.group("body"), line, skip, not before)
        found.append(block)
        end = m.end()
    return found


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def _run_console(block: Block, where: str) -> None:
    from spheres_theory.cli import main

    chunks = re.split(r"^\$ ", block.body, flags=re.MULTILINE)
    assert chunks[0].strip() == "", f"{where}: console block must start with '$ '"
    for chunk in chunks[1:]:
        command, _, expected = chunk.partition("\n")
        argv = shlex.split(command)
        assert argv[0] == "spheres-theory", f"{where}: {command}"
        assert argv[1] in _CONSOLE_COMMANDS, f"{where}: not run in tests: {command}"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(argv[1:])
        assert _lines(out.getvalue()) == _lines(expected), f"{where}: $ {command}"


def run_markdown(path: Path) -> int:
    """Execute the examples of one Markdown file; return how many ran."""
    found = blocks(path.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": f"docs_{path.stem}"}
    executed = 0
    for i, block in enumerate(found):
        where = f"{path.relative_to(ROOT)}:{block.line}"
        if block.skip:
            continue
        if block.lang == "console":
            _run_console(block, where)
            executed += 1
        elif block.lang == "python":
            code = compile(block.body, where, "exec")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            following = found[i + 1] if i + 1 < len(found) else None
            if following is not None and following.lang == "output":
                assert _lines(out.getvalue()) == _lines(following.body), where
            executed += 1
    return executed


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_docs_examples(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    executed = run_markdown(path)
    if path in TUTORIALS or path.name == "getting-started.md":
        assert executed > 0


def test_readme_python_example(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python example", 1)[1].split("\n## ", 1)[0]
    (code,) = [b for b in blocks(section) if b.lang == "python"]
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code.body, "README.md (Python example)", "exec"), {})
    assert "d*=" in out.getvalue()


def test_output_blocks_follow_code():
    """Every ```output block belongs to the python block just before it."""
    for path in PAGES:
        found = blocks(path.read_text(encoding="utf-8"))
        for prev, block in zip([None, *found], found, strict=False):
            if block.lang == "output":
                assert prev is not None and prev.lang == "python", (path, block.line)
                assert block.adjacent and not prev.skip, (path, block.line)


def test_docs_build(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q"]
    cmd += ["-b", "html", str(DOCS), str(tmp_path / "html")]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
