"""What each permission type grants on a delegate role: managed policy ARNs
and policies of iamc's own, built from the access matrix.

    Grant(Administrator(read_only=True), "dev")  -> attached: arn:aws:iam::aws:policy/ReadOnlyAccess
    Grant(CustomPolicy(policies=[CloudWatchLogs]), "test")
        -> policies: ManagedPolicy("CustomPolicyCloudWatchLogs", document={...})

IAM's limits on a role are checked here, at the YAML that passes them:
ten managed policies per role, 6,144 characters per policy document.
"""

from __future__ import annotations

from .diagnostics import Diagnostics
from .ir import AccessKeys, Administrator, CustomPolicy
from . import names, policies
from .plan_model import AttachedPolicy, ManagedPolicy
from .resolve import Grant

MAX_MANAGED_POLICIES_PER_ROLE = 10


class RoleGrants:
    """Collects the managed policies of one delegate role, in permission order, without repeats."""

    def __init__(self, partition: str, user_key: str, account: str, diags: Diagnostics):
        self.partition, self.user_key, self.account, self.diags = partition, user_key, account, diags
        self.attached: list[AttachedPolicy] = []
        self.policies: list[ManagedPolicy] = []

    def add(self, grant: Grant) -> None:
        perm = grant.permission
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
                notes=[f"it is attached to the delegate role of user `{self.user_key}` in `{self.account}`"],
                help="split its statements over two policies, or use wildcards in actions and resources",
            )
        self.policies.append(ManagedPolicy(logical_id, None, document, loc))
        self._check_count(loc)

    def _check_count(self, loc) -> None:
        count = len(self.attached) + len(self.policies)
        if count == MAX_MANAGED_POLICIES_PER_ROLE + 1:
            self.diags.add(
                "E402",
                f"the delegate role of user `{self.user_key}` in `{self.account}` would have more than "
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
