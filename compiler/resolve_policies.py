"""Resolution inside CustomPolicy statements, and the checks that need to know
where a policy lands.

    resource: ['paco.ref accounts.prod.id']       -> ('333333333333',)  with E212: not an ARN
    condition on aws:username, in a delegate role -> W301: never matches in an assumed-role session
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from . import names
from .diagnostics import Label
from .ir import CustomPolicy, Policy, Ref, Statement, User
from .schema import did_you_mean
from .tree import Loc

if TYPE_CHECKING:
    from .resolve import Grant


class PolicyResolution:
    """Part of the resolver: needs its `diags`, `accounts` and `account_name`."""

    def value_ref(self, ref: Ref) -> str | None:
        """A reference inside a policy: `paco.ref accounts.<name>.id|name|region` becomes that text."""
        if ref.root != "accounts" or len(ref.parts) < 2:
            self.diags.add(
                "E303",
                f"iamc resolves only `paco.ref accounts.<name>.<id|name|region>` in policies, not `{ref.text}`",
                ref.loc,
                label="cannot be resolved",
            )
            return None
        name = self.account_name(ref.parts[1], ref.part_loc(1))
        if name is None:
            return None
        account = self.accounts[name]
        if len(ref.parts) != 3 or ref.parts[2] not in ("id", "name", "region"):
            self.diags.add(
                "E303",
                "a reference in a policy must name an attribute of the account",
                ref.part_loc(2) if len(ref.parts) > 2 else ref.loc,
                label="expected `.id`, `.name` or `.region`",
                help=(did_you_mean(ref.parts[2], ("id", "name", "region")) if len(ref.parts) == 3 else "")
                or f"e.g. `paco.ref accounts.{name}.id` for {account.account_id}",
            )
            return None
        return {"id": account.account_id, "name": account.name, "region": account.region}[ref.parts[2]]

    def policy(self, policy: Policy) -> Policy:
        return dataclasses.replace(policy, statements=tuple(self.statement(s) for s in policy.statements))

    def statement(self, s: Statement) -> Statement:
        def values(items, resource: bool):
            out = []
            for v in items:
                if isinstance(v, Ref):
                    text = self.value_ref(v)
                    if text is None:
                        continue
                    if resource and text != "*" and not text.startswith("arn:"):
                        self.diags.add(
                            "E212",
                            f"`{v.text}` is `{text}`, which is neither `*` nor an ARN",
                            v.loc,
                            label="not a resource",
                            help="a resource is an ARN; build one around the id, e.g. "
                            "`arn:aws:s3:::bucket-<id>/*`, in the policy text",
                        )
                        continue
                    out.append(text)
                else:
                    out.append(v)
            return tuple(out)

        conditions = tuple(dataclasses.replace(c, values=values(c.values, False)) for c in s.conditions)
        return dataclasses.replace(
            s, resource=values(s.resource, True), not_resource=values(s.not_resource, True), conditions=conditions
        )

    def check_policy_ids(self, user: User, grants: dict[str, list[Grant]]) -> None:
        """Two custom policies that land in one delegate stack must not share a logical ID."""
        for account, gs in sorted(grants.items()):
            seen: dict[str, Policy] = {}
            for g in gs:
                if not isinstance(g.permission, CustomPolicy):
                    continue
                for pol in g.permission.policies:
                    lid = names.custom_policy_logical_id(pol.name)
                    first = seen.get(lid)
                    if first is not None and first is not pol and first.loc != pol.loc:
                        both = (
                            f"two policies named `{pol.name}`"
                            if first.name == pol.name
                            else f"policies `{first.name}` and `{pol.name}`"
                        )
                        self.diags.add(
                            "E307",
                            f"{both} both become `{lid}` in the delegate stack of user `{user.key}` in `{account}`",
                            pol.loc.child("name"),
                            related=[Label(first.loc.child("name"), "the other policy")],
                            help="rename one of the two policies",
                        )
                    seen.setdefault(lid, pol)

    def check_username_conditions(self, user: User, grants: dict[str, list[Grant]]) -> None:
        """aws:username is absent in assumed-role sessions: in a delegate role's policy it never matches."""
        reported: set[Loc] = set()
        for gs in grants.values():
            for g in gs:
                if not isinstance(g.permission, CustomPolicy):
                    continue
                for pol in g.permission.policies:
                    for st in pol.statements:
                        for c in st.conditions:
                            if c.key.lower() == "aws:username" and c.loc not in reported:
                                reported.add(c.loc)
                                self.diags.add(
                                    "W301",
                                    "`aws:username` is absent when a role is assumed, so this condition never matches",
                                    c.loc.as_key(),
                                    label="always false in a delegate role",
                                    notes=[f"this policy is attached to user `{user.key}`'s delegate role"],
                                    help="compare `aws:userid` instead, which in a role session is "
                                    "`<role id>:<session name>`, or drop the condition",
                                )
                        for field in ("resource", "not_resource"):
                            for i, v in enumerate(getattr(st, field)):
                                loc = st.loc.child(field, i)
                                if isinstance(v, str) and "${aws:username}" in v.lower() and loc not in reported:
                                    reported.add(loc)
                                    self.diags.add(
                                        "W301",
                                        "`${aws:username}` is undefined when a role is assumed, so this "
                                        "resource never matches",
                                        loc,
                                        label="never matches in a delegate role",
                                        help="name the resource outright, or use `${aws:userid}`",
                                    )
