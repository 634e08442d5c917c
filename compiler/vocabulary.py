"""Fixed facts about AWS that iamc checks against."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import importlib.util
import json
import os
import re

# Commercial, GovCloud and China regions that IAM users' stacks may be deployed in.
AWS_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
)

# IAM condition operators; each but Null (which tests whether a key is present
# at all) may take `IfExists` and a `ForAnyValue:` / `ForAllValues:` set prefix.
CONDITION_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
)
SET_PREFIXES = ("ForAnyValue", "ForAllValues")

ACTION = re.compile(r"\*|[a-z0-9][a-z0-9-]*:[A-Za-z0-9*?]+")
SID = re.compile(r"[A-Za-z0-9]+")
ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)")
MANAGED_POLICY_NAME = re.compile(r"[A-Za-z0-9+=,.@_/-]+")
MANAGED_POLICY_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy/[A-Za-z0-9+=,.@_/-]+")
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def split_operator(op: str) -> tuple[str | None, str, bool] | None:
    """`ForAnyValue:StringLikeIfExists` -> ("ForAnyValue", "StringLike", True); None if malformed."""
    prefix = None
    if ":" in op:
        prefix, _, op = op.partition(":")
        if prefix not in SET_PREFIXES:
            return None
    if_exists = op.endswith("IfExists") and op != "IfExists"
    base = op[: -len("IfExists")] if if_exists else op
    if base not in CONDITION_OPERATORS or (base == "Null" and (if_exists or prefix)):
        return None
    return prefix, base, if_exists


def all_operator_forms() -> list[str]:
    """Every valid operator spelling, for suggestions."""
    forms = []
    for base in CONDITION_OPERATORS:
        if base == "Null":
            forms.append(base)
            continue
        for v in (base, base + "IfExists"):
            forms.append(v)
            forms.extend(f"{p}:{v}" for p in SET_PREFIXES)
    return forms


@functools.cache
def iam_actions() -> dict[str, frozenset[str]]:
    """Every IAM action by service prefix, lower-cased, from the data cfn-lint ships.

    Found without importing cfn-lint (which takes a third of a second); empty
    if the data is not where this cfn-lint keeps it, and then nothing is checked.
    """
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", "AdditionalSpecs", "Policies.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return {prefix: frozenset(entry.get("Actions", {})) for prefix, entry in data.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def unknown_action(action: str) -> tuple[str, str | None] | None:
    """Why `service:Action` names no IAM action (with the likeliest meant one), or None if it does."""
    known = iam_actions()
    if not known or action == "*":
        return None
    service, _, name = action.lower().partition(":")
    if service not in known:
        return "service", _closest(service, known)
    actions = known[service]
    if any(ch in name for ch in "*?"):
        if any(fnmatch.fnmatchcase(a, name) for a in actions):
            return None
        return "pattern", None
    if name in actions:
        return None
    meant = _closest(name, actions)
    original = action.partition(":")[2]
    return "action", f"{action.partition(':')[0]}:{_recase(original, meant)}" if meant else None


def _closest(word: str, choices) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return match[0] if match else None


def _recase(written: str, suggestion: str) -> str:
    """The suggestion (cfn-lint keeps actions lower-cased) in the capitals of what was written."""
    out = list(suggestion)
    matcher = difflib.SequenceMatcher(None, written.lower(), suggestion, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            out[block.b + k] = written[block.a + k]
    return "".join(out)
