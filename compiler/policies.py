"""IAM policy documents, as plain JSON values in IAM's key order.

    trust("aws", "111111111111", "alice")
      -> {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"AWS": ["arn:aws:iam::111111111111:user/alice"]}, "Action": ["sts:AssumeRole"],
          "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}}}]}

Statements keep the order a reviewer reads them in: Sid, Effect, Principal,
Action, Resource, Condition. Paco's self-service statements are kept, with
one deliberate change: the deny-without-MFA statement tests
`BoolIfExists`, since a request signed with a long-term access key carries
no `aws:MultiFactorAuthPresent` at all and Paco's `Bool` lets it through.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .ir import Policy, Statement

VERSION = "2012-10-17"
MAX_MANAGED_POLICY_CHARS = 6144  # IAM's limit for a managed policy, whitespace not counted

_SIGNIN_HOSTS = {
    "aws": "signin.aws.amazon.com",
    "aws-cn": "signin.amazonaws.cn",
    "aws-us-gov": "signin.amazonaws-us-gov.com",
}

# What a user may do before signing in with MFA: set a password and an MFA device (Paco's list).
WITHOUT_MFA = (
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ChangePassword",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
    "iam:ListUsers",
)


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def console_url(partition: str, account_id: str) -> str:
    """The account's own sign-in page for IAM users."""
    return f"https://{account_id}.{_SIGNIN_HOSTS[partition]}/console"


def signin_url(partition: str, account_id: str, role_name: str) -> str:
    return f"https://{_SIGNIN_HOSTS[partition]}/switchrole?account={account_id}&roleName={quote(role_name, safe='')}"


def aws_managed_policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


def statement(
    effect: str,
    action: list[str] | None = None,
    resource: list[str] | None = None,
    *,
    sid: str | None = None,
    principal: dict | None = None,
    not_action: list[str] | None = None,
    not_resource: list[str] | None = None,
    condition: dict | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sid:
        out["Sid"] = sid
    out["Effect"] = effect
    if principal is not None:
        out["Principal"] = principal
    if action:
        out["Action"] = list(action)
    if not_action:
        out["NotAction"] = list(not_action)
    if resource:
        out["Resource"] = list(resource)
    if not_resource:
        out["NotResource"] = list(not_resource)
    if condition:
        out["Condition"] = condition
    return out


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def size(doc: dict[str, Any]) -> int:
    """The size IAM counts against its limits: the JSON without whitespace."""
    return len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))


def trust(partition: str, master_id: str, username: str) -> dict[str, Any]:
    """A delegate role's trust policy: the one user, signed in with MFA."""
    return document(
        [
            statement(
                "Allow",
                ["sts:AssumeRole"],
                principal={"AWS": [f"arn:{partition}:iam::{master_id}:user/{username}"]},
                condition={"Bool": {"aws:MultiFactorAuthPresent": True}},
            )
        ]
    )


def self_service(partition: str, master_id: str, role_arns: list[str], extra: list[dict] = ()) -> dict[str, Any]:
    """The user's own policy: assume exactly its delegate roles, manage its password and MFA device,
    and nothing else until signed in with MFA."""
    own_user = f"arn:{partition}:iam::{master_id}:user/${{aws:username}}"
    own_mfa = f"arn:{partition}:iam::{master_id}:mfa/${{aws:username}}"
    statements = []
    if role_arns:
        statements.append(statement("Allow", ["sts:AssumeRole"], role_arns, sid="AssumeOwnDelegateRoles"))
    statements += [
        statement(
            "Allow",
            ["iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:ListVirtualMFADevices", "iam:ListUsers"],
            ["*"],
            sid="AllowViewAccountInfo",
        ),
        statement("Allow", ["iam:ChangePassword", "iam:GetUser"], [own_user], sid="AllowManageOwnPasswords"),
        statement(
            "Allow",
            ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            [own_mfa],
            sid="AllowManageOwnVirtualMFADevice",
        ),
        statement(
            "Allow",
            ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
            [own_user],
            sid="AllowManageOwnUserMFA",
        ),
        *extra,
        statement(
            "Deny",
            not_action=list(WITHOUT_MFA),
            resource=["*"],
            sid="DenyAllExceptListedIfNoMFA",
            condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": False}},
        ),
    ]
    return document(statements)


def from_policy(policy: Policy) -> dict[str, Any]:
    """A CustomPolicy's named policy, as written in iam.yaml (references already resolved)."""
    return document([_statement(s) for s in policy.statements])


def _statement(s: Statement) -> dict[str, Any]:
    condition: dict[str, dict[str, Any]] = {}
    for c in s.conditions:
        values = list(c.values)
        condition.setdefault(c.operator, {})[c.key] = values[0] if len(values) == 1 else values
    return statement(
        s.effect,
        list(s.action),
        [str(r) for r in s.resource],
        sid=s.sid,
        not_action=list(s.not_action),
        not_resource=[str(r) for r in s.not_resource],
        condition=condition or None,
    )
