"""Access keys: versions become serials, checked against the previous build.

    programmatic_access: {enabled: true, access_key_1_version: 2}   (previous build: serial 1)
      -> (AccessKey(number=1, serial=2, active=True, secret_name="iamc/alice/access-key-1", rotated_from=1),)

A key's version is its serial: 0 means no key, a bump replaces the key.
A serial may only grow (a lower one would bring back a key that was
replaced). IAM allows two keys per user, and a replacement is created
before the key it replaces is deleted: a build that would need a third key
at any moment of its deployment gets a warning.
"""

from __future__ import annotations

from .diagnostics import Diagnostics
from .ir import User
from .manifest import Previous
from .plan_model import AccessKey

MAX_KEYS_PER_USER = 2


def access_keys(
    user: User, paco: bool, self_managed: bool, previous: Previous, diags: Diagnostics
) -> tuple[AccessKey, ...]:
    """`self_managed`: the user may make keys of their own (an AccessKeys permission): one may exist."""
    pa = user.programmatic_access
    if pa is None or pa.externally_managed:
        return ()
    keys = []
    creating = []  # keys this deployment creates: new ones, and replacements
    existing = 0  # keys that exist before this deployment
    for number, version in ((1, pa.access_key_1_version), (2, pa.access_key_2_version)):
        loc = pa.loc.child(f"access_key_{number}_version")
        before = previous.keys.get((user.key, number), 0)
        existing += before > 0
        if 0 < version < before:
            diags.add(
                "E404",
                f"access key {number} of user `{user.key}` goes back from version {before} to {version}",
                loc,
                label="lower than the previous build's",
                notes=["the previous build in OUT has version " + str(before)],
                help=f"a version may only grow: bump it to {before + 1} to replace the key, or set 0 to delete it",
            )
            continue
        if version == 0:
            continue
        rotated = before if 0 < before < version else None
        if version != before:
            creating.append((number, loc))
        keys.append(
            AccessKey(
                number=number,
                serial=version,
                active=user.enabled and pa.enabled,
                secret_name=f"iamc/{user.username}/access-key-{number}",
                loc=loc,
                rotated_from=rotated,
            )
        )
    # Paco made a user's keys outside CloudFormation: they stay until deleted by hand
    paco_keys = sum(v > 0 for v in (pa.access_key_1_version, pa.access_key_2_version)) if paco else 0
    own = 1 if self_managed else 0
    peak = existing + paco_keys + own + len(creating)
    if creating and peak > MAX_KEYS_PER_USER:
        number, loc = creating[-1]
        notes = [f"keys that exist before this deployment: {existing} made by iamc"]
        if paco_keys:
            notes[0] += f", {paco_keys} made by Paco outside CloudFormation (paco_migration)"
        if own:
            notes[0] += ", and one the user may have made (an AccessKeys permission)"
        diags.add(
            "W401",
            f"user `{user.key}` would need {peak} access keys during this deployment; IAM allows {MAX_KEYS_PER_USER}",
            loc,
            label="creates a key",
            notes=notes
            + ["a replacement key is created before the key it replaces is deleted, so the deployment fails"],
            help="delete a key first (set its version to 0 and deploy, or delete Paco's by hand), then create "
            "or rotate one key per deployment",
        )
    return tuple(keys)
