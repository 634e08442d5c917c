"""Stage 2, lower: located trees become the IR, with every schema rule checked.

    users: {bob: {account: paco.ref accounts.master, account_whitelist: 'dev, test', ...}}
      -> User(key="bob", username="bob", account=Ref(("accounts", "master")),
              account_whitelist=AccountList(all=False, entries=(("dev", 0), ("test", 1))), ...)

Unknown keys, types and enumerations are the schema's (schema.py,
language.py); IAM's own rules are checked here: user and role names, account
ids, one master account, policy statements IAM would reject, and names that
two user keys would share once Paco's rules have sanitised them. Every
problem is reported; references and account names are left to resolve.
"""

from __future__ import annotations

from . import language as L
from . import names, vocabulary
from .diagnostics import Diagnostics, Label
from .ir import Account, AccountList, Project, ProgrammaticAccess, User
from .load import Sources
from .lower_permissions import lower_permissions, managed_policy_names
from .lower_settings import lower_repositories, lower_settings
from .refs import field_account_list, field_ref
from .schema import did_you_mean, read
from .tree import Document, Loc, Map, Scalar, describe


def lower(sources: Sources) -> tuple[Project, Diagnostics]:
    """Build the IR of the whole project."""
    diags = Diagnostics()
    name, title = _project(sources.project, diags)
    accounts = tuple(_account(acc, doc, diags) for acc, doc in sorted(sources.accounts.items()))
    accounts = tuple(a for a in accounts if a is not None)
    _check_accounts(accounts, sources, diags)
    users = _users(sources.iam, diags)
    repositories = lower_repositories(sources.codecommit, diags)
    settings = lower_settings(sources.settings, diags)
    return Project(sources.root, name, title, accounts, users, repositories, settings), diags


# project.yaml and accounts/


def _project(doc: Document | None, diags: Diagnostics) -> tuple[str | None, str | None]:
    if doc is None or doc.root is None:
        return None, None
    if not isinstance(doc.root, Map):
        diags.add("E202", f"expected a mapping in {doc.file}, found {describe(doc.root)}", Loc(doc.file))
        return None, None
    out = []
    for field in ("name", "title"):  # the rest of project.yaml is Paco's alone
        node = doc.root.get(field)
        if node is None or (isinstance(node, Scalar) and node.value is None):
            out.append(None)
        elif isinstance(node, Scalar) and isinstance(node.value, str):
            out.append(node.value)
        else:
            diags.add("E202", f"expected a string, found {describe(node)}", Loc(doc.file, (field,)))
            out.append(None)
    return out[0], out[1]


def _account(name: str, doc: Document, diags: Diagnostics) -> Account | None:
    loc = Loc(doc.file)
    if not vocabulary.ACCOUNT_NAME.fullmatch(name) or name == "all":
        reason = (
            "`all` means every account in account lists"
            if name == "all"
            else "account names may hold only letters, digits, `-` and `_`, and start with a letter or digit"
        )
        diags.add(
            "E203",
            f"`{name}` cannot be an account name: {reason}",
            loc,
            help="rename the file; the file name is the account's name in account lists and paco.refs",
        )
    if doc.root is None:
        return None
    rec = read(L.ACCOUNT, doc.root, loc, diags)
    if rec is None:
        return None
    region = rec.get("region")
    role = rec.get("admin_delegate_role_name")
    if role is not None:
        _check_iam_name(role, "role name", names.MAX_ROLE_NAME, rec.at("admin_delegate_role_name"), diags)
    explicit_master = rec.get("is_master") if rec.has("is_master") else None
    is_master = explicit_master is True or (name == "master" and explicit_master is None)
    org_ids = tuple(v for v, _ in rec.get("organization_account_ids") or [])
    return Account(
        name=name,
        title=rec.get("title"),
        display_name=rec.get("name"),
        account_id=rec.get("account_id") or "",
        region=region or "",
        is_master=is_master,
        account_type=rec.get("account_type"),
        admin_delegate_role_name=role or L.DEFAULT_ADMIN_DELEGATE_ROLE,
        root_email=rec.get("root_email"),
        organization_account_ids=org_ids,
        loc=loc,
    )


def _check_accounts(accounts: tuple[Account, ...], sources: Sources, diags: Diagnostics) -> None:
    by_id: dict[str, Account] = {}
    for a in accounts:
        if not a.account_id:
            continue
        if a.account_id in by_id:
            first = by_id[a.account_id]
            diags.add(
                "E208",
                f"accounts `{first.name}` and `{a.name}` have the same account id {a.account_id}",
                a.loc.child("account_id"),
                label="second account with this id",
                related=[Label(first.loc.child("account_id"), f"`{first.name}` has it too")],
                help="each accounts/<name>.yaml describes a different AWS account",
            )
        else:
            by_id[a.account_id] = a
    masters = [a for a in accounts if a.is_master]
    if not masters and accounts:
        diags.add(
            "E209",
            "no account is the master account",
            Loc("accounts"),
            help="set `is_master: true` in the account that holds the IAM users (or name its file master.yaml)",
        )
    for extra in masters[1:]:
        where = extra.loc.child("is_master") if _has_key(sources.accounts.get(extra.name), "is_master") else extra.loc
        diags.add(
            "E209",
            f"`{masters[0].name}` and `{extra.name}` are both master accounts",
            where,
            label="second master account",
            related=[
                Label(
                    masters[0].loc.child("is_master")
                    if _has_key(sources.accounts.get(masters[0].name), "is_master")
                    else masters[0].loc,
                    "first master account",
                )
            ],
            help="exactly one account holds the IAM users; set `is_master: false` in the other",
        )
    known = {a.name for a in accounts}
    ids = {a.account_id for a in accounts}
    for a in accounts:
        for i, entry in enumerate(a.organization_account_ids):
            if entry.isdigit():
                if len(entry) != 12:
                    diags.add(
                        "E206",
                        f"account id `{entry}` is not exactly 12 digits",
                        a.loc.child("organization_account_ids", i),
                    )
                continue
            if entry not in known and entry not in ids:
                diags.add(
                    "E301",
                    f"no account named `{entry}`",
                    a.loc.child("organization_account_ids", i),
                    label="unknown account",
                    help=did_you_mean(entry, known) or f"the accounts are: {', '.join(sorted(known))}",
                )


def _has_key(doc: Document | None, key: str) -> bool:
    return doc is not None and isinstance(doc.root, Map) and doc.root.get(key) is not None


# resource/iam.yaml


def _users(doc: Document | None, diags: Diagnostics) -> tuple[User, ...]:
    if doc is None or doc.root is None:
        return ()
    file_rec = read(L.IAM_FILE, doc.root, Loc(doc.file), diags)
    if file_rec is None:
        return ()
    users_node = file_rec.get("users")
    loc = Loc(doc.file, ("users",))
    if users_node is None:
        diags.add(
            "W302",
            "resource/iam.yaml defines no users",
            Loc(doc.file),
            help="add a `users:` mapping; see the README for a complete example",
        )
        return ()
    if not isinstance(users_node, Map):
        diags.add("E202", f"expected a mapping of users, found {describe(users_node)}", loc)
        return ()
    users = []
    for key, node in users_node.items():
        u = _user(key.value, node, loc.child(key.value), diags)
        if u is not None:
            users.append(u)
    _check_user_names(users, diags)
    return tuple(users)


def _user(key: str, node, loc: Loc, diags: Diagnostics) -> User | None:
    rec = read(L.USER, node, loc, diags)
    if rec is None:
        return None
    if not rec.has("enabled"):
        diags.add(
            "W202",
            f"user `{key}` has no `enabled:`, so it is disabled",
            loc.as_key(),
            label="disabled",
            help="Paco treats a user without `enabled: true` as disabled; "
            "say `enabled: false` to make that explicit, or `enabled: true`",
        )
    username = rec.get("username") or key
    _check_iam_name(
        username,
        "IAM user name",
        names.MAX_USER_NAME,
        rec.at("username") if rec.has("username") else loc.as_key(),
        diags,
    )
    if not names.iam_name_part(key):
        diags.add(
            "E205",
            f"user key `{key}` has no character that IAM names can hold",
            loc.as_key(),
            help="the key names the user's roles, policies and stacks: use letters, digits and +=,.@_-",
        )
    elif len(names.role_name(key)) > names.MAX_ROLE_NAME:
        room = names.MAX_ROLE_NAME - len(names.ROLE_PREFIX)
        diags.add(
            "E205",
            f"delegate role name `{names.role_name(key)}` is longer than {names.MAX_ROLE_NAME} characters",
            loc.as_key(),
            label=f"keys of more than {room} characters make role names too long",
            help="shorten the key; `username:` can still give the IAM user a longer name",
        )
    account = field_ref(rec, "account", diags, expect="accounts")
    pa_rec = rec.get("programmatic_access")
    pa = None
    if pa_rec is not None:
        pa = ProgrammaticAccess(
            pa_rec.get("enabled"),
            pa_rec.get("access_key_1_version"),
            pa_rec.get("access_key_2_version"),
            pa_rec.get("externally_managed"),
            pa_rec.loc,
        )
    whitelist = field_account_list(rec, "account_whitelist", diags) or AccountList(
        False, (), rec.at("account_whitelist")
    )
    permissions = lower_permissions(rec.get("permissions"), rec.at("permissions"), diags)
    managed = managed_policy_names(rec.get("managed_policies"), diags)
    return User(
        key=key,
        username=username,
        enabled=rec.get("enabled") is True,
        account=account,
        title=rec.get("title"),
        description=rec.get("description"),
        console_access_enabled=rec.get("console_access_enabled"),
        programmatic_access=pa,
        account_whitelist=whitelist,
        permissions=permissions,
        disable_account_delegates=rec.get("disable_account_delegates"),
        managed_policies=managed,
        loc=loc,
    )


def _check_iam_name(value: str, what: str, limit: int, loc: Loc, diags: Diagnostics) -> None:
    if not value:
        diags.add("E205", f"the {what} is empty", loc)
    elif not names.IAM_NAME_CHARS.fullmatch(value):
        bad = sorted({c for c in value if not names.IAM_NAME_CHARS.fullmatch(c)})
        diags.add(
            "E205",
            f"{what} `{value}` holds {', '.join(repr(c) for c in bad)}, which IAM does not allow",
            loc,
            label="invalid characters",
            help="IAM names hold letters, digits and + = , . @ _ -",
        )
    elif len(value) > limit:
        diags.add(
            "E205", f"{what} `{value}` is {len(value)} characters long; IAM allows {limit}", loc, label="too long"
        )


def _check_user_names(users: list[User], diags: Diagnostics) -> None:
    by_name: dict[str, User] = {}
    for u in users:
        folded = u.username.lower()
        if folded in by_name:
            first = by_name[folded]
            diags.add(
                "E210",
                f"users `{first.key}` and `{u.key}` have IAM user names that differ only in case "
                f"(`{first.username}`, `{u.username}`)",
                _username_loc(u),
                related=[Label(_username_loc(first), "first user with this name")],
                help="IAM user names are unique without regard to case; rename one",
            )
        else:
            by_name[folded] = u
    clashes: dict[tuple[int, int], list[str]] = {}
    for form, make, fold in names.KEY_FORMS:
        seen: dict[str, int] = {}
        for i, u in enumerate(users):
            made = make(u.key)
            for value in (made,) if isinstance(made, str) else made:
                probe = value.lower() if fold else value
                if probe in seen and seen[probe] != i:
                    found = clashes.setdefault((seen[probe], i), [])
                    if not any(f.startswith(form + " ") for f in found):  # one name of each form is enough
                        found.append(f"{form} `{value}`")
                else:
                    seen[probe] = i
    for (i, j), forms in sorted(clashes.items()):
        first, u = users[i], users[j]
        what = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " and " + forms[-1]
        diags.add(
            "E211",
            f"user keys `{first.key}` and `{u.key}` give the same {what}",
            u.loc.as_key(),
            label="collides",
            related=[Label(first.loc.as_key(), "with this key")],
            help="rename one key; Paco derives these names from the key, with punctuation removed",
        )


def _username_loc(u: User) -> Loc:
    return u.loc.child("username")
