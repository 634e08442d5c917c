"""The awsconfig backend: each user's AWS CLI profiles, for `~/.aws/config`.

    user alice -> OUT/aws-config/alice.ini
        [profile acme]                 the user's own access key (in ~/.aws/credentials)
        [profile acme-dev]             role_arn, source_profile = acme, mfa_serial, region, role_session_name

Written for users who have an access key, or may make one (AccessKeys).
`mfa_serial` is `arn:aws:iam::<master>:mfa/<username>`: it works when the MFA
device is given the user's name, which the onboarding sheet asks for.
"""

from __future__ import annotations

import re

from iamc import hookimpl
from iamc.hookspecs import Backend, Finding
from iamc.output import OutputFile
from iamc.plan_model import Plan

from . import profiles

NAME = "awsconfig"
FOLDER = "aws-config"


@hookimpl
def iamc_declare_backend() -> Backend:
    return Backend(NAME, "AWS CLI profiles (~/.aws/config), one file per user", emit)


@hookimpl
def iamc_verify_files(plan: Plan, files: list[OutputFile]) -> list[Finding]:
    from .profiles_check import check_awsconfig

    return check_awsconfig(plan, [f for f in files if f.backend == NAME])


def path(key: str) -> str:
    return f"{FOLDER}/{key}.ini"


def slug(text: str) -> str:
    """A profile name from a display name: lower case, letters, digits and `-`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "aws"


def users(plan: Plan):
    for user in profiles.users_with_roles(plan):
        own = any(
            g.permission.type == "AccessKeys"
            for u in plan.users
            if u.key == user.key
            for gs in u.grants.values()
            for g in gs
        )
        if any(k.active for k in user.access_keys) or own:
            yield user


def values(plan: Plan, user) -> dict:
    source = slug(profiles.organization(plan))
    items = [
        {
            "name": f"{source}-{e.account.name}",
            "role_arn": plan.roles[(user.key, e.account.name)].arn,
            "region": e.region or plan.region,
        }
        for e in profiles.user_accounts(plan, user.key)
    ]
    return {
        "username": user.username,
        # STS wants a session name of 2 to 64 characters; IAM allows a user name of one
        "session_name": user.username if len(user.username) >= 2 else f"{user.username}-cli",
        "source": source,
        "first": items[0]["name"],
        "home_region": profiles.region(plan, plan.master) or plan.region,
        "mfa_serial": f"arn:{plan.partition}:iam::{plan.master.account_id}:mfa/{user.username}",
        "profiles": items,
    }


def emit(plan: Plan, options) -> list[OutputFile]:
    return [
        OutputFile(
            path(u.key),
            profiles.render("awsconfig/config.ini.j2", **values(plan, u)),
            NAME,
            user=u.key,
            sources=("accounts/", "resource/iam.yaml"),
        )
        for u in users(plan)
    ]
