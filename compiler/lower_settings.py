"""Lowering of the files beside iam.yaml: Paco's resource/codecommit.yaml and iamc's own iamc.yaml.

acme: {webapp: {account: paco.ref accounts.tools, repository_name: acme-webapp}}
  -> Repository(group="acme", name="webapp", repository_name="acme-webapp", account=Ref(...))
"""

from __future__ import annotations

import base64
import binascii

from . import language as L
from . import vocabulary
from .diagnostics import Diagnostics
from .ir import ExternalResource, Repository, Settings
from .refs import REF_PREFIX, field_ref
from .schema import Record, did_you_mean, read
from .tree import Document, Loc, Map, describe


def lower_repositories(doc: Document | None, diags: Diagnostics) -> tuple[Repository, ...]:
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
            diags.add(
                "E202", f"expected a mapping of repositories in group `{gkey.value}`, found {describe(group)}", gloc
            )
            continue
        for rkey, rnode in group.items():
            rec = read(L.REPOSITORY, rnode, gloc.child(rkey.value), diags)
            if rec is None:
                continue
            out.append(
                Repository(
                    gkey.value,
                    rkey.value,
                    rec.get("repository_name") or rkey.value,
                    field_ref(rec, "account", diags, expect="accounts"),
                    rec.get("region"),
                    rec.get("enabled"),
                    rec.loc,
                )
            )
    return tuple(out)


def lower_settings(doc: Document | None, diags: Diagnostics) -> Settings:
    if doc is None or doc.root is None:
        return Settings()
    rec = read(L.SETTINGS, doc.root, Loc(doc.file), diags)
    if rec is None:
        return Settings()
    accounts = rec.get("accounts") or []
    colors = tuple((name, r.get("color"), loc) for name, loc, r in accounts if r.get("color"))
    aliases = tuple((name, r.get("alias"), loc) for name, loc, r in accounts if r.get("alias"))
    regions = tuple((name, r.get("region"), loc) for name, loc, r in accounts if r.get("region"))
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
    migration = rec.get("paco_migration")
    paco_users = tuple(migration.get("users")) if migration is not None else ()
    return Settings(
        organization=rec.get("organization"),
        users_stacks=rec.get("users_stacks"),
        account_colors=colors,
        account_regions=regions,
        account_aliases=aliases,
        account_entries=tuple((name, loc) for name, loc, _ in accounts),
        user_pgp_keys=tuple(keys),
        external_resources=tuple(externals),
        plugins=tuple(rec.get("plugins")),
        backends=tuple(rec.get("backends")),
        paco_users=paco_users,
        loc=rec.loc,
    )


def _check_pgp_key(key: str, loc: Loc, diags: Diagnostics) -> bool:
    text = key.strip()
    if "PRIVATE KEY" in text:
        diags.add(
            "E213",
            "this is a private key",
            loc,
            label="never commit a private key",
            help="remove it from the repository and revoke it; pgp_key takes the public key only",
        )
        return False
    if text.startswith("keybase:"):
        if vocabulary.ACCOUNT_NAME.fullmatch(text[len("keybase:") :]):
            return True
        diags.add("E213", "`keybase:` needs a Keybase user name after it", loc)
        return False
    if text.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----"):
        diags.add(
            "E213",
            "pgp_key is an ASCII-armoured key; Terraform takes it base64-encoded, without armour",
            loc,
            help="give the output of `gpg --export <key id> | base64 -w0`, or `keybase:<user>`",
        )
        return False
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    # an OpenPGP public key packet: old format tag 6 (0x98-0x9b) or new format (0xc6)
    if raw and (raw[0] & 0xFC == 0x98 or raw[0] == 0xC6):
        return True
    diags.add(
        "E213",
        "pgp_key is not a base64-encoded OpenPGP public key",
        loc,
        help="give the output of `gpg --export <key id> | base64 -w0`, or `keybase:<user>`",
    )
    return False


def _external(ref_text: str, loc: Loc, rec: Record, diags: Diagnostics) -> ExternalResource | None:
    if not ref_text.startswith(REF_PREFIX + "netenv."):
        diags.add(
            "E203",
            f"`{ref_text}` is not a reference into a network environment",
            loc.as_key(),
            help="external_resources are keyed by the `paco.ref netenv.…` that a permission names",
        )
        return None
    arn = rec.get("arn")
    if arn is not None and not vocabulary.ARN.fullmatch(arn):
        diags.add("E203", f"`{arn}` is not an ARN", rec.at("arn"), label="not an ARN")
        arn = None
    stages = tuple(v for v, _ in rec.get("stages") or [])
    actions = []
    for value, vloc in rec.get("approval_actions") or []:
        stage, sep, action = value.partition("/")
        if not sep or not stage or not action:
            diags.add("E203", f"`{value}` is not `<stage>/<action>`", vloc)
        elif stages and stage not in stages:
            diags.add(
                "E203", f"stage `{stage}` is not among this pipeline's stages", vloc, help=did_you_mean(stage, stages)
            )
        else:
            actions.append(value)
    return ExternalResource(
        ref_text,
        arn,
        stages,
        tuple(actions),
        field_ref(rec, "account", diags, expect="accounts"),
        rec.get("region"),
        rec.get("resource_group"),
        loc,
    )
