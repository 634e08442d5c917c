"""The golden harness: every folder under golden/ with a `project/` is a case.

A case's `expected/` holds everything `iamc build project -o out` produces
for it: the whole OUT tree, and `stderr.txt`, the exact diagnostics. A case
that must fail has only `stderr.txt`. The build runs on a copy of the
project in a temporary folder, so paths in the diagnostics are `project/…`
and `out/…` whatever the machine. A case with a `previous_project/` is
first built from that project, then from `project/` over its output, as a
team builds after a change (the previous manifest says which access keys
and stacks existed); a `previous/` folder is taken as that earlier output
as it stands.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import shutil
import tempfile
from pathlib import Path

from iamc.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"
STDERR = "stderr.txt"


def cases() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if (p / "project").is_dir())


def run_cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run `iamc ARGS` in-process from `cwd`; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 2
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def read_tree(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        f.relative_to(folder).as_posix(): f.read_text(encoding="utf-8")
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def previous_tree(case: Path) -> dict[str, str]:
    """What OUT holds before the case is built."""
    if (case / "previous_project").is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(case / "previous_project", Path(tmp) / "previous_project")
            run_cli(["build", "previous_project", "-o", "out", "--no-verify"], Path(tmp))
            return read_tree(Path(tmp) / "out")
    return read_tree(case / "previous")


def build_case(case: Path, extra: list[str] = ()) -> tuple[int, str, dict[str, str]]:
    """Build a case as a user would: (exit code, stderr, OUT's files)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(case / "project", work / "project")
        if (case / "previous").is_dir():
            shutil.copytree(case / "previous", work / "out")
        if (case / "previous_project").is_dir():
            shutil.copytree(case / "previous_project", work / "previous_project")
            code, _, stderr = run_cli(["build", "previous_project", "-o", "out", "--no-verify"], work)
            assert code == 0, f"golden/{case.name}/previous_project does not build:\n{stderr}"
        code, _, stderr = run_cli(["build", "project", "-o", "out", "--color", "never", *extra], work)
        return code, stderr, read_tree(work / "out")


def expected_tree(case: Path) -> dict[str, str]:
    return read_tree(case / "expected")


def write_expected(case: Path, tree: dict[str, str]) -> None:
    target = case / "expected"
    if target.exists():
        shutil.rmtree(target)
    for path, content in tree.items():
        f = target / path
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(content, encoding="utf-8")


def diff(expected: str, actual: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"expected/{name}", f"actual/{name}")
    )
