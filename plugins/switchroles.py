"""The switchroles backend: each user's "AWS Extend Switch Roles" configuration.

    user alice, whitelist all -> OUT/switchroles/alice.ini
        [profile Acme Master]
        aws_account_id = 111111111111
        role_name = IAM-User-Account-Delegate-Role-alice
        color = 000000

One `[profile <Org> <Account>]` per account the user may enter, in the
order master, `organization_account_ids`, the rest by name. The `compact`
option writes a base profile for the master account and targets that
inherit `target_role_name` through `source_profile`.
"""

from __future__ import annotations

from iamc import hookimpl
from iamc.hookspecs import Backend, Finding, Problem
from iamc.output import OutputFile
from iamc.plan_model import Plan
from iamc.schema import Bool, Field, Schema

from . import profiles

NAME = "switchroles"
SYNC_LIMIT = 21_600  # compressed characters the extension keeps in the browser's Sync storage, about

OPTIONS = Schema("switchroles options", {"compact": Field(Bool(), default=False)})


@hookimpl
def iamc_declare_backend() -> Backend:
    return Backend(NAME, '"AWS Extend Switch Roles" profiles, one file per user', emit, OPTIONS, check=check)


@hookimpl
def iamc_verify_files(plan: Plan, files: list[OutputFile]) -> list[Finding]:
    from .profiles_check import check_switchroles

    return check_switchroles(plan, [f for f in files if f.backend == NAME])


def path(key: str) -> str:
    return f"{NAME}/{key}.ini"


def _profiles(plan: Plan, key: str) -> list[dict]:
    org = profiles.organization(plan)
    return [
        {
            "name": f"{org} {e.title}",
            "account_id": e.account.account_id,
            "role": e.role,
            "color": e.color,
            "region": e.region,
            "entry": e,
        }
        for e in profiles.user_accounts(plan, key)
    ]


def _base(plan: Plan, user) -> dict:
    return {
        "name": profiles.organization(plan),
        "account_id": plan.master.account_id,
        "alias": profiles.alias(plan, plan.master),
        "role": profiles.role_name(plan, user.key),
    }


def text(plan: Plan, user, compact: bool) -> str:
    items = _profiles(plan, user.key)
    if compact:
        return profiles.render(
            "switchroles/compact.ini.j2", username=user.username, base=_base(plan, user), profiles=items
        )
    return profiles.render("switchroles/profiles.ini.j2", username=user.username, profiles=items)


def emit(plan: Plan, options) -> list[OutputFile]:
    compact = bool(options.get("compact"))
    return [
        OutputFile(path(u.key), text(plan, u, compact), NAME, user=u.key, sources=("accounts/", "resource/iam.yaml"))
        for u in profiles.users_with_roles(plan)
    ]


def check(plan: Plan, options) -> list[Problem]:
    """Names and values the extension would cut or refuse, two profiles of one name, a file too large."""
    compact = bool(options.get("compact"))
    users = list(profiles.users_with_roles(plan))
    keys = {u.key for u in users}
    entered = {a for k, a in plan.roles if k in keys}
    accounts = [a for a in profiles.account_order(plan) if a.name in entered]
    org, org_loc = profiles.organization(plan), profiles.organization_loc(plan)
    found = [
        profiles.refusal(
            profiles.ini_value if compact else profiles.ini_name,
            org,
            "the organisation's name",
            org_loc,
            "a switch-role profile",
        )
    ]
    titles: dict[str, object] = {}
    for account in accounts:
        title = account.title or account.name
        found.append(
            profiles.refusal(
                profiles.ini_name, title, "the account title", profiles.title_loc(account), "a switch-role profile name"
            )
        )
        if title in titles:
            found.append(
                Problem(
                    f"accounts `{titles[title].name}` and `{account.name}` both give the switch-role profile "
                    f"`{org} {title}`",
                    profiles.title_loc(account),
                    "the extension keeps one of two profiles of one name: give the accounts different titles",
                    "E507",
                    label="same title",
                )
            )
        titles.setdefault(title, account)
    if compact:
        for _, value, loc in plan.project.settings.account_aliases:
            found.append(profiles.refusal(profiles.ini_value, value, "the alias", loc.child("alias"), "a profile"))
    for user in users:
        role = profiles.role_name(plan, user.key)
        found.append(profiles.refusal(profiles.ini_value, role, "the role name", user.loc.as_key(), "a profile"))
    problems = [p for p in found if p is not None]
    if problems:
        return problems
    for user in users:
        size = profiles.lz_utf16_length(text(plan, user, compact))
        if size > SYNC_LIMIT:
            problems.append(
                Problem(
                    f"the switch-role configuration of user `{user.key}` compresses to {size:,} characters; "
                    f"the extension's Sync storage holds about {SYNC_LIMIT:,}",
                    user.loc.as_key(),
                    "use the `compact` option of the switchroles backend, or keep the configuration in the "
                    "extension's local storage (it does not sync then)",
                    "W502",
                )
            )
    return problems
