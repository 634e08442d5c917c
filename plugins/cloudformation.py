"""The CloudFormation backend: one template per stack of the plan, and cfn-lint over each.

    Stack("dev/Resource-IAM-User-Alice-Account-Delegates", role=Role(...))
      -> OUT/cloudformation/dev/Resource-IAM-User-Alice-Account-Delegates.yaml

Paco's stack names, logical IDs and physical names are kept, so a team
moving from Paco deploys over its existing stacks without replacing a role.
What Paco did unsafely is not kept: no password or secret appears in any
template. AWS generates each console password into Secrets Manager at
deploy time, and each access key's secret is stored there by the stack
that creates the key.
"""

from __future__ import annotations

import io
import json

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.representer import RoundTripRepresenter

from ruamel.yaml import __version__ as ruamel_version

from iamc import cache, hookimpl, names
from iamc.hookspecs import Backend, Finding
from iamc.output import OutputFile
from iamc.plan_model import Plan, PlannedUser, Stack
from iamc.schema import Bool, Field, Schema

NAME = "cloudformation"
FORMAT_VERSION = "2010-09-09"
PASSWORD_LENGTH = 32


OPTIONS = Schema(
    "cloudformation options",
    {
        # DeletionPolicy and UpdateReplacePolicy Retain on every resource: deleting a stack (to move its users
        # to Terraform, say) leaves the users, roles, policies, keys and secrets in place
        "retain": Field(Bool(), default=False),
    },
)


@hookimpl
def iamc_declare_backend() -> Backend:
    return Backend(
        NAME, "CloudFormation YAML templates, one per stack, with manifest.json's stack order", emit, OPTIONS
    )


@hookimpl
def iamc_verify_files(plan: Plan, files: list[OutputFile]) -> list[Finding]:
    from .cfnlint_check import lint

    templates = [f for f in files if f.backend == NAME]
    return lint(templates, plan.region, plan) if templates else []


def emit(plan: Plan, options) -> list[OutputFile]:
    out = []
    # ruamel's pure-Python emitter takes most of a rebuild: a template already written once is reused
    store = cache.Cache("cloudformation", f"{ruamel_version}:{cache.source_hash(__file__)}")
    for stack in plan.stacks:
        template, origins, sources = _template(plan, stack)
        if options.get("retain"):
            for resource in template["Resources"].values():
                resource.insert(1, "UpdateReplacePolicy", "Retain")
                resource.insert(1, "DeletionPolicy", "Retain")
        key = _key(template)
        content = store.get(key)
        if not isinstance(content, str):
            content = dump(template)
            store.put(key, content)
        out.append(
            OutputFile(
                path=f"{NAME}/{stack.account.name}/{stack.name}.yaml",
                content=content,
                backend=NAME,
                user=stack.user,
                sources=sources,
                stack=stack.id,
                origins=tuple(origins),
            )
        )
    return out


def _key(template: CommentedMap) -> str:
    """Everything the template's text depends on: its data, tags and comments included."""
    comments = [str(template.ca.comment)] + [str(v) for v in template.ca.items.values()]
    return json.dumps([template, comments], default=lambda t: [t.tag.value, t.value], ensure_ascii=False)


# intrinsic functions, in their short form


def ref(name: str) -> TaggedScalar:
    return TaggedScalar(value=name, tag="!Ref")


def sub(text: str) -> TaggedScalar:
    return TaggedScalar(value=text, tag="!Sub", style="'")


# templates


def _template(plan: Plan, stack: Stack):
    origins = []
    t = CommentedMap()
    t["AWSTemplateFormatVersion"] = FORMAT_VERSION
    t["Description"] = stack.description
    params = CommentedMap()
    for p in stack.parameters:
        entry = CommentedMap()
        entry["Type"] = "String"
        entry["Description"] = p.description
        if p.no_echo:
            entry["NoEcho"] = True
        if p.default is not None:
            entry["Default"] = p.default
        params[p.name] = entry
    if any(p.no_echo for p in stack.parameters):
        t["Metadata"] = _plain({"cfn-lint": {"config": {"ignore_checks": ["W1011"]}}})
        t.yaml_set_comment_before_after_key(
            "Metadata",
            before="W1011 (use a dynamic reference, not a parameter, for a secret) is suppressed on purpose:\n"
            "the NoEcho password parameters are Paco's, kept for the users in iamc.yaml's paco_migration\n"
            "so that moving from Paco does not reset their console passwords. Deploy them with their\n"
            "previous values (manifest.json: use_previous_value).",
        )
    if params:
        t["Parameters"] = params
    resources = CommentedMap()
    outputs = CommentedMap()
    for u in stack.users:
        for logical_id, resource in _user_resources(u):
            resources[logical_id] = resource
            origins.append((("Resources", logical_id), u.loc.as_key()))
        if u.policy is not None:
            origins.append((("Resources", u.policy.logical_id), u.policy.loc))
        for k in u.access_keys:
            origins.append((("Resources", _key_id(u, k.number)), k.loc))
    role = stack.role
    if role is not None:
        r = CommentedMap()
        r["Type"] = "AWS::IAM::Role"
        props = r["Properties"] = CommentedMap()
        props["RoleName"] = role.name
        props["AssumeRolePolicyDocument"] = _plain(role.trust)
        if role.attached:
            props["ManagedPolicyArns"] = _seq([a.arn for a in role.attached])
            for i, a in enumerate(role.attached):
                origins.append((("Resources", role.logical_id, "Properties", "ManagedPolicyArns", i), a.loc))
        resources[role.logical_id] = r
        origins.append((("Resources", role.logical_id), role.loc))
        for pol in role.policies:
            p = CommentedMap()
            p["Type"] = "AWS::IAM::ManagedPolicy"
            pp = p["Properties"] = CommentedMap()
            if pol.name:
                pp["ManagedPolicyName"] = pol.name
            pp["PolicyDocument"] = _plain(pol.document)
            pp["Roles"] = _seq([ref(role.logical_id)])
            resources[pol.logical_id] = p
            origins.append((("Resources", pol.logical_id), pol.loc))
        o = CommentedMap()
        o["Description"] = "Switch to this role in the AWS console (signed in with MFA)"
        o["Value"] = role.signin_url
        outputs["SigninUrl"] = o
    t["Resources"] = resources
    if outputs:
        t["Outputs"] = outputs
    sources = sorted({"resource/iam.yaml"} | ({plan.project.settings.loc.file} if stack.parameters else set()))
    t.yaml_set_start_comment(
        f"Generated by iamc from {', '.join(sources)}: do not edit; change the project and run `iamc build`.\n"
        f"Stack {stack.name} in account {stack.account.name} ({stack.account.account_id}), {stack.region}."
    )
    return t, origins, tuple(sources)


def _key_id(u: PlannedUser, number: int) -> str:
    return f"AccessKey{number}{names.alnum(u.key)}"


def _user_resources(u: PlannedUser):
    key = names.alnum(u.key)
    user = CommentedMap()
    user["Type"] = "AWS::IAM::User"
    props = user["Properties"] = CommentedMap()
    props["UserName"] = ref(u.paco_username_parameter) if u.paco_username_parameter else u.username
    password_id = f"ConsolePassword{key}"
    if u.login_profile is not None:
        login = props["LoginProfile"] = CommentedMap()
        if u.login_profile.paco_parameter:
            login["Password"] = ref(u.login_profile.paco_parameter)
        else:
            login["Password"] = sub(f"{{{{resolve:secretsmanager:${{{password_id}}}:SecretString:password}}}}")
        login["PasswordResetRequired"] = True
    if u.attached:
        props["ManagedPolicyArns"] = _seq([a.arn for a in u.attached])
    yield u.logical_id, user
    if u.login_profile is not None and not u.login_profile.paco_parameter:
        secret = CommentedMap()
        secret["Type"] = "AWS::SecretsManager::Secret"
        sp = secret["Properties"] = CommentedMap()
        sp["Name"] = u.login_profile.secret_name
        sp["Description"] = (
            f"Initial console password of IAM user {u.username}, generated at deploy time; "
            "the user must change it at first sign-in"
        )
        gen = sp["GenerateSecretString"] = CommentedMap()
        gen["SecretStringTemplate"] = json.dumps({"username": u.username})
        gen["GenerateStringKey"] = "password"
        gen["PasswordLength"] = PASSWORD_LENGTH
        gen["ExcludeCharacters"] = "\"'\\/@`"
        yield password_id, secret
    if u.policy is not None:
        pol = CommentedMap()
        pol["Type"] = "AWS::IAM::ManagedPolicy"
        pp = pol["Properties"] = CommentedMap()
        pp["ManagedPolicyName"] = u.policy.name
        pp["PolicyDocument"] = _plain(u.policy.document)
        pp["Users"] = _seq([ref(u.logical_id)])
        yield u.policy.logical_id, pol
    for k in u.access_keys:
        key_id = _key_id(u, k.number)
        ak = CommentedMap()
        ak["Type"] = "AWS::IAM::AccessKey"
        kp = ak["Properties"] = CommentedMap()
        kp["UserName"] = ref(u.logical_id)
        kp["Serial"] = k.serial
        kp["Status"] = "Active" if k.active else "Inactive"
        yield key_id, ak
        secret = CommentedMap()
        secret["Type"] = "AWS::SecretsManager::Secret"
        sp = secret["Properties"] = CommentedMap()
        sp["Name"] = k.secret_name
        sp["Description"] = f"Access key {k.number} of IAM user {u.username} (version {k.serial})"
        sp["SecretString"] = sub(f'{{"AccessKeyId":"${{{key_id}}}","SecretAccessKey":"${{{key_id}.SecretAccessKey}}"}}')
        yield f"AccessKeySecret{k.number}{key}", secret


def _plain(value):
    """A JSON value as ruamel's ordered containers (so every document dumps in the same style)."""
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _plain(v)
        return m
    if isinstance(value, (list, tuple)):
        return _seq([_plain(v) for v in value])
    return value


def _seq(items) -> CommentedSeq:
    return CommentedSeq(items)


# YAML output: strings YAML 1.1 would read as something else are quoted, since CloudFormation reads 1.1

_RESOLVER = pyyaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


class _Representer(RoundTripRepresenter):
    pass


def _represent_str(self, data: str):
    if _RESOLVER.resolve(pyyaml.ScalarNode, data, (True, False)) != _STR:
        return self.represent_scalar(_STR, data, style="'")
    return RoundTripRepresenter.represent_str(self, data)


_Representer.add_representer(str, _represent_str)


def dump(template: CommentedMap) -> str:
    y = YAML()
    y.Representer = _Representer
    y.width = 4096  # never fold a line: a folded ARN is unreadable in a review
    y.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    y.dump(template, buf)
    return buf.getvalue()
