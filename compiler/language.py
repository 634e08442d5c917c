"""The source language: every field of the Paco files iamc reads, and of iamc.yaml.

Paco's fields are all accepted, since a team keeps running Paco on the same
project; those iamc cannot honour carry the warning that says what iamc does
instead. iamc's own settings live only in iamc.yaml.
"""

from __future__ import annotations

import re

from . import vocabulary
from .ir import PERMISSION_TYPES
from .schema import (
    Anything,
    Bool,
    CommaList,
    Field,
    Int,
    Kind,
    MapOf,
    Obj,
    Schema,
    SeqOf,
    Str,
    StrList,
    INVALID,
    _type_error,
    did_you_mean,
)
from .tree import Scalar

DEFAULT_ADMIN_DELEGATE_ROLE = "Paco-Organization-Account-Delegate-Role"


class Text(Kind):
    """Text that YAML would read as a number when unquoted (account ids, colours): the number is an error."""

    def __init__(self, what: str, pattern, pattern_help: str, code: str = "E203"):
        self.what, self.pattern, self.pattern_help, self.code = what, pattern, pattern_help, code

    def read(self, node, loc, r):
        if isinstance(node, Scalar) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            r.diags.add(
                "E207",
                f"{self.what} `{node.raw}` is read by YAML as a number, not as text",
                loc,
                label="a number, not text",
                notes=["as a number it loses its leading zero"] if node.raw.lstrip("+-").startswith("0") else [],
                help=f"quote it: '{node.raw}'",
            )
            return INVALID
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            return _type_error(r, node, loc, f"{self.what} as a quoted string")
        if not self.pattern.fullmatch(node.value):
            r.diags.add(
                self.code, f"{self.what} `{node.value}` is not {self.pattern_help}", loc, label=self.pattern_help
            )
            return INVALID
        return node.value


class Region(Kind):
    """An AWS region's name, with the closest one suggested."""

    def read(self, node, loc, r):
        value = Str().read(node, loc, r)
        if value is INVALID or value in vocabulary.AWS_REGIONS:
            return value
        r.diags.add(
            "E203",
            f"`{value}` is not an AWS region",
            loc,
            label="unknown region",
            help=did_you_mean(value, vocabulary.AWS_REGIONS),
        )
        return INVALID


ACCOUNT_ID = Text("account id", re.compile(r"\d{12}"), "exactly 12 digits", code="E206")
COLOR = Text("colour", re.compile(r"[0-9A-Fa-f]{6}"), "six hex digits (rrggbb)")

ADMIN_IAM_USER = Schema(
    "admin IAM user",
    {
        "title": Field(Str()),
        "enabled": Field(Bool()),
        "username": Field(Str()),
    },
)

ACCOUNT = Schema(
    "account",
    {
        "name": Field(Str()),
        "title": Field(Str()),
        "enabled": Field(
            Bool(),
            ignored="iamc compiles access to every account under accounts/, enabled or not",
            ignore_if=lambda v: v is False,
        ),
        "account_type": Field(Str(choices=("AWS",)), default="AWS"),
        "account_id": Field(ACCOUNT_ID, required=True),
        "admin_delegate_role_name": Field(Str(), default=DEFAULT_ADMIN_DELEGATE_ROLE),
        "is_master": Field(Bool(), default=False),
        "region": Field(Region(), required=True),
        "root_email": Field(Str()),
        "organization_account_ids": Field(StrList(Str(numbers_ok=True), single_ok=False), default=[]),
        "admin_iam_users": Field(MapOf(Obj(ADMIN_IAM_USER), "admin IAM users")),
    },
    named=True,
)

PROGRAMMATIC_ACCESS = Schema(
    "programmatic_access",
    {
        "enabled": Field(Bool(), default=False),
        "access_key_1_version": Field(Int(minimum=0), default=0),
        "access_key_2_version": Field(Int(minimum=0), default=0),
        "externally_managed": Field(
            Bool(),
            default=False,
            ignore_if=lambda v: v is True,
            ignored="iamc creates, rotates and deactivates no access key for this user; "
            "keys made outside iamc stay as they are",
        ),
    },
)

STATEMENT = Schema(
    "policy statement",
    {
        "sid": Field(Str()),
        "effect": Field(Str(choices=("Allow", "Deny")), required=True),
        "action": Field(StrList()),
        "not_action": Field(StrList()),
        "resource": Field(StrList()),
        "not_resource": Field(StrList()),
        "condition": Field(Anything()),
        # an identity policy has no principal; accepted here so lowering can say so plainly
        "principal": Field(Anything()),
        "not_principal": Field(Anything()),
    },
)

POLICY = Schema(
    "policy",
    {
        "name": Field(Str(), required=True),
        "statement": Field(SeqOf(Obj(STATEMENT), "statements"), required=True),
    },
)

REPOSITORY_GRANT = Schema(
    "CodeCommit repository permission",
    {
        "codecommit": Field(Str(), required=True),
        "permission": Field(Str(choices=("ReadWrite", "ReadOnly"))),
        "console_access_enabled": Field(Bool(), default=False),
        "public_ssh_key": Field(
            Str(),
            ignored="iamc does not upload SSH keys; add it in the IAM console "
            "(Security credentials) or with `aws iam upload-ssh-public-key`",
        ),
    },
)

CODEBUILD_GRANT = Schema(
    "CodeBuild project permission",
    {
        "codebuild": Field(Str(), required=True),
        "permission": Field(Str(choices=("ReadOnly", "ReadWrite")), default="ReadOnly"),
        "console_access_enabled": Field(Bool(), default=False),
    },
)

PIPELINE_GRANT = Schema(
    "pipeline permission",
    {
        "pipeline": Field(Str(), required=True),
        "permission": Field(CommaList(), default="ReadOnly"),
        "console_access_enabled": Field(Bool(), default=True),
    },
)

_PERMISSION_COMMON = {
    "type": Field(Str(choices=PERMISSION_TYPES), required=True),
    "title": Field(Str()),
    "enabled": Field(Bool(), default=True),
}

PERMISSIONS: dict[str, Schema] = {
    "Administrator": Schema(
        "Administrator permission",
        {
            **_PERMISSION_COMMON,
            "accounts": Field(CommaList()),
            "read_only": Field(Bool(), default=False),
        },
        named=True,
    ),
    "CustomPolicy": Schema(
        "CustomPolicy permission",
        {
            **_PERMISSION_COMMON,
            "accounts": Field(CommaList()),
            "managed_policies": Field(StrList(), default=[]),
            "managed_policy_arns": Field(StrList(), default=[]),
            "policies": Field(SeqOf(Obj(POLICY), "policies"), default=[]),
        },
        named=True,
    ),
    "CodeCommit": Schema(
        "CodeCommit permission",
        {
            **_PERMISSION_COMMON,
            "repositories": Field(SeqOf(Obj(REPOSITORY_GRANT), "repository permissions"), default=[]),
        },
        named=True,
    ),
    "CodeBuild": Schema(
        "CodeBuild permission",
        {
            **_PERMISSION_COMMON,
            "resources": Field(SeqOf(Obj(CODEBUILD_GRANT), "CodeBuild project permissions"), default=[]),
        },
        named=True,
    ),
    "DeploymentPipelines": Schema(
        "DeploymentPipelines permission",
        {
            **_PERMISSION_COMMON,
            "accounts": Field(CommaList()),
            "resources": Field(SeqOf(Obj(PIPELINE_GRANT), "pipeline permissions"), default=[]),
        },
        named=True,
    ),
    "SystemsManagerSession": Schema(
        "SystemsManagerSession permission",
        {
            **_PERMISSION_COMMON,
            "accounts": Field(CommaList()),
            "resources": Field(StrList(), default=[]),
        },
        named=True,
    ),
    "AccessKeys": Schema("AccessKeys permission", dict(_PERMISSION_COMMON), named=True),
}
PERMISSION_TYPE_ONLY = Schema("permission", {"type": _PERMISSION_COMMON["type"]}, named=True)

USER = Schema(
    "user",
    {
        "enabled": Field(Bool()),
        "title": Field(Str()),
        "account": Field(Str(), required=True),
        "username": Field(Str()),
        "description": Field(Str()),
        "console_access_enabled": Field(Bool(), default=False),
        "programmatic_access": Field(Obj(PROGRAMMATIC_ACCESS)),
        "account_whitelist": Field(CommaList()),
        "permissions": Field(Anything()),
        "disable_account_delegates": Field(Bool(), default=False),
        "managed_policies": Field(StrList(), default=[]),
        "default_password": Field(
            Str(numbers_ok=True),
            ignored=(
                "iamc never handles passwords: AWS generates each console password at deploy time, "
                "iamc keeps it in Secrets Manager and the user must change it at first sign-in"
            ),
        ),
        "public_ssh_key": Field(
            Str(),
            ignored="iamc does not upload SSH keys; add it in the IAM console "
            "(Security credentials) or with `aws iam upload-ssh-public-key`",
        ),
    },
    named=True,
)

_PACO_ONLY = "iamc compiles only `users`; keep provisioning this with Paco (`paco provision resource.iam`)"
IAM_FILE = Schema(
    "resource/iam.yaml",
    {
        "users": Field(Anything()),
        "roles": Field(Anything(), ignored=_PACO_ONLY),
        "policies": Field(Anything(), ignored=_PACO_ONLY),
        "identity_providers": Field(Anything(), ignored=_PACO_ONLY),
    },
)

CODECOMMIT_USER = Schema(
    "CodeCommit user",
    {
        "username": Field(Str()),
        "public_ssh_key": Field(Str()),
        "permissions": Field(Str(choices=("ReadWrite", "ReadOnly"))),
    },
)

REPOSITORY = Schema(
    "CodeCommit repository",
    {
        "title": Field(Str()),
        "enabled": Field(Bool(), default=False),
        "repository_name": Field(Str()),
        "account": Field(Str(), required=True),
        "region": Field(Region()),
        "description": Field(Str()),
        "external_resource": Field(Bool(), default=False),
        "users": Field(
            MapOf(Obj(CODECOMMIT_USER), "CodeCommit users"),
            ignored="iamc does not create CodeCommit git users; Paco's `resource.codecommit` does",
        ),
    },
    named=True,
)

ACCOUNT_SETTINGS = Schema(
    "account settings",
    {
        "color": Field(COLOR),  # the switch-role profile's colour
        "region": Field(Region()),  # the console region to open after switching, and the CLI profile's region
        "alias": Field(Str(pattern=r"[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])?", pattern_help="an IAM account alias")),
    },
)

USER_SETTINGS = Schema(
    "user settings",
    {
        "pgp_key": Field(Str()),
    },
)

EXTERNAL_RESOURCE = Schema(
    "external resource",
    {
        "arn": Field(Str()),
        "stages": Field(StrList(single_ok=False), default=[]),
        "approval_actions": Field(StrList(single_ok=False), default=[]),
        "account": Field(Str()),
        "region": Field(Region()),
        "resource_group": Field(Str()),
    },
)

PACO_MIGRATION = Schema(
    "paco_migration",
    {
        "users": Field(StrList(single_ok=False), default=[]),
    },
)

SETTINGS = Schema(
    "iamc.yaml",
    {
        "organization": Field(Str()),
        "plugins": Field(StrList(single_ok=False), default=[]),
        "backends": Field(MapOf(Anything(), "backend options"), default=[]),
        "paco_migration": Field(Obj(PACO_MIGRATION)),
        "users_stacks": Field(Int(minimum=1, maximum=100)),
        "accounts": Field(MapOf(Obj(ACCOUNT_SETTINGS), "account settings"), default=[]),
        "users": Field(MapOf(Obj(USER_SETTINGS), "user settings"), default=[]),
        "external_resources": Field(MapOf(Obj(EXTERNAL_RESOURCE), "external resources"), default=[]),
    },
)
