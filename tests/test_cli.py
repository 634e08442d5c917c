"""The `iamc` command: exit codes, formats, streams."""

import json
import shutil
import re
from pathlib import Path

from golden import ROOT, run_cli
from projects import write_project

BAD_USER = "users:\n  alice:\n    enabled: true\n    account: paco.ref accounts.master\n    consle: x\n"


def test_example_project_is_clean():
    code, out, err = run_cli(["validate", "example"], ROOT)
    assert code == 0
    assert out == ""
    assert err == "iamc: project is valid (5 users, 6 accounts)\n"


def test_errors_exit_1_and_warnings_exit_0(tmp_path):
    write_project(tmp_path / "bad", {"resource/iam.yaml": BAD_USER})
    assert run_cli(["validate", "bad"], tmp_path)[0] == 1
    warn = BAD_USER.replace("    consle: x\n", "    default_password: x\n    account_whitelist: all\n")
    write_project(tmp_path / "warn", {"resource/iam.yaml": warn})
    code, _, err = run_cli(["validate", "warn"], tmp_path)
    assert code == 0 and "warning[W201]" in err


def test_usage_errors_exit_2(tmp_path):
    assert run_cli([], tmp_path)[0] == 2
    assert run_cli(["validate", "--format", "xml"], tmp_path)[0] == 2
    assert run_cli(["compile"], tmp_path)[0] == 2


def test_project_defaults_to_the_current_folder(tmp_path):
    write_project(tmp_path)
    code, _, err = run_cli(["validate"], tmp_path)
    assert code == 0, err


def test_json_goes_to_stdout(tmp_path):
    write_project(tmp_path, {"resource/iam.yaml": BAD_USER})
    code, out, err = run_cli(["validate", ".", "--format", "json"], tmp_path)
    assert code == 1 and err == ""
    [d] = json.loads(out)
    assert d["code"] == "E201" and d["severity"] == "error"
    assert (d["path"], d["line"], d["column"]) == ("resource/iam.yaml", 5, 5)
    assert d["help"] == []


def test_github_annotations(tmp_path):
    write_project(tmp_path / "p", {"resource/iam.yaml": BAD_USER})
    code, out, _ = run_cli(["validate", "p", "--format", "github"], tmp_path)
    assert code == 1
    assert out.startswith("::error file=p/resource/iam.yaml,line=5,col=5,endLine=5,endColumn=11,title=iamc E201::")


def test_colour_only_when_asked(tmp_path):
    write_project(tmp_path, {"resource/iam.yaml": BAD_USER})
    _, _, plain = run_cli(["validate"], tmp_path)  # stderr is not a terminal here
    assert "\x1b[" not in plain
    _, _, coloured = run_cli(["validate", "--color", "always"], tmp_path)
    assert "\x1b[1;31m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_readme_commands_are_the_ones_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "iamc build example -o out" in readme and "iamc build example -o out" in ci
    assert "python -m pytest -q" in readme and "python -m pytest -q" in ci
    assert Path(ROOT / "example" / "project.yaml").is_file()


def test_the_shared_reference_project_validates():
    """DESIGN's "done when": `iamc validate ../shared/reference/paco/project` exits 0."""
    import filecmp

    import pytest

    shared = ROOT.parent / "shared" / "reference" / "paco" / "project"
    if not shared.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    code, _, err = run_cli(["validate", str(shared)], ROOT)
    assert code == 0, err
    # the golden copy is that project, unchanged
    golden = ROOT / "golden" / "paco_reference" / "project"
    cmp = filecmp.dircmp(shared, golden)
    assert not (cmp.left_only or cmp.right_only or cmp.diff_files)
    for sub in cmp.subdirs.values():
        assert not (sub.left_only or sub.right_only or sub.diff_files)


def test_a_bug_is_reported_as_one(tmp_path, monkeypatch):
    import iamc.cli

    def broken(root):
        raise RuntimeError("boom")

    monkeypatch.setattr(iamc.cli, "check", broken)
    code, _, err = run_cli(["validate"], tmp_path)
    assert code == 3
    assert err.startswith("iamc: internal error: this is a bug in iamc")
    assert "RuntimeError: boom" in err


def test_the_readme_shows_what_building_the_example_gives(tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("$ iamc build example -o out\n", 1)[1].split("```", 1)[0]
    summary, listing = block.split("$ find out -type f | sort\n")
    shutil.copytree(ROOT / "example", tmp_path / "example")
    code, _, err = run_cli(["build", "example", "-o", "out"], tmp_path)
    assert code == 0
    assert err == summary
    produced = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert produced == listing.split()
