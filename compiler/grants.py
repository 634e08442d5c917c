"""What each permission type grants on a delegate role: managed policy ARNs
and policies of iamc's own, built from the access matrix.

    Grant(Administrator(read_only=True), "dev")  -> attached: arn:aws:iam::aws:policy/ReadOnlyAccess
    Grant(CustomPolicy(policies=[CloudWatchLogs]), "test")
        -> policies: ManagedPolicy("CustomPolicyCloudWatchLogs", document={...})

IAM's limits on a role are checked here, at the YAML that passes them:
ten managed policies per role, 6,144 characters per policy document. The
policies iamc writes itself for CodeCommit, pipelines, CodeBuild and
Session Manager are split over more policies when one would be too large,
and packed into fewer when the role would have too many; either is a note.
"""

from __future__ import annotations

import dataclasses

from .diagnostics import Diagnostics
from . import grants_resources, names, policies
from .grants_resources import RESOURCE_TYPES
from .ir import AccessKeys, Administrator, CodeCommit, CustomPolicy
from .plan_model import AttachedPolicy, ManagedPolicy
from .resolve import Grant

MAX_MANAGED_POLICIES_PER_ROLE = 10


class RoleGrants:
    """Collects the managed policies of one delegate role, in permission order, without repeats."""

    def __init__(self, partition: str, user_key: str, account, diags: Diagnostics):
        self.partition, self.user_key, self.diags = partition, user_key, diags
        self.account = account
        self.attached: list[AttachedPolicy] = []
        self.policies: list[ManagedPolicy] = []
        self.resource_grants: list[Grant] = []

    def add(self, grant: Grant) -> None:
        perm = grant.permission
        if isinstance(perm, RESOURCE_TYPES):
            self.resource_grants.append(grant)
            return
        if isinstance(perm, Administrator):
            name = "ReadOnlyAccess" if perm.read_only else "AdministratorAccess"
            self.attach(policies.aws_managed_policy_arn(self.partition, name), perm.loc.as_key())
        elif isinstance(perm, CustomPolicy):
            for name in perm.managed_policies:
                self.attach(policies.aws_managed_policy_arn(self.partition, name), perm.loc.child("managed_policies"))
            for arn in perm.managed_policy_arns:
                self.attach(arn, perm.loc.child("managed_policy_arns"))
            for pol in perm.policies:
                self.own(names.custom_policy_logical_id(pol.name), policies.from_policy(pol), pol.loc.child("name"))

    def attach(self, arn: str, loc) -> None:
        if any(a.arn == arn for a in self.attached):
            return
        self.attached.append(AttachedPolicy(arn, loc))
        self._check_count(loc)

    def own(self, logical_id: str, document: dict, loc) -> None:
        chars = policies.size(document)
        if chars > policies.MAX_MANAGED_POLICY_CHARS:
            self.diags.add(
                "E401",
                f"this policy is {chars:,} characters long; IAM allows {policies.MAX_MANAGED_POLICY_CHARS:,} "
                "in a managed policy",
                loc,
                label="too large",
                notes=[f"it is attached to the delegate role of user `{self.user_key}` in `{self.account.name}`"],
                help="split its statements over two policies, or use wildcards in actions and resources",
            )
        self.policies.append(ManagedPolicy(logical_id, None, document, loc))
        self._check_count(loc)

    def finish(self) -> None:
        """Add the policies of the resource-based grants: one per type, split or packed to fit IAM's limits."""
        grants = self._console_repositories(self.resource_grants)
        if not grants:
            return
        loc = grants[0].permission.loc.as_key()
        generated = []
        first = {}
        for g in grants:
            first.setdefault(grants_resources.POLICY_IDS[g.permission.type], g.permission.loc.as_key())
        for base, statements in grants_resources.statements(self.partition, self.account, grants):
            chunks = _pack(statements)
            if len(chunks) > 1:
                self.diags.add(
                    "N401",
                    f"the {base.removesuffix('Policy')} grants of user `{self.user_key}` in `{self.account.name}` are "
                    f"split over {len(chunks)} policies, each within IAM's {policies.MAX_MANAGED_POLICY_CHARS:,} "
                    "characters",
                    first[base],
                )
            generated += [(base + (str(i + 1) if i else ""), chunk) for i, chunk in enumerate(chunks)]
        room = MAX_MANAGED_POLICIES_PER_ROLE - len(self.attached) - len(self.policies)
        if len(generated) > room:
            packed = _pack([st for _, chunk in generated for st in chunk])
            if len(packed) < len(generated):
                self.diags.add(
                    "N401",
                    f"the grants of user `{self.user_key}` in `{self.account.name}` are packed into {len(packed)} "
                    f"policies, to keep the role within IAM's {MAX_MANAGED_POLICIES_PER_ROLE} managed policies",
                    loc,
                )
                generated = [(f"DelegateGrantsPolicy{i + 1}", chunk) for i, chunk in enumerate(packed)]
        for logical_id, chunk in generated:
            self.policies.append(ManagedPolicy(logical_id, None, policies.document(chunk), loc))
            self._check_count(loc)

    def _console_repositories(self, grants: list[Grant]) -> list[Grant]:
        """As Paco: CodeCommit is granted in an account only if a repository there has console access."""
        # a repository entry without `permission:` grants nothing (W302 has said so)
        grants = [
            dataclasses.replace(g, resources=tuple(r for r in g.resources if r.grant.permission))
            if isinstance(g.permission, CodeCommit)
            else g
            for g in grants
        ]
        grants = [g for g in grants if g.resources or not isinstance(g.permission, CodeCommit)]
        repos = [r for g in grants if isinstance(g.permission, CodeCommit) for r in g.resources]
        if not repos or any(r.grant.console_access_enabled for r in repos):
            return grants
        for r in repos:
            self.diags.add(
                "W402",
                f"repository `{r.name}` is not granted to user `{self.user_key}`: no repository of theirs in "
                f"`{self.account.name}` has `console_access_enabled: true`",
                r.grant.loc,
                help="Paco grants CodeCommit in an account only when one of its repositories has console access; "
                "add `console_access_enabled: true` to this repository",
            )
        return [g for g in grants if not isinstance(g.permission, CodeCommit)]

    def _check_count(self, loc) -> None:
        count = len(self.attached) + len(self.policies)
        if count == MAX_MANAGED_POLICIES_PER_ROLE + 1:
            self.diags.add(
                "E402",
                f"the delegate role of user `{self.user_key}` in `{self.account.name}` would have more than "
                f"{MAX_MANAGED_POLICIES_PER_ROLE} managed policies",
                loc,
                label=f"policy number {count}",
                help="IAM attaches at most 10 managed policies to a role (the quota can be raised to 20); "
                "merge policies, or move some to another permission's account",
            )


def user_statements(partition: str, home, grants: list[Grant]) -> list[dict]:
    """Statements for the user's own policy, from grants on the user itself (`scope == "user"`)."""
    out = []
    if any(isinstance(g.permission, AccessKeys) for g in grants):
        out.append(
            policies.statement(
                "Allow",
                [
                    "iam:CreateAccessKey",
                    "iam:DeleteAccessKey",
                    "iam:GetAccessKeyLastUsed",
                    "iam:GetUser",
                    "iam:ListAccessKeys",
                    "iam:UpdateAccessKey",
                ],
                [f"arn:{partition}:iam::{home.account_id}:user/${{aws:username}}"],
                sid="AllowManageOwnAccessKeys",
            )
        )
    return out


def _pack(statements: list[dict]) -> list[list[dict]]:
    """Statements in order, over as few documents within IAM's size as it takes; a statement too large
    alone is split by its resources (its Sid numbered)."""
    fitting = []
    for st in statements:
        fitting += _split(st)
    chunks: list[list[dict]] = [[]]
    for st in fitting:
        if chunks[-1] and policies.size(policies.document(chunks[-1] + [st])) > policies.MAX_MANAGED_POLICY_CHARS:
            chunks.append([])
        chunks[-1].append(st)
    return chunks


def _split(st: dict) -> list[dict]:
    if policies.size(policies.document([st])) <= policies.MAX_MANAGED_POLICY_CHARS or len(st.get("Resource", [])) < 2:
        return [st]
    half = len(st["Resource"]) // 2
    parts = _split({**st, "Resource": st["Resource"][:half]}) + _split({**st, "Resource": st["Resource"][half:]})
    if "Sid" in st:
        parts = [{**p, "Sid": f"{st['Sid']}{i + 1}"} if p.get("Sid") == st["Sid"] else p for i, p in enumerate(parts)]
    return parts
