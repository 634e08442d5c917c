"""The golden harness: every folder under golden/ with a `project/` is a case.

A case's `expected/` holds what iamc must produce for it: `stderr.txt`, the
exact diagnostics of `iamc validate project` run from the case folder.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
from pathlib import Path

from iamc.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"


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


def diff(expected: str, actual: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"expected/{name}", f"actual/{name}")
    )
