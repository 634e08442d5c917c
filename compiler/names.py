"""Paco's naming rules, from a user's key (DESIGN.md "Names").

    role_name("john.doe")          -> "IAM-User-Account-Delegate-Role-john.doe"
    delegate_stack_name("john.doe") -> "Resource-IAM-User-John-doe-Account-Delegates"
    user_policy_name("john.doe")   -> "IAM-User-AssumeRole-Policy-John.doe"
    user_logical_id("john.doe")    -> "IAMUserjohndoe"

A team moving from Paco deploys over its existing stacks, so these must
match Paco's byte for byte.
"""

from __future__ import annotations

import re

ROLE_PREFIX = "IAM-User-Account-Delegate-Role-"
USER_POLICY_PREFIX = "IAM-User-AssumeRole-Policy-"
USERS_STACK = "Resource-IAM-User-Accounts"
MAX_ROLE_NAME = 64
MAX_USER_NAME = 64
MAX_POLICY_NAME = 128
MAX_STACK_NAME = 128

IAM_NAME_CHARS = re.compile(r"[A-Za-z0-9+=,.@_-]+")
_NOT_IAM_NAME = re.compile(r"[^A-Za-z0-9+=,.@_-]")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def iam_name_part(text: str) -> str:
    """`text` with the characters IAM names cannot hold removed."""
    return _NOT_IAM_NAME.sub("", text)


def alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


def role_name(key: str) -> str:
    return ROLE_PREFIX + iam_name_part(key)


def user_policy_name(key: str) -> str:
    return USER_POLICY_PREFIX + iam_name_part(key).capitalize()


def stack_key(key: str) -> str:
    """The key as it appears in stack names: non-alphanumerics to `-`, first letter upper-cased."""
    k = _NOT_ALNUM.sub("-", key)
    return k[:1].upper() + k[1:]


def delegate_stack_name(key: str) -> str:
    return f"Resource-IAM-User-{stack_key(key)}-Account-Delegates"


def account_user_stack_name(username: str) -> str:
    """Paco's stack for a user with `disable_account_delegates` or outside the master account."""
    return f"Resource-IAM-User-Account-{_NOT_ALNUM.sub('-', username)}"


def user_logical_id(key: str) -> str:
    return "IAMUser" + alnum(key)


def user_policy_logical_id(key: str) -> str:
    return "IAMUserPolicy" + alnum(key)


def custom_policy_logical_id(policy_name: str) -> str:
    return "CustomPolicy" + alnum(policy_name)


def users_stack_logical_ids(key: str) -> tuple[str, ...]:
    """The logical IDs a key gives in the users stack, which share one namespace:
    `IAMUserPolicyalice` is alice's policy, and the user of the key `Policyalice`."""
    return user_logical_id(key), user_policy_logical_id(key)


# Every form a key takes in generated names, with whether IAM compares it without case.
# Two keys that agree on one of these would overwrite each other.
KEY_FORMS = (
    ("delegate role name", role_name, True),
    ("managed policy name", user_policy_name, True),
    ("stack name", delegate_stack_name, False),
    ("logical ID", users_stack_logical_ids, False),
)
