"""The deployment plan: what exists in which account, target-neutral.

Every backend reads the same plan, so CloudFormation, Terraform and the
profile files agree on every name, ARN and policy document. Documents are
plain JSON values (dicts and lists in IAM's own key names); nothing here
knows a template language.

    Plan(stacks=(Stack("master/Resource-IAM-User-Accounts", kind="users", users=(PlannedUser("alice"),)),
                 Stack("dev/Resource-IAM-User-Alice-Account-Delegates", kind="delegate", role=Role(...))))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Mapping

from .ir import Account, Project
from .resolve import Grant
from .tree import Loc

PolicyDocument = dict[str, Any]  # {"Version": "2012-10-17", "Statement": [...]}


@dataclass(frozen=True)
class ManagedPolicy:
    """A customer managed policy that iamc creates, attached to one user or one role."""

    logical_id: str  # Paco's: IAMUserPolicy<key>, CustomPolicy<Name>
    name: str | None  # the physical name, or None to let the deployment tool name it (as Paco does)
    document: PolicyDocument
    loc: Loc  # the YAML that the policy comes from


@dataclass(frozen=True)
class AttachedPolicy:
    """An existing managed policy (AWS's or the account's own), attached by ARN."""

    arn: str
    loc: Loc


@dataclass(frozen=True)
class Role:
    """A user's delegate role in one account."""

    logical_id: str
    name: str
    arn: str
    trust: PolicyDocument
    attached: tuple[AttachedPolicy, ...]
    policies: tuple[ManagedPolicy, ...]
    signin_url: str
    loc: Loc


@dataclass(frozen=True)
class LoginProfile:
    """Console access. The password is never known to iamc: AWS generates it at deploy time."""

    secret_name: str  # Secrets Manager, where the generated initial password is kept
    paco_parameter: str | None = None  # moving from Paco: keep its NoEcho parameter (and the password it holds)


@dataclass(frozen=True)
class AccessKey:
    number: int  # 1 or 2: access_key_<n>_version
    serial: int  # the version: bump it to rotate
    active: bool
    secret_name: str
    loc: Loc
    rotated_from: int | None = None  # the serial of the previous build, when this build replaces the key


@dataclass(frozen=True)
class PlannedUser:
    key: str
    username: str
    enabled: bool
    logical_id: str
    arn: str
    login_profile: LoginProfile | None
    access_keys: tuple[AccessKey, ...]
    policy: ManagedPolicy | None  # self-service, MFA and assume-role: the user's own managed policy
    attached: tuple[AttachedPolicy, ...]  # managed policies attached to the user itself
    paco_username_parameter: str | None  # moving from Paco: its Username<md5> parameter
    loc: Loc


@dataclass(frozen=True)
class Parameter:
    """A template parameter the deployment must supply: only Paco's kept passwords need one."""

    name: str
    description: str
    no_echo: bool
    use_previous_value: bool
    default: str | None = None


@dataclass(frozen=True)
class Stack:
    id: str  # "<account>/<stack name>"
    name: str
    account: Account
    region: str
    kind: str  # "users" | "delegate" | "user": see DESIGN.md "What is generated"
    description: str
    users: tuple[PlannedUser, ...] = ()
    role: Role | None = None
    user: str | None = None  # the user key of a per-user stack
    depends_on: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    loc: Loc | None = None  # the YAML a limit of this stack is reported at

    @property
    def resource_count(self) -> int:
        """Resources in the stack: a user, its policy, its password's secret, each key and its secret;
        a role and its policies."""
        count = 0
        for u in self.users:
            count += 1 + (u.policy is not None)
            count += u.login_profile is not None and u.login_profile.paco_parameter is None
            count += 2 * len(u.access_keys)
        if self.role is not None:
            count += 1 + len(self.role.policies)
        return count

    @property
    def output_count(self) -> int:
        return 1 if self.role is not None else 0  # SigninUrl


@dataclass(frozen=True)
class GoneStack:
    """A stack that must not exist: iamc made it once, or Paco made it (a placeholder), and a deploy tool deletes it."""

    id: str
    name: str
    account: str
    account_id: str
    region: str
    user: str | None


@dataclass(frozen=True)
class UserAccess:
    """One user's entry in the manifest: the accounts they may enter and their grants, per account."""

    key: str
    username: str
    enabled: bool
    accounts: tuple[str, ...]  # where the user has a delegate role
    grants: Mapping[str, tuple[Grant, ...]]  # including grants on the user itself (AccessKeys)


@dataclass(frozen=True)
class Plan:
    project: Project
    master: Account
    partition: str
    region: str
    stacks: tuple[Stack, ...]  # in deployment order
    gone: tuple[GoneStack, ...]
    users: tuple[UserAccess, ...]
    roles: Mapping[tuple[str, str], Role] = field(default_factory=dict)  # (user key, account) -> role

    def stack(self, stack_id: str) -> Stack | None:
        for s in self.stacks:
            if s.id == stack_id:
                return s
        return None

    # indexes for backends, which look things up per user (computed once per plan)

    @functools.cached_property
    def access_of(self) -> Mapping[str, UserAccess]:
        """User key -> its entry of `users`."""
        return {u.key: u for u in self.users}

    @functools.cached_property
    def planned_user(self) -> Mapping[str, PlannedUser]:
        """User key -> its IAM user as planned (in a users stack, or its own stack)."""
        return {u.key: u for s in self.stacks for u in s.users}

    @functools.cached_property
    def roles_of(self) -> Mapping[str, tuple[tuple[str, Role], ...]]:
        """User key -> its delegate roles, (account name, role), by account name."""
        out: dict[str, list[tuple[str, Role]]] = {}
        for (key, account), role in sorted(self.roles.items()):
            out.setdefault(key, []).append((account, role))
        return {k: tuple(v) for k, v in out.items()}
