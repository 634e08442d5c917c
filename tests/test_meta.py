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
            seen |= set(re.findall(r"\"([EWN]\d{3})\"", f.read_text()))
    missing = sorted(set(CODES) - seen)
    assert not missing, f"diagnostic codes no golden case or test produces: {missing}"


def test_every_code_is_emitted_somewhere_in_the_compiler():
    source = "".join(p.read_text() for p in (ROOT / "compiler").glob("*.py") if p.name != "codes.py")
    unused = sorted(c for c in CODES if f'"{c}"' not in source)
    assert not unused, f"codes in the catalogue that nothing emits: {unused}"
