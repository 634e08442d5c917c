"""The intermediate representation: frozen dataclasses, each keeping its source.

    users.alice (resource/iam.yaml) -> User(key="alice", username="alice",
        account=Ref("paco.ref accounts.master"), account_whitelist=AccountList(all=True), ...)

Lowering builds these from the located tree; nothing after lowering looks
at YAML again. `loc` is where a node came from: later stages report against
`node.loc.child("field")` and never compute positions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .tree import Item, Loc, Part


@dataclass(frozen=True)
class Ref:
    """A `paco.ref` string, split into its parts: `paco.ref accounts.dev.id` -> ("accounts", "dev", "id")."""

    text: str
    parts: tuple[str, ...]
    loc: Loc
    offsets: tuple[tuple[int, int], ...] = ()  # where each part stands in `text`

    @property
    def root(self) -> str:
        return self.parts[0] if self.parts else ""

    def part_loc(self, index: int) -> Loc:
        if index < len(self.offsets):
            return self.loc.child(Part(*self.offsets[index]))
        return self.loc

    @property
    def dotted(self) -> str:
        return "paco.ref " + ".".join(self.parts)


@dataclass(frozen=True)
class AccountList:
    """`all`, or a comma list of account names as Paco writes it: `dev, staging,tools`."""

    all: bool
    entries: tuple[tuple[str, int], ...]  # (account name, index of its comma item)
    loc: Loc

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.entries)

    def item_loc(self, index: int) -> Loc:
        return self.loc.child(Item(index))


@dataclass(frozen=True)
class Account:
    name: str  # the file name: accounts/<name>.yaml
    title: str | None
    display_name: str | None  # Paco's `name:` field
    account_id: str
    region: str
    is_master: bool
    account_type: str
    admin_delegate_role_name: str
    root_email: str | None
    organization_account_ids: tuple[str, ...]
    loc: Loc


@dataclass(frozen=True)
class Condition:
    operator: str  # e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # e.g. "aws:PrincipalTag/team"
    values: tuple[Union[str, int, float, bool, Ref], ...]
    loc: Loc


@dataclass(frozen=True)
class Statement:
    effect: str
    sid: str | None
    action: tuple[str, ...]
    not_action: tuple[str, ...]
    resource: tuple[Union[str, Ref], ...]
    not_resource: tuple[Union[str, Ref], ...]
    conditions: tuple[Condition, ...]
    loc: Loc


@dataclass(frozen=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]
    loc: Loc


@dataclass(frozen=True)
class PermissionBase:
    key: str  # the key under `permissions:`
    enabled: bool
    title: str | None
    loc: Loc


@dataclass(frozen=True)
class Administrator(PermissionBase):
    accounts: AccountList | None
    read_only: bool
    type = "Administrator"


@dataclass(frozen=True)
class CustomPolicy(PermissionBase):
    accounts: AccountList | None
    managed_policies: tuple[str, ...]
    managed_policy_arns: tuple[str, ...]
    policies: tuple[Policy, ...]
    type = "CustomPolicy"


@dataclass(frozen=True)
class RepositoryGrant:
    codecommit: Ref
    permission: str | None  # ReadWrite | ReadOnly
    console_access_enabled: bool
    loc: Loc


@dataclass(frozen=True)
class CodeCommit(PermissionBase):
    repositories: tuple[RepositoryGrant, ...]
    type = "CodeCommit"


@dataclass(frozen=True)
class Target:
    """What a CodeBuild, pipeline or Session Manager grant points at: a paco.ref or literal text (an ARN, a name)."""

    ref: Ref | None
    text: str
    loc: Loc


@dataclass(frozen=True)
class CodeBuildGrant:
    codebuild: Target
    permission: str
    console_access_enabled: bool
    loc: Loc


@dataclass(frozen=True)
class CodeBuild(PermissionBase):
    resources: tuple[CodeBuildGrant, ...]
    type = "CodeBuild"


@dataclass(frozen=True)
class PipelineGrant:
    pipeline: Target
    permissions: tuple[str, ...]  # ReadOnly, RetryStages, ManualApproval
    console_access_enabled: bool
    loc: Loc


@dataclass(frozen=True)
class DeploymentPipelines(PermissionBase):
    accounts: AccountList | None
    resources: tuple[PipelineGrant, ...]
    type = "DeploymentPipelines"


@dataclass(frozen=True)
class SystemsManagerSession(PermissionBase):
    accounts: AccountList | None
    resources: tuple[Target, ...]
    type = "SystemsManagerSession"


@dataclass(frozen=True)
class AccessKeys(PermissionBase):
    type = "AccessKeys"


Permission = Union[
    Administrator, CustomPolicy, CodeCommit, CodeBuild, DeploymentPipelines, SystemsManagerSession, AccessKeys
]
PERMISSION_TYPES = (
    "Administrator",
    "CustomPolicy",
    "CodeCommit",
    "CodeBuild",
    "DeploymentPipelines",
    "SystemsManagerSession",
    "AccessKeys",
)


@dataclass(frozen=True)
class ProgrammaticAccess:
    enabled: bool
    access_key_1_version: int
    access_key_2_version: int
    externally_managed: bool
    loc: Loc


@dataclass(frozen=True)
class User:
    key: str  # the key under `users:`; names derive from it
    username: str  # the IAM UserName
    enabled: bool
    account: Ref | None
    title: str | None
    description: str | None
    console_access_enabled: bool
    programmatic_access: ProgrammaticAccess | None
    account_whitelist: AccountList
    permissions: tuple[Permission, ...]
    disable_account_delegates: bool
    managed_policies: tuple[str, ...]
    loc: Loc


@dataclass(frozen=True)
class Repository:
    """A CodeCommit repository of resource/codecommit.yaml: `<group>.<name>`."""

    group: str
    name: str
    repository_name: str
    account: Ref | None
    region: str | None
    enabled: bool
    loc: Loc


@dataclass(frozen=True)
class ExternalResource:
    """iamc.yaml's facts about a `paco.ref netenv.…` that iamc cannot read itself."""

    ref: str
    arn: str | None
    stages: tuple[str, ...]
    approval_actions: tuple[str, ...]
    account: Ref | None
    region: str | None
    resource_group: str | None
    loc: Loc


@dataclass(frozen=True)
class Settings:
    """iamc.yaml."""

    organization: str | None = None
    users_stacks: int | None = None
    account_colors: tuple[tuple[str, str, Loc], ...] = ()  # (account, rrggbb, loc)
    account_regions: tuple[tuple[str, str, Loc], ...] = ()  # (account, region, loc): for the profiles
    account_aliases: tuple[tuple[str, str, Loc], ...] = ()  # (account, IAM account alias, loc)
    account_entries: tuple[tuple[str, Loc], ...] = ()  # every account iamc.yaml's `accounts:` names
    user_pgp_keys: tuple[tuple[str, str, Loc], ...] = ()  # (user key, key, loc)
    external_resources: tuple[ExternalResource, ...] = ()
    plugins: tuple[tuple[str, Loc], ...] = ()  # third-party plugins the project names
    backends: tuple[tuple[str, Loc, object], ...] = ()  # (backend name, loc, its options as a located node)
    paco_users: tuple[tuple[str, Loc], ...] = ()  # users Paco provisioned (paco_migration.users)
    loc: Loc = field(default_factory=lambda: Loc("iamc.yaml"))


@dataclass(frozen=True)
class Project:
    root: str
    name: str | None
    title: str | None
    accounts: tuple[Account, ...]
    users: tuple[User, ...]
    repositories: tuple[Repository, ...]
    settings: Settings

    def account(self, name: str) -> Account | None:
        for a in self.accounts:
            if a.name == name:
                return a
        return None

    @property
    def master(self) -> Account | None:
        masters = [a for a in self.accounts if a.is_master]
        return masters[0] if len(masters) == 1 else None
