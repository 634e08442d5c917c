"""Golden cases: the whole of what `iamc build` produces for each case, compared both ways."""

import pytest

from golden import STDERR, build_case, cases, diff, expected_tree, previous_tree, write_expected


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_golden_build(case, update_golden):
    code, stderr, out = build_case(case)
    actual = {**out, STDERR: stderr}
    assert STDERR not in out, "iamc wrote a file named like the golden stderr"
    if update_golden:
        write_expected(case, actual)
    expected = expected_tree(case)
    assert expected, f"golden/{case.name} has no expected/; run pytest --update-golden"
    problems = []
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            problems.append(f"missing: iamc no longer produces {path}")
        elif path not in expected:
            problems.append(f"extra: iamc now produces {path}")
        elif expected[path] != actual[path]:
            problems.append(diff(expected[path], actual[path], path))
    assert not problems, (
        f"iamc's output for golden/{case.name} changed (review, then run pytest --update-golden):\n"
        + "\n".join(problems)
    )
    # the exit code follows from the diagnostics: 1 exactly when one is an error
    has_error = any("error[E" in line for line in stderr.splitlines())
    assert code == (1 if has_error else 0)
    # a failed build writes nothing at all: OUT stays as the previous build left it
    if has_error:
        assert out == previous_tree(case)
