"""Lowering of permissions: the seven Paco permission types, and the policies of CustomPolicy.

    {type: CustomPolicy, accounts: dev, policies: [{name: Logs, statement: [...]}]}
      -> CustomPolicy(key="logs", accounts=AccountList(("dev", 0)), policies=(Policy("Logs", (Statement(...),)),))

Statements are checked as IAM would check them: an action or not_action, a
resource or not_resource (not both), `service:Action` names, ARNs, Sids, no
Principal in an identity policy, and condition operators with their
`IfExists` and `ForAnyValue:`/`ForAllValues:` forms.
"""

from __future__ import annotations

from . import language as L
from . import names, vocabulary
from .diagnostics import Diagnostics, Label
from .ir import (
    AccessKeys,
    Administrator,
    CodeBuild,
    CodeBuildGrant,
    CodeCommit,
    Condition,
    CustomPolicy,
    DeploymentPipelines,
    PipelineGrant,
    Policy,
    RepositoryGrant,
    Statement,
    SystemsManagerSession,
    Target,
)
from .refs import REF_PREFIX, field_account_list, field_ref, parse_ref
from .schema import Record, did_you_mean, read
from .tree import Item, Loc, Map, Scalar, Seq, comma_item_bounds, describe


PIPELINE_PERMISSIONS = ("ReadOnly", "RetryStages", "ManualApproval")


def lower_permissions(node, loc: Loc, diags: Diagnostics):
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
        return Administrator(
            **common, accounts=field_account_list(rec, "accounts", diags), read_only=rec.get("read_only")
        )
    if ptype == "CustomPolicy":
        arns = []
        for arn, aloc in rec.get("managed_policy_arns") or []:
            if vocabulary.MANAGED_POLICY_ARN.fullmatch(arn):
                arns.append(arn)
            else:
                diags.add(
                    "E203",
                    f"`{arn}` is not a managed policy ARN",
                    aloc,
                    help="write `arn:aws:iam::aws:policy/<name>` or `arn:aws:iam::<account id>:policy/<name>`",
                )
        policies = tuple(p for p in (_policy(prec, diags) for _, prec in rec.get("policies") or []) if p)
        _check_policy_names(policies, diags)
        return CustomPolicy(
            **common,
            accounts=field_account_list(rec, "accounts", diags),
            managed_policies=managed_policy_names(rec.get("managed_policies"), diags),
            managed_policy_arns=tuple(arns),
            policies=policies,
        )
    if ptype == "CodeCommit":
        repos = []
        for rloc, rrec in rec.get("repositories") or []:
            text = rrec.get("codecommit")
            if text is not None and not text.startswith(REF_PREFIX):
                diags.add(
                    "E203",
                    f"expected `paco.ref resource.codecommit.<group>.<repository>`, found `{text}`",
                    rrec.at("codecommit"),
                    label="not a paco.ref",
                )
            ref = field_ref(rrec, "codecommit", diags)
            if ref is None:
                continue
            if rrec.get("permission") is None and "permission" not in rrec.present:
                diags.add(
                    "W302",
                    "repository permission has no `permission:`, so it grants nothing on the repository",
                    rloc,
                    help="add `permission: ReadOnly` or `permission: ReadWrite`",
                )
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
        return DeploymentPipelines(
            **common, accounts=field_account_list(rec, "accounts", diags), resources=tuple(grants)
        )
    if ptype == "SystemsManagerSession":
        targets = []
        for text, tloc in rec.get("resources") or []:
            ref = parse_ref(text, tloc, diags) if text.startswith(REF_PREFIX) else None
            if ref is not None or not text.startswith(REF_PREFIX):
                targets.append(Target(ref, text, tloc))
        return SystemsManagerSession(
            **common, accounts=field_account_list(rec, "accounts", diags), resources=tuple(targets)
        )
    return AccessKeys(**common)


def _target(rec: Record, field: str, diags: Diagnostics) -> Target | None:
    text = rec.get(field)
    if text is None:
        return None
    if text.startswith(REF_PREFIX):
        ref = parse_ref(text, rec.at(field), diags)
        return Target(ref, text, rec.at(field)) if ref else None
    return Target(None, text, rec.at(field))


def _pipeline_permissions(rec: Record, diags: Diagnostics) -> tuple[str, ...] | None:
    value = rec.get("permission")
    loc = rec.at("permission")
    out = []
    ok = True
    for i, (s, e) in enumerate(comma_item_bounds(value)):
        item = value[s:e]
        if item not in PIPELINE_PERMISSIONS:
            diags.add(
                "E203",
                f"`{item}` is not a pipeline permission" if item else "empty item in the list",
                loc.child(Item(i)),
                label=f"one of {', '.join(PIPELINE_PERMISSIONS)}",
                help=did_you_mean(item, PIPELINE_PERMISSIONS) if item else "remove the extra comma",
            )
            ok = False
        elif item not in out:
            out.append(item)
    return tuple(out) if ok else None


def _policy(rec: Record, diags: Diagnostics) -> Policy | None:
    name = rec.get("name")
    if name is None:
        return None
    if not names.alnum(name):
        diags.add(
            "E203",
            f"policy name `{name}` has no letter or digit",
            rec.at("name"),
            help="the name becomes the policy's logical ID, `CustomPolicy<Name>`",
        )
    statements = tuple(s for s in (_statement(srec, diags) for _, srec in rec.get("statement") or []) if s)
    if rec.has("statement") and not rec.get("statement"):
        diags.add(
            "E212",
            f"policy `{name}` has no statements",
            rec.at("statement"),
            help="IAM rejects a policy without a statement",
        )
    return Policy(name, statements, rec.loc)


def _check_policy_names(policies: tuple[Policy, ...], diags: Diagnostics) -> None:
    seen: dict[str, Policy] = {}
    for p in policies:
        lid = names.custom_policy_logical_id(p.name)
        if lid in seen:
            first = seen[lid]
            diags.add(
                "E307",
                f"policies `{first.name}` and `{p.name}` would both be `{lid}`",
                p.loc.child("name"),
                related=[Label(first.loc.child("name"), "first policy")],
                help="give each policy of a permission a distinct name",
            )
        else:
            seen[lid] = p


def _statement(rec: Record, diags: Diagnostics) -> Statement | None:
    loc = rec.loc
    for field in ("principal", "not_principal"):
        if rec.has(field):
            diags.add(
                "E212",
                f"`{field}` has no place in a user's or role's policy",
                rec.at(field).as_key(),
                label="not allowed here",
                help="identity policies apply to whoever holds them; IAM rejects a Principal in them",
            )
    action = _strings(rec, "action")
    not_action = _strings(rec, "not_action")
    resource = _resource_values(rec, "resource", diags)
    not_resource = _resource_values(rec, "not_resource", diags)
    for pair, what in ((("action", "not_action"), "an action"), (("resource", "not_resource"), "a resource")):
        given = [f for f in pair if rec.has(f)]
        if not given:
            diags.add(
                "E212",
                f"statement has no `{pair[0]}` or `{pair[1]}`",
                loc.as_key() if loc.path else loc,
                label=f"needs {what}",
                help=f"add `{pair[0]}:` with a list, e.g. `{pair[0]}: ['*']`"
                if pair[0] == "resource"
                else f"add `{pair[0]}:` with a list of `service:Action` names",
            )
        elif len(given) == 2:
            diags.add(
                "E212",
                f"statement has both `{pair[0]}` and `{pair[1]}`",
                rec.at(pair[1]).as_key(),
                help=f"IAM accepts one of the two; keep `{pair[0]}` or `{pair[1]}`",
            )
    for field in ("action", "not_action"):
        for value, vloc in rec.get(field) or []:
            if not vocabulary.ACTION.fullmatch(value):
                diags.add(
                    "E212",
                    f"`{value}` is not an IAM action",
                    vloc,
                    label="expected `service:Action`",
                    help="write actions as `service:Action`, e.g. `logs:GetLogEvents`, with `*` or `?` wildcards",
                )
                continue
            _check_action_known(value, vloc, diags)
    sid = rec.get("sid")
    if sid is not None and not vocabulary.SID.fullmatch(sid):
        diags.add(
            "E212",
            f"Sid `{sid}` holds characters IAM does not allow",
            rec.at("sid"),
            help="a Sid holds only letters and digits",
        )
    conditions = _conditions(rec.get("condition"), rec.at("condition"), diags) if rec.has("condition") else ()
    if rec.get("effect") is None:
        return None
    return Statement(rec.get("effect"), sid, action, not_action, resource, not_resource, conditions, loc)


def _check_action_known(action: str, loc: Loc, diags: Diagnostics) -> None:
    """A warning, not an error: cfn-lint's list of actions can lag behind a new AWS release."""
    why = vocabulary.unknown_action(action)
    if why is None:
        return
    kind, meant = why
    service = action.split(":", 1)[0]
    message = {
        "service": f"`{service}` is not an AWS service prefix",
        "pattern": f"`{action}` matches no action of `{service}`",
        "action": f"`{action}` is not an action of `{service}`",
    }[kind]
    diags.add(
        "W203",
        message,
        loc,
        label="unknown to IAM",
        help=f"did you mean `{meant}`?" if meant else "",
        notes=["checked against the IAM actions that cfn-lint knows; an action newer than it is reported too"],
    )


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
            diags.add(
                "E212",
                f"resource `{value}` is neither `*` nor an ARN",
                vloc,
                label="not an ARN",
                help="write the resource's ARN, e.g. `arn:aws:s3:::my-bucket/*`, or `*`",
            )
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
            diags.add(
                "E203",
                f"`{op}` is not an IAM condition operator",
                oloc.as_key(),
                label="unknown operator",
                help=did_you_mean(op, vocabulary.all_operator_forms())
                or "operators are e.g. StringEquals, ArnLike, Bool, with an optional IfExists suffix "
                "and ForAnyValue:/ForAllValues: prefix",
            )
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
                    diags.add(
                        "E202",
                        f"expected a string, number or boolean as the value of `{ck.value}`, found {describe(item)}",
                        iloc,
                    )
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


def managed_policy_names(items, diags: Diagnostics) -> tuple[str, ...]:
    out = []
    for name, loc in items or []:
        if not vocabulary.MANAGED_POLICY_NAME.fullmatch(name):
            diags.add(
                "E203",
                f"`{name}` is not the name of an AWS managed policy",
                loc,
                help="give the policy's name as in its ARN after `policy/`, e.g. `ReadOnlyAccess`",
            )
        else:
            out.append(name)
    return tuple(out)
