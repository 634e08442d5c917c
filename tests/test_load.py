"""Stage 1: bytes and YAML to located trees, and every way that can fail."""

import tracemalloc

from iamc.diagnostics import Diagnostics
from iamc.compose import parse
from iamc.load import MAX_FILE_BYTES
from iamc.tree import Document, Loc, Locator, Map, Scalar

from projects import codes, run


def parse_text(text: str):
    diags = Diagnostics()
    doc = Document("f.yaml", text, None)
    doc.root = parse(doc, diags)
    return doc, diags


def test_positions_of_keys_and_values():
    doc, diags = parse_text("users:\n  alice:\n    enabled: true\n")
    assert not diags.items
    alice = doc.root.get("users").get("alice")
    key = doc.root.get("users").key_node("alice")
    assert (key.span.line, key.span.col) == (2, 3)
    enabled = alice.get("enabled")
    assert isinstance(enabled, Scalar) and enabled.value is True
    assert (enabled.span.line, enabled.span.col, enabled.span.end_col) == (3, 14, 18)


def test_billion_laughs_fails_fast_and_small():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    tracemalloc.start()
    doc, diags = parse_text("\n".join(levels) + "\n")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [d.code for d in diags] == ["E106"]
    assert doc.root is None
    # 10^12 nodes if expanded; counted on the shared graph instead
    assert peak < 20 * 1024 * 1024


def test_aliases_within_limit_are_shared_not_copied():
    doc, diags = parse_text("base: &b {region: us-west-2}\nother: *b\n")
    assert not diags.items
    assert doc.root.get("base") is doc.root.get("other")


def test_recursive_alias_is_refused():
    _, diags = parse_text("a: &x\n  b: *x\n")
    assert [d.code for d in diags] == ["E106"]


def test_deep_nesting_beyond_python_recursion():
    _, diags = parse_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert [d.code for d in diags] == ["E107"]


def test_merge_keys_fill_in_and_explicit_keys_win():
    doc, diags = parse_text("defaults: &d {region: us-west-2, is_master: false}\nacct:\n  <<: *d\n  is_master: true\n")
    assert not diags.items
    acct = doc.root.get("acct")
    assert acct.get("is_master").value is True
    assert acct.get("region").value == "us-west-2"


def test_every_duplicate_key_is_reported_with_the_first():
    _, diags = parse_text("a: 1\nb: 2\na: 3\nb: 4\n")
    assert [d.code for d in diags] == ["E102", "E102"]
    assert all(d.related for d in diags)


def test_null_and_bool_keys_are_names():
    # IAM's `Null` condition operator is a key YAML 1.2 would read as null
    doc, diags = parse_text("Null:\n  aws:TokenIssueTime: true\n")
    assert not diags.items
    assert doc.root.entries[0][0].value == "Null"


def test_numeric_key_is_refused():
    _, diags = parse_text("007: bond\n")
    assert [d.code for d in diags] == ["E111"]


def test_yaml_12_scalars():
    doc, _ = parse_text("a: 0x1F\nb: 0o17\nc: 1_000\nd: .inf\ne: ~\nf: 2001-12-14\ng: yes\n")
    values = {k.value: v.value for k, v in doc.root.entries}
    assert values["a"] == 31 and values["b"] == 15 and values["c"] == 1000
    assert values["d"] == float("inf") and values["e"] is None
    assert values["f"] == "2001-12-14" and values["g"] == "yes"


def test_file_too_large(tmp_path):
    big = "users:\n" + "#" * (MAX_FILE_BYTES + 10) + "\n"
    result = run(tmp_path, {"resource/iam.yaml": big})
    assert codes(result) == ["E105"]


def test_utf8_bom_is_accepted(tmp_path):
    result = run(tmp_path, {"accounts/dev.yaml": b"\xef\xbb\xbfaccount_id: '222222222222'\nregion: us-west-2\n"})
    assert result.ok, codes(result)


def test_bad_byte_is_located(tmp_path):
    result = run(tmp_path, {"accounts/dev.yaml": b"account_id: '222222222222'\nregion: us-\xffwest-2\n"})
    [placed] = result.placed()
    assert placed.diagnostic.code == "E104"
    assert (placed.span.line, placed.span.col) == (2, 12)


def test_control_character_is_a_syntax_error(tmp_path):
    result = run(tmp_path, {"accounts/dev.yaml": "account_id: '222222222222'\nregion: us-west-2\x07\n"})
    assert codes(result) == ["E101"]


def test_missing_project_folder(tmp_path):
    from iamc.driver import check

    result = check(str(tmp_path / "nope"))
    assert codes(result) == ["E110"]


def test_not_a_paco_project(tmp_path):
    from iamc.driver import check

    result = check(str(tmp_path))
    assert sorted(codes(result)) == ["E110", "E110", "E110"]


def test_secret_values_are_masked_in_source_lines():
    doc, _ = parse_text("user:\n  default_password: 'Sup3r$ecret'\n")
    locator = Locator({doc.file: doc})
    assert "Sup3r" not in locator.source_line("f.yaml", 2)
    assert locator.source_line("f.yaml", 2) == "  default_password: ********"


def test_locator_points_into_comma_lists():
    doc, _ = parse_text("account_whitelist: dev, stagng ,tools\n")
    from iamc.tree import Item

    span = Locator({doc.file: doc}).span(Loc("f.yaml", ("account_whitelist", Item(1))))
    assert (span.col, span.end_col) == (25, 31)


def test_locator_falls_back_to_the_deepest_existing_key():
    doc, _ = parse_text("users:\n  alice:\n    enabled: true\n")
    span = Locator({doc.file: doc}).span(Loc("f.yaml", ("users", "alice", "username")))
    assert (span.line, span.col) == (2, 3)
    assert isinstance(doc.root, Map)


def test_unreadable_file_is_a_diagnostic(tmp_path, monkeypatch):
    # root reads any file, so the refusal is simulated where the loader opens files
    import builtins

    import iamc.load

    real_open = builtins.open

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("dev.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(iamc.load, "open", refusing_open, raising=False)
    result = run(tmp_path)
    assert codes(result) == ["E100"]
    assert "Permission denied" in result.placed()[0].diagnostic.message
