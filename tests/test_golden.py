"""Golden cases: the whole of what iamc says about each case, compared exactly."""

import pytest

from golden import cases, diff, run_cli


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_golden_validate(case, update_golden):
    code, _, stderr = run_cli(["validate", "project", "--color", "never"], case)
    expected_file = case / "expected" / "stderr.txt"
    if update_golden:
        expected_file.parent.mkdir(exist_ok=True)
        expected_file.write_text(stderr)
    assert expected_file.exists(), f"{case.name} has no expected/stderr.txt; run pytest --update-golden"
    expected = expected_file.read_text()
    assert stderr == expected, (
        f"iamc's diagnostics for golden/{case.name} changed (review, then run pytest --update-golden):\n"
        + diff(expected, stderr, "stderr.txt")
    )
    # expected/ holds what iamc produces and nothing else: no stale file lingers
    produced = {"stderr.txt"}
    present = {str(f.relative_to(case / "expected")) for f in (case / "expected").rglob("*") if f.is_file()}
    assert present == produced, f"golden/{case.name}/expected has files iamc does not produce: {present - produced}"
    # the exit code follows from the diagnostics: 1 exactly when one is an error
    has_error = any("error[E" in line for line in stderr.splitlines())
    assert code == (1 if has_error else 0)
