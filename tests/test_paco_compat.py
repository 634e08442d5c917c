"""A team moving from Paco deploys iamc's templates over Paco's stacks: for every stack Paco
made with a role (or users) in it, iamc's template must agree on what CloudFormation and IAM
key on, so that nothing is replaced. Compared semantically against Paco's own output
(tests/data/paco_output), for golden/paco_reference/project.
"""

import hashlib
from pathlib import Path

import pytest
from cfnlint.decode.decode import decode_str

from golden import GOLDEN, build_case

PACO = Path(__file__).parent / "data" / "paco_output"
CASE = GOLDEN / "paco_reference"
MASTER_ID = "111111111111"


def _load(text: str) -> dict:
    template, errors = decode_str(text)
    assert not errors, errors
    return template


def _paco_templates() -> dict[str, dict]:
    return {p.stem.replace("__", "/"): _load(p.read_text()) for p in sorted(PACO.glob("*.yaml"))}


@pytest.fixture(scope="module")
def ours() -> dict[str, dict]:
    code, stderr, out = build_case(CASE)
    assert code == 0, stderr
    return {
        path.removeprefix("cloudformation/").removesuffix(".yaml"): _load(text)
        for path, text in out.items()
        if path.startswith("cloudformation/")
    }


def _resources(t: dict) -> dict:
    return {k: v for k, v in t.get("Resources", {}).items() if v["Type"] != "AWS::CloudFormation::WaitConditionHandle"}


def _statements(doc: dict) -> list:
    """A policy document's statements, without Sids (Paco's assume statement has none), order-free."""
    out = []
    for s in doc["Statement"]:
        s = {k: v for k, v in s.items() if k != "Sid"}
        out.append(repr(sorted((k, sorted(v) if isinstance(v, list) else v) for k, v in s.items())))
    return sorted(out)


def _signin_url(paco_output, account_id: str, role_name: str) -> str:
    # Paco writes !Sub '...account=${AWS::AccountId}&roleName=${UserAccountDelegateRole}'
    text = paco_output["Value"]["Fn::Sub"]
    return text.replace("${AWS::AccountId}", account_id).replace("${UserAccountDelegateRole}", role_name)


ACCOUNT_IDS = {"master": "111111111111", "dev": "222222222222", "prod": "333333333333", "test": "444444444444"}
PACO_WITH_CONTENT = [sid for sid, t in _paco_templates().items() if _resources(t)]


def test_paco_made_stacks_with_content():
    # alice everywhere, bob in dev and test, and the users stack; carol (disabled) and bob's
    # other accounts had only placeholders, which iamc does not make
    assert len(PACO_WITH_CONTENT) == 7


@pytest.mark.parametrize("stack_id", PACO_WITH_CONTENT)
def test_iamc_keeps_what_paco_made(stack_id, ours):
    paco = _paco_templates()[stack_id]
    assert stack_id in ours, f"iamc makes no stack {stack_id}"
    mine = ours[stack_id]
    paco_res, my_res = _resources(paco), _resources(mine)
    # same logical IDs, same types: nothing Paco made is replaced or deleted
    for logical_id, res in paco_res.items():
        assert logical_id in my_res, f"{stack_id}: logical ID {logical_id} is gone"
        assert my_res[logical_id]["Type"] == res["Type"]
    for logical_id, res in paco_res.items():
        props, my_props = res["Properties"], my_res[logical_id]["Properties"]
        if res["Type"] == "AWS::IAM::Role":
            assert my_props["RoleName"] == props["RoleName"]
            assert _statements(my_props["AssumeRolePolicyDocument"]) == _statements(props["AssumeRolePolicyDocument"])
            assert sorted(my_props.get("ManagedPolicyArns", [])) == sorted(props.get("ManagedPolicyArns", []))
            account = stack_id.split("/")[0]
            paco_url = _signin_url(paco["Outputs"]["SigninUrl"], ACCOUNT_IDS[account], props["RoleName"])
            assert mine["Outputs"]["SigninUrl"]["Value"] == paco_url
        elif res["Type"] == "AWS::IAM::ManagedPolicy":
            assert my_props.get("ManagedPolicyName") == props.get("ManagedPolicyName")
            if logical_id.startswith("CustomPolicy"):
                assert _statements(my_props["PolicyDocument"]) == _statements(props["PolicyDocument"])
                assert my_props["Roles"] == props["Roles"]
            else:
                assert my_props["Users"] == props["Users"]
        elif res["Type"] == "AWS::IAM::User":
            # Paco's UserName is a parameter whose value is the user name
            param = props["UserName"]["Ref"]
            assert param.startswith("Username")
            assert my_props["UserName"] in {"alice", "bob"}
            assert param == "Username" + hashlib.md5(my_props["UserName"].encode()).hexdigest()


def test_the_user_policy_differs_from_paco_only_where_iamc_is_stricter(ours):
    paco = _paco_templates()["master/Resource-IAM-User-Accounts"]["Resources"]["IAMUserPolicyalice"]
    mine = ours["master/Resource-IAM-User-Accounts"]["Resources"]["IAMUserPolicyalice"]
    paco_doc = {s.get("Sid", "assume"): s for s in paco["Properties"]["PolicyDocument"]["Statement"]}
    my_doc = {s["Sid"]: s for s in mine["Properties"]["PolicyDocument"]["Statement"]}
    # the same delegate roles may be assumed
    assert sorted(my_doc["AssumeOwnDelegateRoles"]["Resource"]) == sorted(paco_doc["assume"]["Resource"])
    # the MFA deny also matches requests signed with a long-term key (no MFA key at all)
    assert paco_doc["DenyAllExceptListedIfNoMFA"]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": False}}
    assert my_doc["DenyAllExceptListedIfNoMFA"]["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}}
    assert my_doc["DenyAllExceptListedIfNoMFA"]["NotAction"] == paco_doc["DenyAllExceptListedIfNoMFA"]["NotAction"]
    # self-service is scoped to the master account, not to any account (`*`)
    for sid in ("AllowManageOwnPasswords", "AllowManageOwnVirtualMFADevice", "AllowManageOwnUserMFA"):
        assert my_doc[sid]["Action"] == paco_doc[sid]["Action"]
        assert [r.replace(f"::{MASTER_ID}:", "::*:") for r in my_doc[sid]["Resource"]] == paco_doc[sid]["Resource"]


def test_no_password_in_iamc_templates(ours):
    for stack_id, t in ours.items():
        assert "Parameters" not in t, f"{stack_id} takes parameters"
        for res in t["Resources"].values():
            login = res.get("Properties", {}).get("LoginProfile")
            if login:
                assert "{{resolve:secretsmanager:" in login["Password"]["Fn::Sub"]
