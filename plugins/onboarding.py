"""The onboarding backend: one Markdown sheet per person, for their first day.

user alice -> OUT/onboarding/alice.md: the sign-in page and account id, where the initial
password comes from (Secrets Manager, through an administrator), the first password change,
MFA (and signing in again), then a table of their accounts with a switch-role link each and
what they may do there, and how to install their switch-role file.
"""

from __future__ import annotations

from urllib.parse import quote

from iamc import hookimpl, policies
from iamc.hookspecs import Backend, Problem
from iamc.output import OutputFile
from iamc.plan_model import Plan
from iamc.resolve import Grant

from . import awsconfig, profiles, switchroles

NAME = "onboarding"


@hookimpl
def iamc_declare_backend() -> Backend:
    return Backend(NAME, "a Markdown onboarding sheet per user", emit, check=check)


def path(key: str) -> str:
    return f"{NAME}/{key}.md"


def describe(grant: Grant) -> str:
    """What a grant lets its user do, in a few words."""
    perm = grant.permission
    kind = perm.type
    if kind == "Administrator":
        return "read everything (ReadOnlyAccess)" if perm.read_only else "administer everything (AdministratorAccess)"
    if kind == "CustomPolicy":
        parts = list(perm.managed_policies) + [a.rsplit("/", 1)[-1] for a in perm.managed_policy_arns]
        parts += [p.name for p in perm.policies]
        return f"{perm.key}: " + ", ".join(parts) if parts else perm.key
    names = ", ".join(dict.fromkeys(r.name for r in grant.resources))
    if kind == "CodeCommit":
        return f"CodeCommit: {names}"
    if kind == "DeploymentPipelines":
        return f"pipelines: {names}"
    if kind == "CodeBuild":
        return f"CodeBuild: {names}"
    if kind == "SystemsManagerSession":
        return f"Session Manager on {names}"
    return kind


def users(plan: Plan):
    for stack in plan.stacks:
        for user in stack.users:
            if user.enabled:
                yield stack.account, user


def values(plan: Plan, home, user, cli_users: set[str]) -> dict:
    org = profiles.organization(plan)
    entries = []
    for e in profiles.user_accounts(plan, user.key):
        display = f"{org} {e.title}"
        link = f"{e.signin_url}&displayName={quote(display, safe='')}"
        what = "; ".join(describe(g) for g in e.grants if g.scope == "delegate") or "nothing yet"
        entries.append({"title": e.title, "account_id": e.account.account_id, "link": link, "grants": what})
    access = plan.access_of[user.key]
    return {
        "org": org,
        "name": user.username,
        "username": user.username,
        "account_id": home.account_id,
        "alias": profiles.alias(plan, home),
        "signin_page": policies.console_url(plan.partition, home.account_id),
        "console": user.login_profile is not None,
        "password_secret": user.login_profile.secret_name if user.login_profile else "",
        "keys": [{"number": k.number, "serial": k.serial, "secret": k.secret_name} for k in user.access_keys],
        "role": entries and plan.roles[(user.key, next(iter(access.accounts)))].name,
        "entries": entries,
        # the files the switchroles and awsconfig backends make for this person
        "switchroles": switchroles.path(user.key) if entries else "",
        "cli": awsconfig.path(user.key) if user.key in cli_users else "",
    }


def emit(plan: Plan, options) -> list[OutputFile]:
    cli_users = {u.key for u in awsconfig.users(plan)}
    return [
        OutputFile(
            path(u.key),
            profiles.render("onboarding/user.md.j2", **values(plan, home, u, cli_users)),
            NAME,
            user=u.key,
            sources=("accounts/", "resource/iam.yaml"),
        )
        for home, u in users(plan)
    ]


def check(plan: Plan, options) -> list[Problem]:
    found = [
        profiles.refusal(
            profiles.markdown,
            profiles.organization(plan),
            "the organisation's name",
            profiles.organization_loc(plan),
            "Markdown",
        )
    ]
    for account in plan.project.accounts:
        if account.title:
            found.append(
                profiles.refusal(
                    profiles.markdown, account.title, "the account title", profiles.title_loc(account), "Markdown"
                )
            )
    return [p for p in found if p is not None]
