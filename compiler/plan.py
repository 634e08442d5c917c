"""Stage 4, plan: the resolved project becomes a target-neutral deployment plan.

    access["bob"] == {"dev": (Grant(readonly),), "test": (Grant(custom),)}
      -> Stack("master/Resource-IAM-User-Accounts", users=(PlannedUser("bob", policy=<assume dev, test roles>),))
         Stack("dev/Resource-IAM-User-Bob-Account-Delegates", role=Role(attached=(ReadOnlyAccess,)))
         Stack("test/Resource-IAM-User-Bob-Account-Delegates", role=Role(policies=(CustomPolicyCloudWatchLogs,)))

All IAM semantics live here, so every backend gives the same answer. Every
stack goes in the master account's region (IAM is global; a stack per
region would collide on the role names). The limits that a plan can pass
are checked here, each at the YAML that causes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from types import MappingProxyType

from . import names, policies
from .diagnostics import Diagnostics
from .grants import RoleGrants, user_statements
from .ir import Account, User
from .manifest import Previous
from .plan_model import (
    AttachedPolicy,
    GoneStack,
    LoginProfile,
    ManagedPolicy,
    Parameter,
    Plan,
    PlannedUser,
    Role,
    Stack,
    UserAccess,
)
from .plan_users import access_keys
from .resolve import Resolved, uses_delegates
from .tree import Loc

MAX_RESOURCES = 500
MAX_OUTPUTS = 200
# resources of one user in a users stack at most: the user, its policy, the password's secret, two keys
# and their secrets; the suggested users_stacks leaves room for the hash's uneven split
RESOURCES_PER_USER = 7


def plan(resolved: Resolved, previous: Previous | None) -> tuple[Plan, Diagnostics]:
    return _Planner(resolved, previous).run()


class _Planner:
    def __init__(self, resolved: Resolved, previous: Previous | None):
        self.r = resolved
        self.p = resolved.project
        self.master = resolved.master
        self.region = self.master.region
        self.partition = policies.partition_of(self.region)
        self.previous = previous or Previous()
        self.paco_users = {name for name, _ in self.p.settings.paco_users}
        self.diags = Diagnostics()

    def run(self) -> tuple[Plan, Diagnostics]:
        accounts = {a.name: a for a in self.p.accounts}
        roles: dict[tuple[str, str], Role] = {}
        per_user: list[Stack] = []
        in_users_stacks: list[PlannedUser] = []
        for user in self.p.users:
            delegates = uses_delegates(user, self.master)
            user_roles = []
            if delegates and user.enabled:
                for account in self.r.entry[user.key]:
                    grants = [g for g in self.r.access[user.key].get(account, ()) if g.scope == "delegate"]
                    role = self.role(user, accounts[account], grants)
                    roles[(user.key, account)] = role
                    user_roles.append((account, role))
            home = self.master if delegates else accounts[user.account.parts[1]]
            planned = self.user(user, home, [r for _, r in user_roles], delegates)
            if delegates:
                in_users_stacks.append(planned)
                for account, role in user_roles:
                    name = names.delegate_stack_name(user.key)
                    per_user.append(
                        self.stack(
                            accounts[account],
                            name,
                            "delegate",
                            "IAM User Account Delegate Permissions",
                            role=role,
                            user=user.key,
                            loc=user.loc.as_key(),
                        )
                    )
            else:
                per_user.append(
                    self.stack(
                        home,
                        names.account_user_stack_name(user.username),
                        "user",
                        f"IAM User {user.username}",
                        users=(planned,),
                        user=user.key,
                        loc=user.loc.as_key(),
                    )
                )
        users_stacks = self.users_stacks(in_users_stacks)
        home_stack = {u.key: s.id for s in users_stacks for u in s.users}
        per_user = [
            s if s.kind != "delegate" else dataclasses.replace(s, depends_on=(home_stack[s.user],)) for s in per_user
        ]
        stacks = tuple(users_stacks) + tuple(sorted(per_user, key=lambda s: s.id))
        for s in stacks:
            self.check_limits(s)
        gone = self.gone(stacks, accounts)
        users = tuple(
            UserAccess(
                u.key,
                u.username,
                u.enabled,
                self.r.entry.get(u.key, ()),
                self.r.access.get(u.key, MappingProxyType({})),
            )
            for u in self.p.users
        )
        result = Plan(self.p, self.master, self.partition, self.region, stacks, gone, users, MappingProxyType(roles))
        return result, self.diags

    # one user

    def user(self, user: User, home: Account, roles: list[Role], delegates: bool) -> PlannedUser:
        paco = user.key in self.paco_users
        login = None
        if user.enabled and user.console_access_enabled:
            login = LoginProfile(
                f"iamc/{user.username}/console-password",
                f"Password{_md5(user.username)}" if paco else None,
            )
        policy = None
        attached: tuple[AttachedPolicy, ...] = ()
        # a user with delegate roles, or one who signs in to the console, gets the self-service policy
        # with its deny-without-MFA; a programmatic-only user without delegates (a machine) cannot use MFA
        if user.enabled and (delegates or user.console_access_enabled):
            own = [g for gs in self.r.access.get(user.key, {}).values() for g in gs if g.scope == "user"]
            document = policies.self_service(
                self.partition, home.account_id, [r.arn for r in roles], user_statements(self.partition, home, own)
            )
            policy = ManagedPolicy(
                names.user_policy_logical_id(user.key), names.user_policy_name(user.key), document, user.loc.as_key()
            )
            chars = policies.size(document)
            if chars > policies.MAX_MANAGED_POLICY_CHARS:
                self.diags.add(
                    "E401",
                    f"the policy of user `{user.key}` would be {chars:,} characters long; IAM allows "
                    f"{policies.MAX_MANAGED_POLICY_CHARS:,}",
                    user.account_whitelist.loc,
                    label=f"{len(roles)} delegate roles to list",
                    help="the policy names each delegate role the user may assume; shorten the whitelist",
                )
        if user.enabled and not delegates:
            attached = tuple(
                AttachedPolicy(
                    n if n.startswith("arn:") else policies.aws_managed_policy_arn(self.partition, n),
                    user.loc.child("managed_policies"),
                )
                for n in user.managed_policies
            )
        self_managed = any(
            g.permission.type == "AccessKeys" for gs in self.r.access.get(user.key, {}).values() for g in gs
        )
        keys = access_keys(user, paco, self_managed, self.previous, self.diags)
        if "," in user.username and ((login and not login.paco_parameter) or keys):
            self.diags.add(
                "E405",
                f"user name `{user.username}` cannot name a Secrets Manager secret, which holds no `,`",
                user.loc.child("username"),
                label="holds `,`",
                notes=[f"its initial password and key secrets are kept as `iamc/{user.username}/...`"],
                help="IAM allows `,` in a user name, Secrets Manager not in a secret's: choose another user name",
            )
        return PlannedUser(
            key=user.key,
            username=user.username,
            enabled=user.enabled,
            logical_id=names.user_logical_id(user.key),
            arn=f"arn:{self.partition}:iam::{home.account_id}:user/{user.username}",
            login_profile=login,
            access_keys=keys,
            policy=policy,
            attached=attached,
            paco_username_parameter=f"Username{_md5(user.username)}" if paco else None,
            loc=user.loc,
        )

    def role(self, user: User, account: Account, grants) -> Role:
        collected = RoleGrants(self.partition, user.key, account, self.diags)
        for g in grants:
            collected.add(g)
        collected.finish()
        name = names.role_name(user.key)
        return Role(
            logical_id="UserAccountDelegateRole",
            name=name,
            arn=f"arn:{self.partition}:iam::{account.account_id}:role/{name}",
            trust=policies.trust(self.partition, self.master.account_id, user.username),
            attached=tuple(collected.attached),
            policies=tuple(collected.policies),
            signin_url=policies.signin_url(self.partition, account.account_id, name),
            loc=user.loc.as_key(),
        )

    # stacks

    def stack(self, account: Account, name: str, kind: str, description: str, **kw) -> Stack:
        return Stack(
            id=f"{account.name}/{name}",
            name=name,
            account=account,
            region=self.region,
            kind=kind,
            description=description,
            **kw,
        )

    def users_stacks(self, users: list[PlannedUser]) -> list[Stack]:
        """The users stack, or `users_stacks` of them, each user placed by a stable hash of its key."""
        n = self.p.settings.users_stacks or 1
        buckets: list[list[PlannedUser]] = [[] for _ in range(n)]
        for u in users:
            buckets[_bucket(u.key, n)].append(u)
        out = []
        for i, members in enumerate(buckets):
            if not members and (n > 1 or not users):
                continue
            name = names.USERS_STACK if i == 0 else f"{names.USERS_STACK}-{i + 1}"
            params = []
            for u in members:
                if u.paco_username_parameter:
                    params.append(
                        Parameter(u.paco_username_parameter, "The name of the user.", False, False, u.username)
                    )
                if u.login_profile and u.login_profile.paco_parameter:
                    params.append(
                        Parameter(
                            u.login_profile.paco_parameter,
                            f"The password to assign of the user {u.username}",
                            True,
                            True,
                        )
                    )
            out.append(
                self.stack(
                    self.master,
                    name,
                    "users",
                    "IAM Users",
                    users=tuple(members),
                    parameters=tuple(sorted(params, key=lambda p: p.name)),
                    loc=Loc(self.p.settings.loc.file, ("users_stacks",))
                    if self.p.settings.users_stacks
                    else Loc("resource/iam.yaml", ("users",), key=True),
                )
            )
        return out

    def check_limits(self, s: Stack) -> None:
        over = []
        if s.resource_count > MAX_RESOURCES:
            over.append(f"{s.resource_count} resources (CloudFormation allows {MAX_RESOURCES})")
        if s.output_count > MAX_OUTPUTS:
            over.append(f"{s.output_count} outputs (CloudFormation allows {MAX_OUTPUTS})")
        if not over:
            return
        help = "merge permissions into fewer policies"
        if s.kind == "users":
            want = max(2, math.ceil(len(s.users) * RESOURCES_PER_USER * 1.5 / MAX_RESOURCES))
            current = self.p.settings.users_stacks
            help = (
                f"raise `users_stacks` in iamc.yaml (to {max(want, (current or 1) + 1)}, say): "
                "each stack then holds fewer users"
                if current
                else f"set `users_stacks: {want}` in iamc.yaml to split the users over {want} stacks"
            )
        self.diags.add(
            "E403",
            f"stack `{s.id}` would have " + " and ".join(over),
            s.loc,
            label="too many for one stack",
            help=help,
        )

    def gone(self, stacks: tuple[Stack, ...], accounts: dict[str, Account]) -> tuple[GoneStack, ...]:
        """Stacks that must not exist: those the previous build listed, and Paco's placeholders."""
        live = {s.id for s in stacks}
        out: dict[str, GoneStack] = {}
        for sid, entry in self.previous.stacks.items():
            if sid not in live:
                out[sid] = GoneStack(
                    sid,
                    entry.get("name", sid.split("/", 1)[-1]),
                    entry.get("account", ""),
                    entry.get("account_id", ""),
                    entry.get("region", self.region),
                    entry.get("user"),
                )
        for user in self.p.users:
            if user.key not in self.paco_users:
                continue
            name = names.delegate_stack_name(user.key)
            for account in accounts.values():
                sid = f"{account.name}/{name}"
                if sid not in live:
                    out[sid] = GoneStack(sid, name, account.name, account.account_id, self.region, user.key)
        return tuple(out[k] for k in sorted(out))


def _bucket(key: str, n: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % n


def _md5(text: str) -> str:
    # Paco's parameter names: not a secret, and not a security use of md5
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
