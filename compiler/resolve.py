"""Stage 3, resolve: references and account lists become a typed graph and the access matrix.

    User(bob, account_whitelist="dev,test", permissions={readonly: Administrator(accounts="dev")})
      -> access["bob"] == {"dev": (Grant(readonly, "dev"),), "test": ()}
         graph: user:bob -whitelist-> account:dev, permission:bob.readonly -grant-> account:dev,
                stack:dev/Resource-IAM-User-Bob-Account-Delegates -depends_on-> stack:master/Resource-IAM-User-Accounts

Every account name is checked wherever it appears, with a suggestion; every
permission's accounts are checked against its user's whitelist, for every
user (Paco stops at the first user whose whitelist is `all`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import networkx as nx

from . import names
from .diagnostics import Diagnostics, Label
from .ir import (
    AccessKeys,
    Account,
    AccountList,
    Administrator,
    CodeBuild,
    CodeCommit,
    CustomPolicy,
    DeploymentPipelines,
    Permission,
    Project,
    Ref,
    SystemsManagerSession,
    User,
)
from .resolve_policies import PolicyResolution
from .resolve_targets import RESOURCE_WORDS, Resource, TargetResolution
from .schema import did_you_mean
from .tree import Loc


@dataclass(frozen=True)
class Grant:
    """One permission of one user, as it applies in one account."""

    permission: Permission
    account: str
    scope: str  # "delegate": the user's role there; "user": the user's own policy
    resources: tuple[Resource, ...] = ()


@dataclass(frozen=True)
class Stack:
    id: str  # "<account>/<stack name>"
    account: str
    name: str
    user: str | None  # the user key, for per-user stacks
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolved:
    project: Project  # with paco.ref values in policies replaced by what they name
    master: Account
    graph: nx.DiGraph
    access: Mapping[str, Mapping[str, tuple[Grant, ...]]]  # user key -> account name -> grants
    stacks: tuple[Stack, ...]  # in deployment order
    # user key -> the accounts the user may enter through a delegate role: its whitelist, when enabled
    entry: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def resolve(project: Project) -> tuple[Resolved | None, Diagnostics]:
    r = _Resolver(project)
    r.run()
    return r.result, r.diags


def uses_delegates(user: User, master: Account) -> bool:
    """Paco's delegate model: the user lives in the master account and reaches the others through roles."""
    return (
        not user.disable_account_delegates
        and user.account is not None
        and len(user.account.parts) == 2
        and user.account.parts[1] == master.name
    )


class _Resolver(TargetResolution, PolicyResolution):
    def __init__(self, project: Project):
        self.p = project
        self.diags = Diagnostics()
        self.accounts = {a.name: a for a in project.accounts}
        self.graph = nx.DiGraph()
        self.result: Resolved | None = None
        self.used_externals: set[str] = set()

    # references

    def account_name(self, name: str, loc: Loc) -> str | None:
        if name in self.accounts:
            return name
        self.diags.add(
            "E301",
            f"no account named `{name}`",
            loc,
            label="unknown account",
            help=did_you_mean(name, self.accounts) or f"the accounts are: {', '.join(sorted(self.accounts))}",
        )
        return None

    def account_ref(self, ref: Ref | None) -> str | None:
        """A reference that must name an account: `paco.ref accounts.<name>`."""
        if ref is None:
            return None
        if ref.root != "accounts" or len(ref.parts) < 2:
            self.diags.add(
                "E303",
                f"expected a reference to an account, found `{ref.text}`",
                ref.loc,
                label="not an account",
                help="write `paco.ref accounts.<name>`",
            )
            return None
        name = self.account_name(ref.parts[1], ref.part_loc(1))
        if name is not None and len(ref.parts) > 2:
            self.diags.add(
                "E303",
                f"expected a reference to the account itself, not to its `{'.'.join(ref.parts[2:])}`",
                ref.part_loc(2),
                help=f"write `paco.ref accounts.{name}`",
            )
            return None
        return name

    def account_list(self, lst: AccountList, within: tuple[str, ...] | None) -> tuple[str, ...]:
        """The accounts a list names; `all` is every account of `within` (the whitelist), or of the project."""
        if lst.all:
            return within if within is not None else tuple(self.accounts)
        out = []
        for name, index in lst.entries:
            known = self.account_name(name, lst.item_loc(index))
            if known is not None:
                out.append(known)
        return tuple(out)

    # the run

    def run(self) -> None:
        p = self.p
        master = p.master
        if master is None:  # lowering reported it
            return
        for a in p.accounts:
            self.graph.add_node(("account", a.name), kind="account", loc=a.loc)
        repositories = self.repositories()
        externals = {e.ref.strip(): e for e in p.settings.external_resources}
        users = []
        access: dict[str, Mapping[str, tuple[Grant, ...]]] = {}
        users_stack = Stack(f"{master.name}/{names.USERS_STACK}", master.name, names.USERS_STACK, None)
        stacks = [users_stack]
        entry: dict[str, tuple[str, ...]] = {}
        for user in p.users:
            user, grants, user_stacks = self.user(user, master, repositories, externals, users_stack)
            users.append(user)
            access[user.key] = MappingProxyType(grants)
            # a user with a delegate role per whitelisted account, or one that signs in to its own account
            entry[user.key] = tuple(s.account for s in user_stacks if user.enabled)
            stacks.extend(user_stacks)
        self.settings(externals)
        for s in stacks:
            self.graph.add_node(("stack", s.id), kind="stack", loc=None)
            self.graph.add_edge(("stack", s.id), ("account", s.account), kind="in")
            for dep in s.depends_on:
                self.graph.add_edge(("stack", s.id), ("stack", dep), kind="depends_on")
        order = self.stack_order(stacks)
        if self.diags.has_errors:
            return
        resolved_project = dataclasses.replace(p, users=tuple(users))
        self.result = Resolved(
            resolved_project, master, self.graph, MappingProxyType(access), order, MappingProxyType(entry)
        )

    def repositories(self):
        out = {}
        for repo in self.p.repositories:
            account = self.account_ref(repo.account)
            out[(repo.group, repo.name)] = (repo, account)
        return out

    def user(self, user: User, master: Account, repositories, externals, users_stack: Stack):
        node = ("user", user.key)
        self.graph.add_node(node, kind="user", loc=user.loc)
        home = self.account_ref(user.account)
        if home is not None:
            self.graph.add_edge(node, ("account", home), kind="home", loc=user.account.loc)
        whitelist = self.account_list(user.account_whitelist, None)
        for name in whitelist:
            self.graph.add_edge(node, ("account", name), kind="whitelist", loc=user.account_whitelist.loc)
        delegates = uses_delegates(user, master)
        if delegates and user.enabled and not user.account_whitelist.all and not user.account_whitelist.entries:
            self.diags.add(
                "W302",
                f"user `{user.key}` has no account_whitelist, so it may enter no account",
                user.loc.as_key(),
                help="add `account_whitelist: all` or a comma list of account names",
            )
        grants: dict[str, list[Grant]] = {name: [] for name in whitelist} if delegates else {}
        if not delegates and home is not None:
            grants[home] = []
            if user.permissions and user.enabled:
                why = (
                    "`disable_account_delegates` is true"
                    if user.disable_account_delegates
                    else f"the user lives in `{home}`, not in the master account `{master.name}`"
                )
                self.diags.add(
                    "W302",
                    f"the permissions of user `{user.key}` are not applied: {why}",
                    user.loc.child("permissions").as_key(),
                    help="such a user gets only its `managed_policies`, attached to the user itself",
                )
        permissions = []
        for perm in user.permissions:
            perm, perm_grants = self.permission(user, perm, whitelist, home, repositories, externals)
            permissions.append(perm)
            pnode = ("permission", user.key, perm.key)
            self.graph.add_node(pnode, kind="permission", loc=perm.loc)
            self.graph.add_edge(node, pnode, kind="has")
            if not (delegates and user.enabled and perm.enabled):
                continue
            for g in perm_grants:
                self.graph.add_edge(pnode, ("account", g.account), kind="grant", loc=perm.loc)
                grants.setdefault(g.account, []).append(g)
        self.check_policy_ids(user, grants)
        if delegates:
            self.check_username_conditions(user, grants)
        stacks = []
        if user.enabled and delegates:
            for account in whitelist:
                name = names.delegate_stack_name(user.key)
                stacks.append(Stack(f"{account}/{name}", account, name, user.key, (users_stack.id,)))
        elif not delegates and home is not None:
            name = names.account_user_stack_name(user.username)
            stacks.append(Stack(f"{home}/{name}", home, name, user.key))
        for s in stacks:
            self.graph.add_edge(node, ("stack", s.id), kind="defines")
        if not user.enabled:
            grants = {}  # a disabled user may enter no account
        user = dataclasses.replace(user, permissions=tuple(permissions))
        return user, {k: tuple(v) for k, v in grants.items()}, stacks

    def permission(
        self, user: User, perm: Permission, whitelist: tuple[str, ...], home: str | None, repositories, externals
    ) -> tuple[Permission, list[Grant]]:
        grants: list[Grant] = []
        errors_before = sum(1 for d in self.diags if d.is_error)

        def inside(account: str, loc: Loc, what: str) -> bool:
            if account in whitelist:
                return True
            reach = (
                f"{what} reaches account"
                if what.startswith("permission")
                else f"{what} of permission `{perm.key}` is in account"
            )
            self.diags.add(
                "E302",
                f"{reach} `{account}`, which is not in the account_whitelist of user `{user.key}`",
                loc,
                label="outside the whitelist",
                related=[Label(user.account_whitelist.loc, "the whitelist")],
                help=f"add `{account}` to account_whitelist, or take it out of this permission",
            )
            return False

        listed: tuple[str, ...] | None = None
        if (
            isinstance(perm, (Administrator, CustomPolicy, DeploymentPipelines, SystemsManagerSession))
            and perm.accounts is not None
        ):
            listed = self.account_list(perm.accounts, whitelist)
            if not perm.accounts.all:
                for name, index in perm.accounts.entries:
                    if name in self.accounts:
                        inside(name, perm.accounts.item_loc(index), f"permission `{perm.key}`")
                listed = tuple(a for a in listed if a in whitelist)
        if isinstance(perm, (Administrator, CustomPolicy)):
            if perm.accounts is None or not listed:
                if perm.accounts is None:
                    self.diags.add(
                        "W302",
                        f"permission `{perm.key}` has no `accounts`, so it grants nothing",
                        perm.loc.as_key(),
                        help="add `accounts: all` or a comma list of account names",
                    )
            if isinstance(perm, CustomPolicy):
                perm = dataclasses.replace(perm, policies=tuple(self.policy(p) for p in perm.policies))
            grants = [Grant(perm, a, "delegate") for a in listed or ()]
        elif isinstance(perm, (CodeCommit, CodeBuild, DeploymentPipelines, SystemsManagerSession)):
            by_account: dict[str, list[Resource]] = {}
            for loc, reached in self.resources_of(perm, repositories, externals, listed):
                for res in reached:
                    if inside(res.account, loc, f"{RESOURCE_WORDS[res.kind]} `{res.name}`"):
                        by_account.setdefault(res.account, []).append(res)
            grants = [Grant(perm, a, "delegate", tuple(rs)) for a, rs in sorted(by_account.items())]
        elif isinstance(perm, AccessKeys):
            grants = [Grant(perm, home, "user")] if home is not None else []
        new_errors = sum(1 for d in self.diags if d.is_error) > errors_before
        if perm.enabled and not grants and not new_errors and not isinstance(perm, (Administrator, CustomPolicy)):
            self.diags.add(
                "W302",
                f"permission `{perm.key}` grants nothing",
                perm.loc.as_key(),
                help="it names no resource that iamc could place in an account",
            )
        return perm, grants

    def settings(self, externals) -> None:
        s = self.p.settings
        for name, loc in s.account_entries:
            self.account_name(name, loc.as_key())
        users = {u.key for u in self.p.users}
        named = [(name, loc.as_key()) for name, _, loc in s.user_pgp_keys] + list(s.paco_users)
        for name, loc in named:
            if name not in users:
                self.diags.add(
                    "E308",
                    f"no user `{name}` in resource/iam.yaml",
                    loc,
                    label="unknown user",
                    help=did_you_mean(name, users) or f"the users are: {', '.join(sorted(users))}",
                )
        for ref, ext in sorted(externals.items()):
            if ref not in self.used_externals:
                self.diags.add(
                    "W303",
                    "no permission uses this external resource",
                    ext.loc.as_key(),
                    help="remove it, or check the reference against the permission that should use it",
                )
            elif ext.account is not None and ext.resource_group is None:
                self.account_ref(ext.account)

    def stack_order(self, stacks: list[Stack]) -> tuple[Stack, ...]:
        deps = nx.DiGraph()
        by_id = {s.id: s for s in stacks}
        for s in stacks:
            deps.add_node(s.id)
            for d in s.depends_on:
                deps.add_edge(d, s.id)
        try:
            order = list(nx.lexicographical_topological_sort(deps))
        except nx.NetworkXUnfeasible:
            cycle = nx.find_cycle(deps)
            self.diags.add(
                "E306",
                "stacks depend on each other in a cycle: " + " -> ".join(a for a, _ in cycle) + f" -> {cycle[0][0]}",
                None,
            )
            return tuple(stacks)
        return tuple(by_id[i] for i in order)
