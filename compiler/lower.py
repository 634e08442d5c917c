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

import base64
import binascii

from . import language as L
from . import names, vocabulary
from .diagnostics import Diagnostics, Label
from .ir import (AccessKeys, Account, AccountList, Administrator, CodeBuild, CodeBuildGrant, CodeCommit, Condition,
                 CustomPolicy, DeploymentPipelines, ExternalResource, PipelineGrant, Policy, ProgrammaticAccess, Project, Ref,
                 Repository, RepositoryGrant, Settings, Statement, SystemsManagerSession, Target, User)
from .load import Sources
from .schema import Record, did_you_mean, read, suggest
from .tree import Document, Item, Loc, Map, Scalar, Seq, comma_item_bounds, describe

REF_PREFIX = "paco.ref "


def lower(sources: Sources) -> tuple[Project, Diagnostics]:
    """Build the IR of the whole project."""
    diags = Diagnostics()
    name, title = _project(sources.project, diags)
    accounts = tuple(_account(acc, doc, diags) for acc, doc in sorted(sources.accounts.items()))
    accounts = tuple(a for a in accounts if a is not None)
    _check_accounts(accounts, sources, diags)
    users = _users(sources.iam, diags)
    repositories = _repositories(sources.codecommit, diags)
    settings = _settings(sources.settings, diags)
    return Project(sources.root, name, title, accounts, users, repositories, settings), diags


# project.yaml and accounts/


def _project(doc: Document | None, diags: Diagnostics) -> tuple[str | None, str | None]:
    if doc is None or doc.root is None:
        return None, None
    if not isinstance(doc.root, Map):
        diags.add("E202", f"expected a mapping in {doc.file}, found {describe(doc.root)}", Loc(doc.file))
        return None, None
    out = []
    for field in ("name", "title"):   # the rest of project.yaml is Paco's alone
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
        reason = "`all` means every account in account lists" if name == "all" else \
            "account names may hold only letters, digits, `-` and `_`, and start with a letter or digit"
        diags.add("E203", f"`{name}` cannot be an account name: {reason}", loc,
                  help="rename the file; the file name is the account's name in account lists and paco.refs")
    if doc.root is None:
        return None
    rec = read(L.ACCOUNT, doc.root, loc, diags)
    if rec is None:
        return None
    region = rec.get("region")
    if region is not None and region not in vocabulary.AWS_REGIONS:
        diags.add("E203", f"`{region}` is not an AWS region", rec.at("region"), label="unknown region",
                  help=did_you_mean(region, vocabulary.AWS_REGIONS))
    role = rec.get("admin_delegate_role_name")
    if role is not None:
        _check_iam_name(role, "role name", names.MAX_ROLE_NAME, rec.at("admin_delegate_role_name"), diags)
    explicit_master = rec.get("is_master") if rec.has("is_master") else None
    is_master = explicit_master is True or (name == "master" and explicit_master is None)
    org_ids = tuple(v for v, _ in rec.get("organization_account_ids") or [])
    return Account(name=name, title=rec.get("title"), display_name=rec.get("name"),
                   account_id=rec.get("account_id") or "", region=region or "",
                   is_master=is_master, account_type=rec.get("account_type"),
                   admin_delegate_role_name=role or L.DEFAULT_ADMIN_DELEGATE_ROLE,
                   root_email=rec.get("root_email"), organization_account_ids=org_ids, loc=loc)


def _check_accounts(accounts: tuple[Account, ...], sources: Sources, diags: Diagnostics) -> None:
    by_id: dict[str, Account] = {}
    for a in accounts:
        if not a.account_id:
            continue
        if a.account_id in by_id:
            first = by_id[a.account_id]
            diags.add("E208", f"accounts `{first.name}` and `{a.name}` have the same account id {a.account_id}",
                      a.loc.child("account_id"), label="second account with this id",
                      related=[Label(first.loc.child("account_id"), f"`{first.name}` has it too")],
                      help="each accounts/<name>.yaml describes a different AWS account")
        else:
            by_id[a.account_id] = a
    masters = [a for a in accounts if a.is_master]
    if not masters and accounts:
        diags.add("E209", "no account is the master account", Loc("accounts"),
                  help="set `is_master: true` in the account that holds the IAM users (or name its file master.yaml)")
    for extra in masters[1:]:
        where = extra.loc.child("is_master") if _has_key(sources.accounts.get(extra.name), "is_master") else extra.loc
        diags.add("E209", f"`{masters[0].name}` and `{extra.name}` are both master accounts", where,
                  label="second master account",
                  related=[Label(masters[0].loc.child("is_master") if _has_key(
                      sources.accounts.get(masters[0].name), "is_master") else masters[0].loc, "first master account")],
                  help="exactly one account holds the IAM users; set `is_master: false` in the other")
    known = {a.name for a in accounts}
    ids = {a.account_id for a in accounts}
    for a in accounts:
        for i, entry in enumerate(a.organization_account_ids):
            if entry.isdigit():
                if len(entry) != 12:
                    diags.add("E206", f"account id `{entry}` is not exactly 12 digits",
                              a.loc.child("organization_account_ids", i))
                continue
            if entry not in known and entry not in ids:
                diags.add("E301", f"no account named `{entry}`", a.loc.child("organization_account_ids", i),
                          label="unknown account", help=did_you_mean(entry, known) or
                          f"the accounts are: {', '.join(sorted(known))}")


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
        diags.add("W302", "resource/iam.yaml defines no users", Loc(doc.file),
                  help="add a `users:` mapping; see the README for a complete example")
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
        diags.add("W202", f"user `{key}` has no `enabled:`, so it is disabled", loc.as_key(),
                  label="disabled", help="Paco treats a user without `enabled: true` as disabled; "
                                         "say `enabled: false` to make that explicit, or `enabled: true`")
    username = rec.get("username") or key
    _check_iam_name(username, "IAM user name", names.MAX_USER_NAME,
                    rec.at("username") if rec.has("username") else loc.as_key(), diags)
    if not names.iam_name_part(key):
        diags.add("E205", f"user key `{key}` has no character that IAM names can hold", loc.as_key(),
                  help="the key names the user's roles, policies and stacks: use letters, digits and +=,.@_-")
    elif len(names.role_name(key)) > names.MAX_ROLE_NAME:
        room = names.MAX_ROLE_NAME - len(names.ROLE_PREFIX)
        diags.add("E205", f"delegate role name `{names.role_name(key)}` is longer than {names.MAX_ROLE_NAME} characters",
                  loc.as_key(), label=f"keys of more than {room} characters make role names too long",
                  help="shorten the key; `username:` can still give the IAM user a longer name")
    account = _ref(rec, "account", diags, expect="accounts")
    pa_rec = rec.get("programmatic_access")
    pa = None
    if pa_rec is not None:
        pa = ProgrammaticAccess(pa_rec.get("enabled"), pa_rec.get("access_key_1_version"),
                                pa_rec.get("access_key_2_version"), pa_rec.get("externally_managed"), pa_rec.loc)
    whitelist = _account_list(rec, "account_whitelist", diags) or AccountList(False, (), rec.at("account_whitelist"))
    permissions = _permissions(rec.get("permissions"), rec.at("permissions"), diags)
    managed = _managed_policy_names(rec.get("managed_policies"), diags)
    return User(key=key, username=username, enabled=rec.get("enabled") is True, account=account,
                title=rec.get("title"), description=rec.get("description"),
                console_access_enabled=rec.get("console_access_enabled"), programmatic_access=pa,
                account_whitelist=whitelist, permissions=permissions,
                disable_account_delegates=rec.get("disable_account_delegates"), managed_policies=managed, loc=loc)


def _check_iam_name(value: str, what: str, limit: int, loc: Loc, diags: Diagnostics) -> None:
    if not value:
        diags.add("E205", f"the {what} is empty", loc)
    elif not names.IAM_NAME_CHARS.fullmatch(value):
        bad = sorted({c for c in value if not names.IAM_NAME_CHARS.fullmatch(c)})
        diags.add("E205", f"{what} `{value}` holds {', '.join(repr(c) for c in bad)}, which IAM does not allow",
                  loc, label="invalid characters", help="IAM names hold letters, digits and + = , . @ _ -")
    elif len(value) > limit:
        diags.add("E205", f"{what} `{value}` is {len(value)} characters long; IAM allows {limit}", loc,
                  label="too long")


def _check_user_names(users: list[User], diags: Diagnostics) -> None:
    by_name: dict[str, User] = {}
    for u in users:
        folded = u.username.lower()
        if folded in by_name:
            first = by_name[folded]
            diags.add("E210", f"users `{first.key}` and `{u.key}` have IAM user names that differ only in case "
                      f"(`{first.username}`, `{u.username}`)", _username_loc(u),
                      related=[Label(_username_loc(first), "first user with this name")],
                      help="IAM user names are unique without regard to case; rename one")
        else:
            by_name[folded] = u
    clashes: dict[tuple[int, int], list[str]] = {}
    for form, make, fold in names.KEY_FORMS:
        seen: dict[str, int] = {}
        for i, u in enumerate(users):
            value = make(u.key)
            probe = value.lower() if fold else value
            if probe in seen:
                clashes.setdefault((seen[probe], i), []).append(f"{form} `{value}`")
            else:
                seen[probe] = i
    for (i, j), forms in sorted(clashes.items()):
        first, u = users[i], users[j]
        what = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " and " + forms[-1]
        diags.add("E211", f"user keys `{first.key}` and `{u.key}` give the same {what}",
                  u.loc.as_key(), label="collides", related=[Label(first.loc.as_key(), "with this key")],
                  help="rename one key; Paco derives these names from the key, with punctuation removed")


def _username_loc(u: User) -> Loc:
    return u.loc.child("username")


def _ref(rec: Record, field: str, diags: Diagnostics, expect: str | None = None) -> Ref | None:
    value = rec.get(field)
    if value is None:
        return None
    return parse_ref(value, rec.at(field), diags, expect=expect)


def parse_ref(value: str, loc: Loc, diags: Diagnostics, expect: str | None = None) -> Ref | None:
    """`paco.ref accounts.dev` -> Ref(("accounts", "dev")), reporting malformed references."""
    if not value.startswith(REF_PREFIX):
        if expect == "accounts":
            diags.add("E203", f"expected a reference to an account, found `{value}`", loc,
                      label="not a paco.ref", help=f"write `paco.ref accounts.<name>`, e.g. `paco.ref accounts.{value}`"
                      if vocabulary.ACCOUNT_NAME.fullmatch(value) else "write `paco.ref accounts.<name>`")
        return None
    body_start = len(REF_PREFIX)
    while body_start < len(value) and value[body_start] == " ":
        body_start += 1
    body = value[body_start:].rstrip()
    parts = body.split(".")
    if not body or any(not p or " " in p for p in parts):
        diags.add("E303", f"malformed reference `{value}`", loc, label="not a paco.ref",
                  help="a reference is `paco.ref` and a dotted path, e.g. `paco.ref accounts.master`")
        return None
    offsets, pos = [], body_start
    for p in parts:
        offsets.append((pos, pos + len(p)))
        pos += len(p) + 1
    return Ref(value, tuple(parts), loc, tuple(offsets))


def _account_list(rec: Record, field: str, diags: Diagnostics) -> AccountList | None:
    value = rec.get(field)
    if value is None:
        return None
    return parse_account_list(value, rec.at(field), diags)


def parse_account_list(value: str, loc: Loc, diags: Diagnostics) -> AccountList:
    """Paco's comma list: `all`, or names with or without spaces after the commas."""
    entries: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    is_all = False
    items = [value[s:e] for s, e in comma_item_bounds(value)]
    for i, item in enumerate(items):
        if not item:
            diags.add("E203", "empty account name in the list" if len(items) > 1 else "the account list is empty",
                      loc.child(Item(i)), label="empty", help="remove the extra comma" if len(items) > 1 else
                      "name the accounts, comma-separated, or write `all`")
            continue
        if item == "all":
            is_all = True
            continue
        if item in seen:
            diags.add("W202", f"account `{item}` is listed twice", loc.child(Item(i)), label="repeated",
                      related=[Label(loc.child(Item(seen[item])), "first listed here")])
            continue
        seen[item] = i
        entries.append((item, i))
    if is_all and entries:
        diags.add("W202", "`all` already includes every account; the other names add nothing", loc,
                  help="write just `all`")
    return AccountList(is_all, tuple(entries), loc)


def _managed_policy_names(items, diags: Diagnostics) -> tuple[str, ...]:
    out = []
    for name, loc in items or []:
        if not vocabulary.MANAGED_POLICY_NAME.fullmatch(name):
            diags.add("E203", f"`{name}` is not the name of an AWS managed policy", loc,
                      help="give the policy's name as in its ARN after `policy/`, e.g. `ReadOnlyAccess`")
        else:
            out.append(name)
    return tuple(out)


# permissions


def _permissions(node, loc: Loc, diags: Diagnostics):
    if node is None:
        return ()
    if not isinstance(node, Map):
        diags.add("E202", f"expected a mapping of permissions, found {describe(node)}", loc)
        return ()
    out = []
    for key, pnode in node.items():
        p = _permission(key.value, pnode, loc.child(key.value), diags)
        if p is not None:
            out.append(p)
    return tuple(out)


def _permission(key: str, node, loc: Loc, diags: Diagnostics):
    if not isinstance(node, Map):
        diags.add("E202", f"expected a permission mapping, found {describe(node)}", loc)
        return None
    type_node = node.get("type")
    if not isinstance(type_node, Scalar) or not isinstance(type_node.value, str):
        read(L.PERMISSION_TYPE_ONLY, Map(node.span, [e for e in node.entries if e[0].value == "type"]), loc, diags)
        return None
    schema = L.PERMISSIONS.get(type_node.value)
    if schema is None:
        read(L.PERMISSION_TYPE_ONLY, Map(node.span, [e for e in node.entries if e[0].value == "type"]), loc, diags)
        return None
    rec = read(schema, node, loc, diags)
    common = dict(key=key, enabled=rec.get("enabled"), title=rec.get("title"), loc=loc)
    ptype = type_node.value
    if ptype == "Administrator":
        return Administrator(**common, accounts=_account_list(rec, "accounts", diags), read_only=rec.get("read_only"))
    if ptype == "CustomPolicy":
        arns = []
        for arn, aloc in rec.get("managed_policy_arns") or []:
            if vocabulary.MANAGED_POLICY_ARN.fullmatch(arn):
                arns.append(arn)
            else:
                diags.add("E203", f"`{arn}` is not a managed policy ARN", aloc,
                          help="write `arn:aws:iam::aws:policy/<name>` or `arn:aws:iam::<account id>:policy/<name>`")
        policies = tuple(p for p in (_policy(prec, diags) for _, prec in rec.get("policies") or []) if p)
        _check_policy_names(policies, diags)
        return CustomPolicy(**common, accounts=_account_list(rec, "accounts", diags),
                            managed_policies=_managed_policy_names(rec.get("managed_policies"), diags),
                            managed_policy_arns=tuple(arns), policies=policies)
    if ptype == "CodeCommit":
        repos = []
        for rloc, rrec in rec.get("repositories") or []:
            text = rrec.get("codecommit")
            if text is not None and not text.startswith(REF_PREFIX):
                diags.add("E203", f"expected `paco.ref resource.codecommit.<group>.<repository>`, found `{text}`",
                          rrec.at("codecommit"), label="not a paco.ref")
            ref = _ref(rrec, "codecommit", diags)
            if ref is None:
                continue
            if rrec.get("permission") is None and "permission" not in rrec.present:
                diags.add("W302", "repository permission has no `permission:`, so it grants nothing on the repository",
                          rloc, help="add `permission: ReadOnly` or `permission: ReadWrite`")
            repos.append(RepositoryGrant(ref, rrec.get("permission"), rrec.get("console_access_enabled"), rloc))
        return CodeCommit(**common, repositories=tuple(repos))
    if ptype == "CodeBuild":
        grants = []
        for gloc, grec in rec.get("resources") or []:
            target = _target(grec, "codebuild", diags)
            if target is not None:
                grants.append(CodeBuildGrant(target, grec.get("permission"), grec.get("console_access_enabled"), gloc))
        return CodeBuild(**common, resources=tuple(grants))
    if ptype == "DeploymentPipelines":
        grants = []
        for gloc, grec in rec.get("resources") or []:
            target = _target(grec, "pipeline", diags)
            perms = _pipeline_permissions(grec, diags)
            if target is not None and perms is not None:
                grants.append(PipelineGrant(target, perms, grec.get("console_access_enabled"), gloc))
        return DeploymentPipelines(**common, accounts=_account_list(rec, "accounts", diags), resources=tuple(grants))
    if ptype == "SystemsManagerSession":
        targets = []
        for text, tloc in rec.get("resources") or []:
            ref = parse_ref(text, tloc, diags) if text.startswith(REF_PREFIX) else None
            if ref is not None or not text.startswith(REF_PREFIX):
                targets.append(Target(ref, text, tloc))
        return SystemsManagerSession(**common, accounts=_account_list(rec, "accounts", diags), resources=tuple(targets))
    return AccessKeys(**common)


def _target(rec: Record, field: str, diags: Diagnostics) -> Target | None:
    text = rec.get(field)
    if text is None:
        return None
    if text.startswith(REF_PREFIX):
        ref = parse_ref(text, rec.at(field), diags)
        return Target(ref, text, rec.at(field)) if ref else None
    return Target(None, text, rec.at(field))


PIPELINE_PERMISSIONS = ("ReadOnly", "RetryStages", "ManualApproval")


def _pipeline_permissions(rec: Record, diags: Diagnostics) -> tuple[str, ...] | None:
    value = rec.get("permission")
    loc = rec.at("permission")
    out = []
    ok = True
    for i, (s, e) in enumerate(comma_item_bounds(value)):
        item = value[s:e]
        if item not in PIPELINE_PERMISSIONS:
            diags.add("E203", f"`{item}` is not a pipeline permission" if item else "empty item in the list",
                      loc.child(Item(i)), label=f"one of {', '.join(PIPELINE_PERMISSIONS)}",
                      help=did_you_mean(item, PIPELINE_PERMISSIONS) if item else "remove the extra comma")
            ok = False
        elif item not in out:
            out.append(item)
    return tuple(out) if ok else None


def _policy(rec: Record, diags: Diagnostics) -> Policy | None:
    name = rec.get("name")
    if name is None:
        return None
    if not names.alnum(name):
        diags.add("E203", f"policy name `{name}` has no letter or digit", rec.at("name"),
                  help="the name becomes the policy's logical ID, `CustomPolicy<Name>`")
    statements = tuple(s for s in (_statement(srec, diags) for _, srec in rec.get("statement") or []) if s)
    if rec.has("statement") and not rec.get("statement"):
        diags.add("E212", f"policy `{name}` has no statements", rec.at("statement"),
                  help="IAM rejects a policy without a statement")
    return Policy(name, statements, rec.loc)


def _check_policy_names(policies: tuple[Policy, ...], diags: Diagnostics) -> None:
    seen: dict[str, Policy] = {}
    for p in policies:
        lid = names.custom_policy_logical_id(p.name)
        if lid in seen:
            first = seen[lid]
            diags.add("E307", f"policies `{first.name}` and `{p.name}` would both be `{lid}`", p.loc.child("name"),
                      related=[Label(first.loc.child("name"), "first policy")],
                      help="give each policy of a permission a distinct name")
        else:
            seen[lid] = p


def _statement(rec: Record, diags: Diagnostics) -> Statement | None:
    loc = rec.loc
    for field in ("principal", "not_principal"):
        if rec.has(field):
            diags.add("E212", f"`{field}` has no place in a user's or role's policy", rec.at(field).as_key(),
                      label="not allowed here",
                      help="identity policies apply to whoever holds them; IAM rejects a Principal in them")
    action = _strings(rec, "action")
    not_action = _strings(rec, "not_action")
    resource = _resource_values(rec, "resource", diags)
    not_resource = _resource_values(rec, "not_resource", diags)
    for pair, what in ((("action", "not_action"), "an action"), (("resource", "not_resource"), "a resource")):
        given = [f for f in pair if rec.has(f)]
        if not given:
            diags.add("E212", f"statement has no `{pair[0]}` or `{pair[1]}`", loc.as_key() if loc.path else loc,
                      label=f"needs {what}", help=f"add `{pair[0]}:` with a list, e.g. `{pair[0]}: ['*']`"
                      if pair[0] == "resource" else f"add `{pair[0]}:` with a list of `service:Action` names")
        elif len(given) == 2:
            diags.add("E212", f"statement has both `{pair[0]}` and `{pair[1]}`", rec.at(pair[1]).as_key(),
                      help=f"IAM accepts one of the two; keep `{pair[0]}` or `{pair[1]}`")
    for field in ("action", "not_action"):
        for value, vloc in rec.get(field) or []:
            if not vocabulary.ACTION.fullmatch(value):
                diags.add("E212", f"`{value}` is not an IAM action", vloc, label="expected `service:Action`",
                          help="write actions as `service:Action`, e.g. `logs:GetLogEvents`, with `*` or `?` wildcards")
    sid = rec.get("sid")
    if sid is not None and not vocabulary.SID.fullmatch(sid):
        diags.add("E212", f"Sid `{sid}` holds characters IAM does not allow", rec.at("sid"),
                  help="a Sid holds only letters and digits")
    conditions = _conditions(rec.get("condition"), rec.at("condition"), diags) if rec.has("condition") else ()
    if rec.get("effect") is None:
        return None
    return Statement(rec.get("effect"), sid, action, not_action, resource, not_resource, conditions, loc)


def _strings(rec: Record, field: str) -> tuple[str, ...]:
    return tuple(v for v, _ in rec.get(field) or [])


def _resource_values(rec: Record, field: str, diags: Diagnostics):
    out = []
    for value, vloc in rec.get(field) or []:
        if value.startswith(REF_PREFIX):
            ref = parse_ref(value, vloc, diags)
            if ref is not None:
                out.append(ref)
        elif value == "*" or value.startswith("arn:"):
            out.append(value)
        else:
            diags.add("E212", f"resource `{value}` is neither `*` nor an ARN", vloc, label="not an ARN",
                      help="write the resource's ARN, e.g. `arn:aws:s3:::my-bucket/*`, or `*`")
    return tuple(out)


def _conditions(node, loc: Loc, diags: Diagnostics) -> tuple[Condition, ...]:
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return ()
    if not isinstance(node, Map):
        diags.add("E202", f"expected a mapping of condition operators, found {describe(node)}", loc)
        return ()
    out = []
    for op_key, block in node.items():
        op = op_key.value
        oloc = loc.child(op)
        if vocabulary.split_operator(op) is None:
            diags.add("E203", f"`{op}` is not an IAM condition operator", oloc.as_key(), label="unknown operator",
                      help=did_you_mean(op, vocabulary.all_operator_forms()) or
                      "operators are e.g. StringEquals, ArnLike, Bool, with an optional IfExists suffix "
                      "and ForAnyValue:/ForAllValues: prefix")
            continue
        if not isinstance(block, Map) or not block.entries:
            diags.add("E202", f"expected a mapping of condition keys to values under `{op}`", oloc)
            continue
        for ck, cv in block.items():
            cloc = oloc.child(ck.value)
            values = []
            items = cv.items if isinstance(cv, Seq) else [cv]
            for i, item in enumerate(items):
                iloc = cloc.child(i) if isinstance(cv, Seq) else cloc
                if not isinstance(item, Scalar) or item.value is None:
                    diags.add("E202", f"expected a string, number or boolean as the value of `{ck.value}`, "
                              f"found {describe(item)}", iloc)
                    continue
                if isinstance(item.value, str) and item.value.startswith(REF_PREFIX):
                    ref = parse_ref(item.value, iloc, diags)
                    if ref is not None:
                        values.append(ref)
                    continue
                values.append(item.value)
            if isinstance(cv, Seq) and not cv.items:
                diags.add("E212", f"condition `{op}` on `{ck.value}` has an empty list of values", cloc)
            out.append(Condition(op, ck.value, tuple(values), cloc))
    return tuple(out)


# resource/codecommit.yaml


def _repositories(doc: Document | None, diags: Diagnostics) -> tuple[Repository, ...]:
    if doc is None or doc.root is None:
        return ()
    loc = Loc(doc.file)
    if not isinstance(doc.root, Map):
        diags.add("E202", f"expected a mapping of repository groups, found {describe(doc.root)}", loc)
        return ()
    out = []
    for gkey, group in doc.root.items():
        gloc = loc.child(gkey.value)
        if not isinstance(group, Map):
            diags.add("E202", f"expected a mapping of repositories in group `{gkey.value}`, found {describe(group)}", gloc)
            continue
        for rkey, rnode in group.items():
            rec = read(L.REPOSITORY, rnode, gloc.child(rkey.value), diags)
            if rec is None:
                continue
            region = rec.get("region")
            if region is not None and region not in vocabulary.AWS_REGIONS:
                diags.add("E203", f"`{region}` is not an AWS region", rec.at("region"),
                          help=did_you_mean(region, vocabulary.AWS_REGIONS))
            out.append(Repository(gkey.value, rkey.value, rec.get("repository_name") or rkey.value,
                                  _ref(rec, "account", diags, expect="accounts"), region,
                                  rec.get("enabled"), rec.loc))
    return tuple(out)


# iamc.yaml


def _settings(doc: Document | None, diags: Diagnostics) -> Settings:
    if doc is None or doc.root is None:
        return Settings()
    rec = read(L.SETTINGS, doc.root, Loc(doc.file), diags)
    if rec is None:
        return Settings()
    colors = tuple((name, r.get("color"), loc) for name, loc, r in rec.get("accounts") or [] if r.get("color"))
    keys = []
    for name, loc, r in rec.get("users") or []:
        key = r.get("pgp_key")
        if key is not None and _check_pgp_key(key, r.at("pgp_key"), diags):
            keys.append((name, key, loc))
    externals = []
    for ref_text, loc, r in rec.get("external_resources") or []:
        ext = _external(ref_text, loc, r, diags)
        if ext is not None:
            externals.append(ext)
    return Settings(rec.get("organization"), rec.get("users_stacks"), colors, tuple(keys), tuple(externals), rec.loc)


def _check_pgp_key(key: str, loc: Loc, diags: Diagnostics) -> bool:
    text = key.strip()
    if "PRIVATE KEY" in text:
        diags.add("E213", "this is a private key", loc, label="never commit a private key",
                  help="remove it from the repository and revoke it; pgp_key takes the public key only")
        return False
    if text.startswith("keybase:"):
        if vocabulary.ACCOUNT_NAME.fullmatch(text[len("keybase:"):]):
            return True
        diags.add("E213", "`keybase:` needs a Keybase user name after it", loc)
        return False
    if text.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----"):
        diags.add("E213", "pgp_key is an ASCII-armoured key; Terraform takes it base64-encoded, without armour", loc,
                  help="give the output of `gpg --export <key id> | base64 -w0`, or `keybase:<user>`")
        return False
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    # an OpenPGP public key packet: old format tag 6 (0x98-0x9b) or new format (0xc6)
    if raw and (raw[0] & 0xFC == 0x98 or raw[0] == 0xC6):
        return True
    diags.add("E213", "pgp_key is not a base64-encoded OpenPGP public key", loc,
              help="give the output of `gpg --export <key id> | base64 -w0`, or `keybase:<user>`")
    return False


def _external(ref_text: str, loc: Loc, rec: Record, diags: Diagnostics) -> ExternalResource | None:
    if not ref_text.startswith(REF_PREFIX + "netenv."):
        diags.add("E203", f"`{ref_text}` is not a reference into a network environment", loc.as_key(),
                  help="external_resources are keyed by the `paco.ref netenv.…` that a permission names")
        return None
    arn = rec.get("arn")
    if arn is not None and not vocabulary.ARN.fullmatch(arn):
        diags.add("E203", f"`{arn}` is not an ARN", rec.at("arn"), label="not an ARN")
        arn = None
    stages = _strings(rec, "stages")
    actions = []
    for value, vloc in rec.get("approval_actions") or []:
        stage, sep, action = value.partition("/")
        if not sep or not stage or not action:
            diags.add("E203", f"`{value}` is not `<stage>/<action>`", vloc)
        elif stages and stage not in stages:
            diags.add("E203", f"stage `{stage}` is not among this pipeline's stages", vloc,
                      help=did_you_mean(stage, stages))
        else:
            actions.append(value)
    region = rec.get("region")
    if region is not None and region not in vocabulary.AWS_REGIONS:
        diags.add("E203", f"`{region}` is not an AWS region", rec.at("region"),
                  help=did_you_mean(region, vocabulary.AWS_REGIONS))
    return ExternalResource(ref_text, arn, stages, tuple(actions), _ref(rec, "account", diags, expect="accounts"),
                            region, rec.get("resource_group"), loc)
