"""manifest.json: the machine-readable index of a build, and what iamc learns from the previous one.

    {"iamc": "0.1.0", "project": "acme", "stacks": [{"id": "master/Resource-IAM-User-Accounts", ...}],
     "files": [{"path": "cloudformation/master/Resource-IAM-User-Accounts.yaml", "backend": "cloudformation",
                "sha256": "..."}], "users": [...], "plugins": [...]}

The previous manifest in OUT says which files iamc wrote before (so stale
ones can be removed and nothing else is touched), which stacks existed (a
stack no longer produced stays listed with `template: null`, so a deploy
tool deletes it), and each access key's serial (a serial may only grow).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from . import __version__
from .diagnostics import Diagnostics
from .output import OutputFile
from .plan_model import Plan
from .resolve import Grant
from .tree import Loc

MANIFEST = "manifest.json"
S3_THRESHOLD = 51_200  # bytes: a larger template must be uploaded to S3 to be deployed
FORMAT = 1


@dataclass(frozen=True)
class Previous:
    """What the manifest of the previous build in OUT says."""

    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    stacks: dict[str, dict] = field(default_factory=dict)  # stack id -> its manifest entry
    keys: dict[tuple[str, int], int] = field(default_factory=dict)  # (user key, key number) -> serial


def read_previous(out: str, loc_file: str) -> tuple[Previous | None, Diagnostics]:
    """The previous build's manifest in OUT, or None on a first build. `loc_file` names it in diagnostics."""
    diags = Diagnostics()
    path = os.path.join(out, MANIFEST)
    if not os.path.isdir(out) or not os.path.exists(path):
        return None, diags
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        files = {e["path"]: e["sha256"] for e in data["files"]}
        stacks = {e["id"]: e for e in data["stacks"]}
        keys = {(u["name"], k["number"]): k["serial"] for u in data["users"] for k in u.get("access_keys", ())}
        if not all(isinstance(p, str) and _inside(p) for p in files):
            raise ValueError("a file path leaves OUT")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        diags.add(
            "E601",
            f"the manifest of the previous build cannot be read: {_reason(e)}",
            Loc(loc_file),
            help="iamc needs it to know which files in OUT it wrote; restore it from version control, "
            "or build into an empty folder",
        )
        return None, diags
    return Previous(files, stacks, keys), diags


def _inside(path: str) -> bool:
    return not os.path.isabs(path) and ".." not in path.split("/") and path != MANIFEST


def _reason(e: Exception) -> str:
    if isinstance(e, json.JSONDecodeError):
        return f"not JSON ({e.msg} at line {e.lineno})"
    if isinstance(e, KeyError):
        return f"no `{e.args[0]}`"
    return str(e) or type(e).__name__


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def render(plan: Plan, files: list[OutputFile], plugins: list[dict], backends: set[str]) -> str:
    """The manifest's text: stable key order, sorted lists, a newline at the end."""
    templates = {f.stack: f for f in files if f.stack is not None}
    stacks = []
    if "cloudformation" in backends:
        for s in plan.stacks:
            f = templates.get(s.id)
            size = len(f.content.encode("utf-8")) if f else 0
            stacks.append(
                {
                    "id": s.id,
                    "name": s.name,
                    "account": s.account.name,
                    "account_id": s.account.account_id,
                    "region": s.region,
                    "template": f.path if f else None,
                    "capabilities": ["CAPABILITY_NAMED_IAM"],
                    "depends_on": list(s.depends_on),
                    "parameters": {p.name: _parameter(p) for p in s.parameters},
                    "template_bytes": size,
                    "needs_s3": size > S3_THRESHOLD,
                    "user": s.user,
                }
            )
        for g in plan.gone:
            stacks.append(
                {
                    "id": g.id,
                    "name": g.name,
                    "account": g.account,
                    "account_id": g.account_id,
                    "region": g.region,
                    "template": None,
                    "capabilities": [],
                    "depends_on": [],
                    "parameters": {},
                    "template_bytes": 0,
                    "needs_s3": False,
                    "user": g.user,
                }
            )
    users = []
    for u in plan.users:
        planned = plan.planned_user.get(u.key)
        users.append(
            {
                "name": u.key,
                "username": u.username,
                "enabled": u.enabled,
                "accounts": list(u.accounts),
                "grants": {a: [_grant(g) for g in gs] for a, gs in sorted(u.grants.items()) if gs},
                "access_keys": [
                    {
                        "number": k.number,
                        "serial": k.serial,
                        "status": "Active" if k.active else "Inactive",
                        "secret": k.secret_name,
                    }
                    for k in (planned.access_keys if planned else ())
                ],
                "console_password_secret": planned.login_profile.secret_name
                if planned and planned.login_profile and not planned.login_profile.paco_parameter
                else None,
            }
        )
    data = {
        "format": FORMAT,
        "iamc": __version__,
        "project": plan.project.name,
        "master_account": plan.master.name,
        "region": plan.region,
        "stacks": stacks,
        "files": [
            {
                "path": f.path,
                "backend": f.backend,
                "sha256": sha256(f.content),
                **({"user": f.user} if f.user else {}),
            }
            for f in sorted(files, key=lambda f: f.path)
        ],
        "users": users,
        "plugins": sorted(plugins, key=lambda p: p["name"]),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _parameter(p) -> dict:
    out: dict = {"no_echo": p.no_echo, "use_previous_value": p.use_previous_value}
    if p.default is not None:
        out["default"] = p.default
    out["description"] = p.description
    return out


def _grant(g: Grant) -> dict:
    perm = g.permission
    out = {"permission": perm.key, "type": perm.type}
    if perm.type == "Administrator":
        out["read_only"] = perm.read_only
    if g.resources:
        out["resources"] = [r.arn or r.name for r in g.resources]
    if g.scope != "delegate":
        out["scope"] = g.scope
    return out
