"""The Terraform backend: a root module in JSON syntax, equivalent to the CloudFormation output.

    Plan(users=(alice,), roles={("alice", "dev"): Role(...)})
      -> OUT/terraform/main.tf.json         terraform, one aliased aws provider per account
         OUT/terraform/user-alice.tf.json   alice's user, login profile, keys, policies, roles, outputs
         OUT/terraform/imports.tf.json      with the `import` option: what already exists is adopted

`terraform init && terraform apply` in OUT/terraform takes it as it is.
Every string in a .tf.json file is a Terraform template, so policy
documents (literal JSON strings) have each `${` and `%{` escaped:
`${aws:username}` is written `$${aws:username}`.
"""

from __future__ import annotations

import json

from iamc import hookimpl, names
from iamc.hookspecs import Backend, Finding, Problem
from iamc.output import OutputFile
from iamc.plan_model import Plan, PlannedUser, Role
from iamc.schema import Field, Schema, StrList

NAME = "terraform"
FOLDER = "terraform"
# aws_iam_role_policy_attachments_exclusive and aws_iam_user_policy_attachments_exclusive: 5.80 has both
PROVIDER_VERSION = ">= 5.80.0, < 7.0.0"
TERRAFORM_VERSION = ">= 1.5.0"  # import blocks
PASSWORD_LENGTH = 32

OPTIONS = Schema(
    "terraform options",
    {
        # users (their user, login profile, own policy and roles) that exist already, from Paco or from
        # iamc's CloudFormation output: `import` blocks adopt them instead of failing on EntityAlreadyExists
        "import": Field(StrList(), default=[]),
    },
)


@hookimpl
def iamc_declare_backend() -> Backend:
    return Backend(
        NAME, "a Terraform root module (JSON), one aliased aws provider per account", emit, OPTIONS, check=check
    )


@hookimpl
def iamc_verify_files(plan: Plan, files: list[OutputFile]) -> list[Finding]:
    from .terraform_check import check_files

    ours = [f for f in files if f.backend == NAME]
    return check_files(ours) if ours else []


def check(plan: Plan, options) -> list[Problem]:
    users = {u.key for u in plan.users}
    problems = []
    for value, loc in options.get("import") or []:
        if value != "all" and value not in users:
            problems.append(Problem(f"no user `{value}` in resource/iam.yaml", loc, "list user keys, or `all`"))
    return problems


def imported_users(plan: Plan, options) -> set[str]:
    chosen = {value for value, _ in options.get("import") or []}
    return {u.key for u in plan.users} if "all" in chosen else chosen


# names


def ident(text: str) -> str:
    """A Terraform identifier from any text, one to one: letters and digits stay, `_` doubles,
    any other character becomes `_` and its two hex digits (`john.doe` -> `john_2edoe`)."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch == "_":
            out.append("__")
        else:
            out.append("_%02x" % ord(ch) if ord(ch) < 256 else "_u%04x" % ord(ch))
    name = "".join(out)
    return name if name[:1].isalpha() else "_" + name


def escape(text: str) -> str:
    """A literal string in a Terraform template: `${` and `%{` do not start an interpolation."""
    return text.replace("${", "$${").replace("%{", "%%{")


def ref(kind: str, name: str, attr: str) -> str:
    return f"${{{kind}.{name}.{attr}}}"


def provider(account_name: str) -> str:
    return f"aws.{ident(account_name)}"


def policy_json(document: dict) -> str:
    return escape(json.dumps(document, indent=2, ensure_ascii=False))


# the module


def emit(plan: Plan, options) -> list[OutputFile]:
    imports = imported_users(plan, options)
    pgp = dict((name, key) for name, key, _ in plan.project.settings.user_pgp_keys)
    files = [OutputFile(f"{FOLDER}/main.tf.json", _dump(_main(plan)), NAME, sources=("accounts/",))]
    import_blocks = []
    roles: dict[str, list[tuple[str, Role]]] = {}
    for (key, account), role in sorted(plan.roles.items()):
        roles.setdefault(key, []).append((account, role))
    for stack in plan.stacks:
        for user in stack.users:
            module, blocks = _user_module(
                plan, stack.account, user, roles.get(user.key, []), pgp.get(user.key), imports
            )
            import_blocks += blocks
            files.append(
                OutputFile(
                    f"{FOLDER}/user-{user.key}.tf.json",
                    _dump(module),
                    NAME,
                    user=user.key,
                    sources=("resource/iam.yaml",) + (("iamc.yaml",) if user.key in pgp else ()),
                    origins=(((), user.loc.as_key()),),
                )
            )
    if import_blocks:
        doc = {
            "//": _comment(
                "iamc.yaml (backends: terraform: import)", "what exists already, adopted by `terraform apply`"
            ),
            "import": import_blocks,
        }
        files.append(OutputFile(f"{FOLDER}/imports.tf.json", _dump(doc), NAME, sources=("iamc.yaml",)))
    return files


def _comment(source: str, what: str) -> str:
    return f"Generated by iamc from {source}: {what}. Do not edit: change the project and run `iamc build`."


def _main(plan: Plan) -> dict:
    providers = []
    for account in plan.project.accounts:
        providers.append(
            {
                "alias": ident(account.name),
                "region": plan.region,
                "allowed_account_ids": [account.account_id],
                "assume_role": [{"role_arn": _admin_role_arn(plan, account)}],
            }
        )
    return {
        "//": _comment("accounts/*.yaml", "the providers, one per account"),
        "terraform": {
            "required_version": TERRAFORM_VERSION,
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSION}},
        },
        "provider": {"aws": providers},
    }


def _admin_role_arn(plan: Plan, account) -> str:
    return f"arn:{plan.partition}:iam::{account.account_id}:role/{account.admin_delegate_role_name}"


def _user_module(plan: Plan, home, user: PlannedUser, roles: list[tuple[str, Role]], pgp_key, imports):
    u = ident(user.key)
    home_provider = provider(home.name)
    resources: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    imports_out = []

    def add(kind: str, name: str, body: dict, import_id: str | None = None) -> None:
        resources.setdefault(kind, {})[name] = body
        if import_id is not None and user.key in imports:
            imports_out.append({"to": f"{kind}.{name}", "id": import_id, "provider": body["provider"]})

    # force_destroy: a person removed from iam.yaml goes, with the MFA device and keys they made themselves
    add("aws_iam_user", u, {"provider": home_provider, "name": user.username, "force_destroy": True}, user.username)
    if user.login_profile is not None:
        login = {
            "provider": home_provider,
            "user": ref("aws_iam_user", u, "name"),
            "password_length": PASSWORD_LENGTH,
            "password_reset_required": True,
        }
        if pgp_key:
            login["pgp_key"] = pgp_key
        # the user changes the password at first sign-in: Terraform must not set it again
        login["lifecycle"] = [{"ignore_changes": ["password_length", "password_reset_required", "pgp_key"]}]
        add("aws_iam_user_login_profile", u, login, user.username)
        outputs[f"{u}_initial_password"] = (
            {
                "value": ref("aws_iam_user_login_profile", u, "encrypted_password"),
                "description": f"{user.username}'s initial console password, encrypted with their pgp_key",
            }
            if pgp_key
            else {
                "value": ref("aws_iam_user_login_profile", u, "password"),
                "sensitive": True,
                "description": f"{user.username}'s initial console password (kept in the state, unencrypted)",
            }
        )
    for key in user.access_keys:
        name = f"{u}-{key.number}"
        resources.setdefault("terraform_data", {})[f"{name}-serial"] = {"input": key.serial}
        body = {
            "provider": home_provider,
            "user": ref("aws_iam_user", u, "name"),
            "status": "Active" if key.active else "Inactive",
        }
        if pgp_key:
            body["pgp_key"] = pgp_key
        # a new version replaces the key, the new one made before the old one goes (as CloudFormation does)
        body["lifecycle"] = [{"create_before_destroy": True, "replace_triggered_by": [f"terraform_data.{name}-serial"]}]
        add("aws_iam_access_key", name, body)
        secret = "encrypted_secret" if pgp_key else "secret"
        outputs[f"{name}_access_key"] = {
            "value": {"id": ref("aws_iam_access_key", name, "id"), "secret": ref("aws_iam_access_key", name, secret)},
            "description": f"access key {key.number} of {user.username} (version {key.serial})"
            + (", the secret encrypted with their pgp_key" if pgp_key else ", kept in the state unencrypted"),
            **({} if pgp_key else {"sensitive": True}),
        }
    user_arns = []
    if user.policy is not None:
        policy_arn = f"arn:{plan.partition}:iam::{home.account_id}:policy/{user.policy.name}"
        add(
            "aws_iam_policy",
            u,
            {"provider": home_provider, "name": user.policy.name, "policy": policy_json(user.policy.document)},
            policy_arn,
        )
        user_arns.append(ref("aws_iam_policy", u, "arn"))
    user_arns += [a.arn for a in user.attached]
    add(
        "aws_iam_user_policy_attachments_exclusive",
        u,
        {"provider": home_provider, "user_name": ref("aws_iam_user", u, "name"), "policy_arns": user_arns},
        user.username if user.key in imports else None,
    )
    urls = {}
    for account, role in roles:
        r = f"{u}-{ident(account)}"
        p = provider(account)
        add(
            "aws_iam_role",
            r,
            {
                "provider": p,
                "name": role.name,
                "assume_role_policy": policy_json(role.trust),
                # the exclusive attachments do not detach when a role is destroyed
                "force_detach_policies": True,
                # IAM refuses a trust policy that names a user who does not exist yet
                "depends_on": [f"aws_iam_user.{u}"],
            },
            role.name,
        )
        arns = [a.arn for a in role.attached]
        for pol in role.policies:
            pname = f"{r}-{ident(pol.logical_id)}"
            add(
                "aws_iam_policy",
                pname,
                {
                    "provider": p,
                    "name": _custom_policy_name(user.key, pol.logical_id),
                    "policy": policy_json(pol.document),
                },
            )
            arns.append(ref("aws_iam_policy", pname, "arn"))
        add(
            "aws_iam_role_policy_attachments_exclusive",
            r,
            {"provider": p, "role_name": ref("aws_iam_role", r, "name"), "policy_arns": arns},
            role.name,
        )
        urls[account] = role.signin_url
    if urls:
        outputs[f"{u}_signin_urls"] = {
            "value": urls,
            "description": f"the switch-role links of {user.username}, by account",
        }
    module = {
        "//": _comment(f"resource/iam.yaml (users: {user.key})", f"IAM user {user.username}"),
        "resource": resources,
    }
    if outputs:
        module["output"] = outputs
    return module, imports_out


def _custom_policy_name(key: str, logical_id: str) -> str:
    # CloudFormation names Paco's custom policies itself; Terraform needs a name: the role's, and the policy's
    return f"{names.role_name(key)}-{logical_id.removeprefix('CustomPolicy')}"[:128]


def _dump(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
