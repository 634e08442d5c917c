"""Plugins: a third-party package adds a backend, transforms the plan or verifies the output,
through the same hooks as the built-ins, and only when the project names it."""

import dataclasses
import json
import shutil
import types

import pytest

import iamc
import iamc.registry
from iamc.hookspecs import Backend, Finding
from iamc.output import OutputFile
from iamc.plan_model import AttachedPolicy
from iamc.schema import Bool, Field, Schema, Str
from golden import GOLDEN, read_tree, run_cli


def _acme_plugin():
    """A plugin module as a third party would write it."""
    mod = types.ModuleType("iamc_acme")

    def emit(plan, options):
        lines = [f"{u.key} {options.get('greeting')}" for u in plan.users if u.enabled or options.get("all")]
        return [OutputFile("acme/users.txt", "\n".join(lines) + "\n", "acme", sources=("resource/iam.yaml",))]

    @iamc.hookimpl
    def iamc_declare_backend():
        schema = Schema("acme options", {"greeting": Field(Str(), default="hello"), "all": Field(Bool())})
        return Backend("acme", "a list of users, for the front desk", emit, schema)

    @iamc.hookimpl
    def iamc_transform_plan(plan):
        # give every delegate role a permissions boundary-like extra policy, by ARN
        roles = {}
        stacks = []
        for s in plan.stacks:
            if s.role is not None:
                extra = AttachedPolicy("arn:aws:iam::aws:policy/AWSDenyAll", s.role.loc)
                role = dataclasses.replace(s.role, attached=s.role.attached + (extra,))
                roles[(s.user, s.account.name)] = role
                s = dataclasses.replace(s, role=role)
            stacks.append(s)
        return dataclasses.replace(plan, stacks=tuple(stacks), roles=roles)

    @iamc.hookimpl
    def iamc_verify_files(plan, files):
        return [
            Finding(f, "warning", "ACME1", "the front desk list is public", path=(), line=1, column=1, tool="acme")
            for f in files
            if f.backend == "acme"
        ]

    for name, fn in list(locals().items()):
        if name.startswith("iamc_"):
            setattr(mod, name, fn)
    return mod


class _EntryPoint:
    def __init__(self, name, module):
        self.name, self._module = name, module
        self.dist = types.SimpleNamespace(version="1.2.3")

    def load(self):
        return self._module


@pytest.fixture
def acme(monkeypatch):
    plugin = _acme_plugin()
    monkeypatch.setattr(
        iamc.registry.metadata, "entry_points", lambda group: [_EntryPoint("acme", plugin)] if group == "iamc" else []
    )
    return plugin


def _project(tmp_path, settings: str | None = None):
    shutil.copytree(GOLDEN / "paco_reference" / "project", tmp_path / "project")
    if settings is not None:
        (tmp_path / "project" / "iamc.yaml").write_text(settings)


def _build(tmp_path, *extra):
    return run_cli(["build", "project", "-o", "out", "--color", "never", *extra], tmp_path)


def test_a_plugin_joins_only_when_the_project_names_it(tmp_path, acme):
    _project(tmp_path)
    code, _, err = _build(tmp_path)
    assert code == 0, err
    out = read_tree(tmp_path / "out")
    assert "acme/users.txt" not in out
    assert "AWSDenyAll" not in out["cloudformation/dev/Resource-IAM-User-Alice-Account-Delegates.yaml"]
    assert json.loads(out["manifest.json"])["plugins"] == [
        {"name": name, "version": iamc.__version__}
        for name in ("awsconfig", "cloudformation", "onboarding", "switchroles", "terraform")
    ]


def test_a_named_plugin_adds_a_backend_transforms_the_plan_and_verifies(tmp_path, acme):
    _project(tmp_path, "plugins: [acme]\nbackends:\n  cloudformation:\n  acme:\n    greeting: hi\n")
    code, _, err = _build(tmp_path)
    assert code == 0, err
    out = read_tree(tmp_path / "out")
    # iamc_declare_backend: the backend ran with its options
    assert out["acme/users.txt"] == "alice hi\nbob hi\n"
    # iamc_transform_plan: every backend sees the changed plan
    template = out["cloudformation/dev/Resource-IAM-User-Alice-Account-Delegates.yaml"]
    assert "- arn:aws:iam::aws:policy/AWSDenyAll" in template
    # iamc_verify_files: the finding is a diagnostic at the generated file
    assert "out/acme/users.txt:1:1: warning[W501]: acme ACME1: the front desk list is public" in err
    manifest = json.loads(out["manifest.json"])
    assert manifest["plugins"] == [
        {"name": "acme", "version": "1.2.3"},
        {"name": "cloudformation", "version": iamc.__version__},
    ]
    assert {"path": "acme/users.txt", "backend": "acme"}.items() <= manifest["files"][0].items()


def test_plugin_options_are_checked_against_the_plugins_schema(tmp_path, acme):
    _project(tmp_path, "plugins: [acme]\nbackends:\n  acme:\n    greting: hi\n")
    code, _, err = _build(tmp_path)
    assert code == 1
    assert "error[E201]: unknown key `greting` in acme options" in err
    assert "did you mean `greeting`?" in err


def test_a_plugin_named_on_the_command_line(tmp_path, acme):
    _project(tmp_path)
    code, _, err = _build(tmp_path, "--plugin", "acme", "--backend", "acme")
    assert code == 0, err
    assert sorted(read_tree(tmp_path / "out")) == ["acme/users.txt", "manifest.json"]
    code, out, _ = run_cli(["backends", "--plugin", "acme"], tmp_path)
    assert code == 0 and out.splitlines()[0].startswith("acme ")


def test_cfn_lint_findings_point_at_the_yaml_that_produced_them(tmp_path, monkeypatch):
    """A transform that breaks a template: cfn-lint's error is reported at the user's YAML."""
    plugin = types.ModuleType("iamc_broken")

    @iamc.hookimpl
    def iamc_transform_plan(plan):
        stacks = []
        for s in plan.stacks:
            if s.role is not None:
                bad = AttachedPolicy("arn:aws:iam::aws:nothing/Admin", s.role.attached[0].loc)
                s = dataclasses.replace(s, role=dataclasses.replace(s.role, attached=(bad,)))
            stacks.append(s)
        return dataclasses.replace(plan, stacks=tuple(stacks))

    plugin.iamc_transform_plan = iamc_transform_plan
    monkeypatch.setattr(iamc.registry.metadata, "entry_points", lambda group: [_EntryPoint("broken", plugin)])
    _project(tmp_path)
    code, _, err = _build(tmp_path, "--plugin", "broken")
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith("project/resource/iam.yaml:") and "error[E501]: cfn-lint E" in first
    assert "::: out/cloudformation/" in err and "generated here" in err
    assert not (tmp_path / "out").exists()
    # --no-verify skips the verifiers (and so writes what cfn-lint would refuse)
    code, _, err = _build(tmp_path, "--plugin", "broken", "--no-verify")
    assert code == 0, err
