"""CloudFormation and Terraform grant the same: both outputs of every golden case, read back into
one canonical form, are equal.

The canonical form, per account: each IAM user (by user name) with its login profile (present or
not), its access keys (serial and status), the ARNs of the managed policies attached to it and the
documents of the policies iamc makes for it; each role (by name) with its trust policy, attached
ARNs and policy documents. Policies iamc makes are compared by content: CloudFormation names
Paco's custom policies itself, Terraform needs a name.

Where the secrets are kept differs by design and is not compared: CloudFormation generates the
console password and stores the key secrets in Secrets Manager; Terraform keeps them in its state
and outputs them, encrypted with the user's pgp_key when there is one.
"""

import json

import pytest
from cfnlint.decode.decode import decode_str

from golden import cases, expected_tree

# the cases that build and run both IaC backends (a case may choose its backends in iamc.yaml)
BUILT = [
    c
    for c in cases()
    if "terraform/main.tf.json" in expected_tree(c) and "error[" not in expected_tree(c)["stderr.txt"]
]


def _doc(document) -> str:
    return json.dumps(document, sort_keys=True)


def _entity():
    return {"attached": set(), "documents": set()}


def from_cloudformation(tree: dict[str, str]) -> dict:
    accounts: dict = {}
    for path, text in tree.items():
        if not path.startswith("cloudformation/"):
            continue
        account = path.split("/")[1]
        template, errors = decode_str(text)
        assert not errors
        params = template.get("Parameters", {})
        resources = template["Resources"]
        by_id = {}
        out = accounts.setdefault(account, {"users": {}, "roles": {}})
        for logical_id, res in resources.items():
            props = res.get("Properties", {})
            if res["Type"] == "AWS::IAM::User":
                name = props["UserName"]
                if isinstance(name, dict):  # Paco's Username parameter, with its default
                    name = params[name["Ref"]]["Default"]
                entity = out["users"][name] = {**_entity(), "login": "LoginProfile" in props, "keys": set()}
                entity["attached"] |= set(props.get("ManagedPolicyArns", []))
                by_id[logical_id] = entity
            elif res["Type"] == "AWS::IAM::Role":
                entity = out["roles"][props["RoleName"]] = {
                    **_entity(),
                    "trust": _doc(props["AssumeRolePolicyDocument"]),
                }
                entity["attached"] |= set(props.get("ManagedPolicyArns", []))
                by_id[logical_id] = entity
        for res in resources.values():
            props = res.get("Properties", {})
            if res["Type"] == "AWS::IAM::ManagedPolicy":
                for target in props.get("Users", []) + props.get("Roles", []):
                    by_id[target["Ref"]]["documents"].add(_doc(props["PolicyDocument"]))
            elif res["Type"] == "AWS::IAM::AccessKey":
                by_id[props["UserName"]["Ref"]]["keys"].add((props["Serial"], props["Status"]))
    return accounts


def from_terraform(tree: dict[str, str]) -> dict:
    modules = {p: json.loads(t) for p, t in tree.items() if p.startswith("terraform/")}
    aliases = {p["alias"]: p["allowed_account_ids"][0] for p in modules["terraform/main.tf.json"]["provider"]["aws"]}
    by_id = {v: k for k, v in aliases.items()}
    accounts: dict = {}
    for module in modules.values():
        resources = module.get("resource", {})
        entities = {}

        def account_of(body):
            return by_id[aliases[body["provider"].removeprefix("aws.")]]

        for name, body in resources.get("aws_iam_user", {}).items():
            out = accounts.setdefault(account_of(body), {"users": {}, "roles": {}})
            login = name in resources.get("aws_iam_user_login_profile", {})
            entities[("user", name)] = out["users"][body["name"]] = {**_entity(), "login": login, "keys": set()}
        for name, body in resources.get("aws_iam_role", {}).items():
            out = accounts.setdefault(account_of(body), {"users": {}, "roles": {}})
            trust = _doc(json.loads(body["assume_role_policy"].replace("$${", "${")))
            entities[("role", name)] = out["roles"][body["name"]] = {**_entity(), "trust": trust}
        for name, body in resources.get("aws_iam_access_key", {}).items():
            serial = resources["terraform_data"][f"{name}-serial"]["input"]
            user = body["user"].split(".")[1]
            entities[("user", user)]["keys"].add((serial, body["status"]))
        policies = {n: b for n, b in resources.get("aws_iam_policy", {}).items()}
        for kind, attachments in (
            ("user", resources.get("aws_iam_user_policy_attachments_exclusive", {})),
            ("role", resources.get("aws_iam_role_policy_attachments_exclusive", {})),
        ):
            for name, body in attachments.items():
                entity = entities[(kind, name)]
                for arn in body["policy_arns"]:
                    if arn.startswith("${aws_iam_policy."):
                        policy = policies[arn.split(".")[1]]["policy"]
                        entity["documents"].add(_doc(json.loads(policy.replace("$${", "${").replace("%%{", "%{"))))
                    else:
                        entity["attached"].add(arn)
    return accounts


@pytest.mark.parametrize("case", BUILT, ids=lambda p: p.name)
def test_cloudformation_and_terraform_grant_the_same(case):
    tree = expected_tree(case)
    cfn, tf = from_cloudformation(tree), from_terraform(tree)
    assert cfn, "nothing to compare"
    assert cfn == tf


def test_the_comparison_sees_a_difference():
    """The canonical forms are not trivially equal: a changed grant shows."""
    case = next(c for c in BUILT if c.name == "paco_reference")
    tree = expected_tree(case)
    cfn = from_cloudformation(tree)
    path = "cloudformation/dev/Resource-IAM-User-Bob-Account-Delegates.yaml"
    tree[path] = tree[path].replace("policy/ReadOnlyAccess", "policy/AdministratorAccess")
    assert from_cloudformation(tree) != cfn
    assert from_terraform(tree) == cfn
