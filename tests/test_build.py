"""`iamc build`: what it writes, and how: only changes, atomically, nothing else in OUT touched."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import iamc.write
from golden import GOLDEN, read_tree, run_cli
from projects import write_project

REFERENCE = GOLDEN / "paco_reference" / "project"


def _project(tmp_path: Path, source: Path = REFERENCE) -> Path:
    shutil.copytree(source, tmp_path / "project")
    return tmp_path / "project"


def _build(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(["build", "project", "-o", "out", "--color", "never", *extra], tmp_path)


def _set_user_field(project: Path, old: str, new: str) -> None:
    iam = project / "resource" / "iam.yaml"
    text = iam.read_text()
    assert old in text
    iam.write_text(text.replace(old, new, 1))


def test_a_second_build_changes_nothing(tmp_path):
    _project(tmp_path)
    code, _, err = _build(tmp_path)
    assert code == 0, err
    first = read_tree(tmp_path / "out")
    stats = {p: os.stat(tmp_path / "out" / p).st_mtime_ns for p in first}
    code, _, err = _build(tmp_path)
    assert code == 0 and "(0 written, 0 removed, 18 unchanged)" in err
    assert read_tree(tmp_path / "out") == first
    assert {p: os.stat(tmp_path / "out" / p).st_mtime_ns for p in first} == stats  # not even rewritten


def test_only_changed_files_are_rewritten(tmp_path):
    project = _project(tmp_path)
    _build(tmp_path)
    before = {p: os.stat(tmp_path / "out" / p).st_ino for p in read_tree(tmp_path / "out")}
    _set_user_field(project, "accounts: dev\n", "accounts: dev,test\n")  # bob: read-only in test too
    code, _, err = _build(tmp_path)
    assert code == 0, err
    after = {p: os.stat(tmp_path / "out" / p).st_ino for p in read_tree(tmp_path / "out")}
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == [
        "cloudformation/test/Resource-IAM-User-Bob-Account-Delegates.yaml",
        "manifest.json",
        "onboarding/bob.md",  # what bob may do in test
        "terraform/user-bob.tf.json",
    ]


@pytest.mark.parametrize("seed", ["0", "1", "4242"])
def test_bytes_do_not_depend_on_hash_seed(tmp_path, seed):
    project = GOLDEN / "whitelist_subsets" / "project"
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONHASHSEED=seed)
    subprocess.run(
        [sys.executable, "-m", "iamc", "build", str(project), "-o", str(out)], env=env, check=True, capture_output=True
    )
    expected = read_tree(GOLDEN / "whitelist_subsets" / "expected")
    expected.pop("stderr.txt")
    assert read_tree(out) == expected


def test_check_reports_stale_output_and_writes_nothing(tmp_path):
    project = _project(tmp_path)
    code, _, err = _build(tmp_path, "--check")
    assert code == 1 and "is not up to date: 18 files would change" in err
    assert not (tmp_path / "out").exists()
    _build(tmp_path)
    assert _build(tmp_path, "--check")[0] == 0
    _set_user_field(project, "access_key_1_version: 1", "access_key_1_version: 2")
    before = read_tree(tmp_path / "out")
    code, _, err = _build(tmp_path, "--check")
    # the users stack, alice's module and onboarding sheet (her key's version), the manifest
    assert code == 1 and "4 files would change" in err
    assert read_tree(tmp_path / "out") == before


def test_diff_prints_what_would_change(tmp_path):
    project = _project(tmp_path)
    _build(tmp_path)
    _set_user_field(project, "access_key_1_version: 1", "access_key_1_version: 2")
    before = read_tree(tmp_path / "out")
    code, out, _ = _build(tmp_path, "--diff")
    assert code == 0
    assert read_tree(tmp_path / "out") == before
    assert "--- out/cloudformation/master/Resource-IAM-User-Accounts.yaml" in out
    assert "-      Serial: 1\n+      Serial: 2\n" in out
    assert _build(tmp_path, "--diff", "--check")[0] == 1


def test_stale_files_are_removed_and_nothing_else_is_touched(tmp_path):
    project = _project(tmp_path)
    _build(tmp_path)
    mine = tmp_path / "out" / "cloudformation" / "dev" / "NOTES.md"
    mine.write_text("the team's own notes")
    (tmp_path / "out" / "deploy.sh").write_text("#!/bin/sh\n")
    _set_user_field(project, "account_whitelist: dev,test", "account_whitelist: test")
    _set_user_field(project, "accounts: dev\n", "accounts: test\n")
    code, _, err = _build(tmp_path)
    assert code == 0, err
    out = read_tree(tmp_path / "out")
    assert "cloudformation/dev/Resource-IAM-User-Bob-Account-Delegates.yaml" not in out
    assert out["cloudformation/dev/NOTES.md"] == "the team's own notes"
    assert "deploy.sh" in out
    manifest = json.loads(out["manifest.json"])
    gone = {s["id"]: s for s in manifest["stacks"] if s["template"] is None}
    assert "dev/Resource-IAM-User-Bob-Account-Delegates" in gone
    # the stack stays listed as one to delete in every later build, until a deploy tool has seen it
    code, _, _ = _build(tmp_path)
    again = json.loads(read_tree(tmp_path / "out")["manifest.json"])
    assert [s for s in again["stacks"] if s["template"] is None] == list(gone.values())


def test_a_file_iamc_did_not_write_is_never_overwritten(tmp_path):
    _project(tmp_path)
    target = tmp_path / "out" / "cloudformation" / "dev" / "Resource-IAM-User-Bob-Account-Delegates.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("hand-written\n")
    code, _, err = _build(tmp_path)
    assert code == 1
    assert "error[E602]: `cloudformation/dev/Resource-IAM-User-Bob-Account-Delegates.yaml` in OUT was not " in err
    assert target.read_text() == "hand-written\n"
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == [target.name]


def test_an_unreadable_previous_manifest_is_an_error(tmp_path):
    _project(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.json").write_text("{not json")
    code, _, err = _build(tmp_path)
    assert code == 1
    assert err.startswith("out/manifest.json: error[E601]: the manifest of the previous build cannot be read")


class Interrupted(BaseException):
    """Stands for a kill: not an Exception, so nothing in iamc catches it."""


def _interrupt_after(monkeypatch, name: str, calls: int) -> None:
    real = getattr(iamc.write, name) if hasattr(iamc.write, name) else getattr(os, name)
    count = {"n": 0}

    def fake(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise Interrupted
        return real(*args, **kwargs)

    if hasattr(iamc.write, name):
        monkeypatch.setattr(iamc.write, name, fake)
    else:
        monkeypatch.setattr(iamc.write.os, name, fake)


def _changed_project(tmp_path: Path) -> dict[str, str]:
    project = _project(tmp_path)
    _build(tmp_path)
    before = read_tree(tmp_path / "out")
    _set_user_field(project, "account_whitelist: dev,test", "account_whitelist: dev,prod,test")
    _set_user_field(project, "access_key_1_version: 1", "access_key_1_version: 2")
    return before


def test_an_interrupted_write_leaves_the_previous_output_intact(tmp_path, monkeypatch):
    before = _changed_project(tmp_path)
    _interrupt_after(monkeypatch, "_write_file", 1)
    with pytest.raises(Interrupted):
        _build(tmp_path)
    monkeypatch.undo()
    visible = {p: c for p, c in read_tree(tmp_path / "out").items() if iamc.write.TEMP_PREFIX not in p}
    assert visible == before
    code, _, err = _build(tmp_path)
    assert code == 0, err
    assert not [p for p in read_tree(tmp_path / "out") if iamc.write.TEMP_PREFIX in p]


def test_a_commit_interrupted_midway_is_completed_by_the_next_build(tmp_path, monkeypatch):
    _changed_project(tmp_path)
    _interrupt_after(monkeypatch, "replace", 2)  # the journal, then one file: the rest is pending
    with pytest.raises(Interrupted):
        _build(tmp_path)
    monkeypatch.undo()
    assert (tmp_path / "out" / iamc.write.JOURNAL).exists()
    assert _build(tmp_path, "--check")[0] == 1  # a pending commit is not up to date
    code, _, err = _build(tmp_path)
    assert code == 0, err
    assert not (tmp_path / "out" / iamc.write.JOURNAL).exists()
    assert _build(tmp_path, "--check")[0] == 0


def test_killed_builds_never_leave_a_half_written_file(tmp_path):
    """Real kills (SIGKILL) while a build writes its files: every file is wholly old or wholly new,
    and the next build finishes the job. (A kill between the journal and the last rename is
    simulated in-process above: that window is too short to hit from outside.)"""
    users = "".join(
        f"  user{i:03d}:\n    enabled: true\n    account: paco.ref accounts.master\n"
        f"    console_access_enabled: true\n    account_whitelist: all\n    permissions:\n"
        f"      admin:\n        type: Administrator\n        accounts: all\n"
        for i in range(100)
    )
    project = write_project(
        tmp_path / "project", {"resource/iam.yaml": "users:\n" + users, "iamc.yaml": "users_stacks: 2\n"}
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "iamc", "build", str(project), "-o", str(out), "--no-verify"]
    subprocess.run(cmd, check=True, capture_output=True)
    old = read_tree(out)
    changed = users.replace("accounts: all", "accounts: all\n        read_only: true")
    (project / "resource" / "iam.yaml").write_text("users:\n" + changed)
    subprocess.run(cmd[:-3] + ["-o", str(tmp_path / "new"), "--no-verify"], check=True, capture_output=True)
    new = read_tree(tmp_path / "new")
    watched = out / "cloudformation" / "dev"  # the first folder written (paths are written in order)
    for delay in (0.0, 0.01, 0.03, 0.06):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not any(n.startswith(iamc.write.TEMP_PREFIX) for n in os.listdir(watched)):
            assert proc.poll() is None and time.monotonic() < deadline, "the build ended before writing"
            time.sleep(0.001)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = {p: c for p, c in read_tree(out).items() if iamc.write.TEMP_PREFIX not in p and "journal" not in p}
        for path, content in now.items():
            assert content in (old.get(path), new.get(path)), f"{path} is neither old nor new after a kill"
        subprocess.run(cmd, check=True, capture_output=True)
        assert read_tree(out) == new
        shutil.rmtree(out)  # back to the old output for the next round
        for path, content in old.items():
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_text(content)


def test_backends_are_chosen_by_name(tmp_path):
    _project(tmp_path)
    code, _, err = _build(tmp_path, "--backend", "cloudfromation")
    assert code == 2
    assert "no backend is named `cloudfromation`; did you mean `cloudformation`?" in err
    code, _, err = _build(tmp_path, "--backend", "cloudformation")
    assert code == 0, err
    code, out, _ = run_cli(["backends"], tmp_path)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "awsconfig",
        "cloudformation",
        "onboarding",
        "switchroles",
        "terraform",
    ]


def test_backend_options_are_checked_strictly(tmp_path):
    project = _project(tmp_path)
    (project / "iamc.yaml").write_text("backends:\n  cloudformation:\n    templat_bucket: x\n  terrafrom: {}\n")
    code, _, err = _build(tmp_path)
    assert code == 1
    assert "error[E201]: unknown key `templat_bucket` in cloudformation options" in err
    assert "error[E503]: no backend is named `terrafrom`" in err


def test_unknown_plugins_are_errors(tmp_path):
    project = _project(tmp_path)
    (project / "iamc.yaml").write_text("plugins: [acme-tags]\n")
    code, _, err = _build(tmp_path)
    assert code == 1
    assert "project/iamc.yaml:1:11: error[E502]: no installed plugin is named `acme-tags`" in err


def test_the_linter_ignores_the_users_cfnlintrc(tmp_path, monkeypatch):
    from iamc.plugins import cfnlint_check

    _project(tmp_path)
    # a configuration cfn-lint would refuse (and so fail the build) if it read it
    (tmp_path / ".cfnlintrc").write_text("regions: [not-a-region]\nignore_checks: 42\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    cfnlint_check.runner.cache_clear()
    try:
        code, _, err = _build(tmp_path)
    finally:
        cfnlint_check.runner.cache_clear()
    assert code == 0, err


def test_out_must_be_a_folder_and_write_errors_are_reported(tmp_path, monkeypatch):
    _project(tmp_path)
    (tmp_path / "afile").write_text("mine\n")
    code, _, err = run_cli(["build", "project", "-o", "afile", "--color", "never"], tmp_path)
    assert code == 1 and "afile: error[E603]: OUT is not a folder" in err
    assert (tmp_path / "afile").read_text() == "mine\n"

    def full_disk(path, content):
        raise OSError(28, "No space left on device", path)

    monkeypatch.setattr(iamc.write, "_write_file", full_disk)
    code, _, err = _build(tmp_path)
    assert code == 1
    assert "iamc: error: cannot write out: No space left on device" in err and "Traceback" not in err


def test_a_rebuild_reuses_cached_templates_byte_for_byte(tmp_path, monkeypatch):
    from iamc.plugins import cloudformation

    monkeypatch.setenv("IAMC_CACHE_DIR", str(tmp_path / "cache"))
    _project(tmp_path)
    assert _build(tmp_path, "-o", "first")[0] == 0

    def no_dump(template):
        raise AssertionError("a cached template was written again")

    monkeypatch.setattr(cloudformation, "dump", no_dump)
    assert _build(tmp_path, "-o", "second")[0] == 0
    assert read_tree(tmp_path / "second") == read_tree(tmp_path / "first")
    # a template that changed is written anew
    (tmp_path / "project" / "iamc.yaml").write_text("backends:\n  cloudformation:\n    retain: true\n")
    code, _, err = _build(tmp_path, "-o", "third")
    assert code == 3 and "a cached template was written again" in err
