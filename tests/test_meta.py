"""Keep the surface honest: every diagnostic code is documented and exercised."""

import re

from iamc.codes import CODES

from golden import GOLDEN, ROOT


def _docs() -> str:
    return (ROOT / "docs" / "diagnostics.md").read_text()


def test_every_code_is_documented():
    documented = set(re.findall(r"^\| ([EWN]\d{3}) \|", _docs(), re.M))
    assert documented == set(CODES), (
        f"undocumented: {sorted(set(CODES) - documented)}; stale docs: {sorted(documented - set(CODES))}"
    )


def test_every_code_is_exercised_by_a_test():
    seen = set()
    for f in GOLDEN.glob("*/expected/stderr.txt"):
        seen |= set(re.findall(r"(?:error|warning|note)\[([EWN]\d{3})\]", f.read_text()))
    for f in (ROOT / "tests").glob("test_*.py"):
        if f.name != "test_meta.py":
            # a code as a string ("E201"), or as printed ([E201]) in an asserted message
            seen |= set(re.findall(r"[\"\[]([EWN]\d{3})[\"\]]", f.read_text()))
    missing = sorted(set(CODES) - seen)
    assert not missing, f"diagnostic codes no golden case or test produces: {missing}"


def test_every_code_is_emitted_somewhere_in_the_compiler():
    source = "".join(
        p.read_text()
        for folder in ("compiler", "plugins")
        for p in (ROOT / folder).glob("*.py")
        if p.name != "codes.py"
    )
    unused = sorted(c for c in CODES if f'"{c}"' not in source)
    assert not unused, f"codes in the catalogue that nothing emits: {unused}"


def _hooks() -> list[str]:
    from iamc import hookspecs

    return sorted(n for n in dir(hookspecs) if n.startswith("iamc_"))


def test_every_hook_is_documented():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    missing = [h for h in _hooks() if f"`{h}(" not in docs]
    assert not missing, f"hooks docs/plugins.md does not document: {missing}"


def test_every_hook_has_a_docstring_and_a_test():
    from iamc import hookspecs

    tests = "".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_meta.py")
    for hook in _hooks():
        assert (getattr(hookspecs, hook).__doc__ or "").strip(), f"{hook} has no docstring"
        assert f"def {hook}(" in tests, f"no test implements {hook}"
