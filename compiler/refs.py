"""References and account lists as Paco writes them, parsed during lowering.

    "paco.ref accounts.dev.id"  -> Ref(parts=("accounts", "dev", "id"), offsets=((9, 17), (18, 21), (22, 24)))
    "dev, staging,tools"        -> AccountList(all=False, entries=(("dev", 0), ("staging", 1), ("tools", 2)))

Only the form is checked here; what a reference or a name points at is resolve's concern.
"""

from __future__ import annotations

from . import vocabulary
from .diagnostics import Diagnostics, Label
from .ir import AccountList, Ref
from .schema import Record
from .tree import Item, Loc, comma_item_bounds

REF_PREFIX = "paco.ref "


def field_ref(rec: Record, field: str, diags: Diagnostics, expect: str | None = None) -> Ref | None:
    value = rec.get(field)
    if value is None:
        return None
    return parse_ref(value, rec.at(field), diags, expect=expect)


def parse_ref(value: str, loc: Loc, diags: Diagnostics, expect: str | None = None) -> Ref | None:
    """`paco.ref accounts.dev` -> Ref(("accounts", "dev")), reporting malformed references."""
    if not value.startswith(REF_PREFIX):
        if expect == "accounts":
            diags.add(
                "E203",
                f"expected a reference to an account, found `{value}`",
                loc,
                label="not a paco.ref",
                help=f"write `paco.ref accounts.<name>`, e.g. `paco.ref accounts.{value}`"
                if vocabulary.ACCOUNT_NAME.fullmatch(value)
                else "write `paco.ref accounts.<name>`",
            )
        return None
    body_start = len(REF_PREFIX)
    while body_start < len(value) and value[body_start] == " ":
        body_start += 1
    body = value[body_start:].rstrip()
    parts = body.split(".")
    if not body or any(not p or " " in p for p in parts):
        diags.add(
            "E303",
            f"malformed reference `{value}`",
            loc,
            label="not a paco.ref",
            help="a reference is `paco.ref` and a dotted path, e.g. `paco.ref accounts.master`",
        )
        return None
    offsets, pos = [], body_start
    for p in parts:
        offsets.append((pos, pos + len(p)))
        pos += len(p) + 1
    return Ref(value, tuple(parts), loc, tuple(offsets))


def field_account_list(rec: Record, field: str, diags: Diagnostics) -> AccountList | None:
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
            diags.add(
                "E203",
                "empty account name in the list" if len(items) > 1 else "the account list is empty",
                loc.child(Item(i)),
                label="empty",
                help="remove the extra comma"
                if len(items) > 1
                else "name the accounts, comma-separated, or write `all`",
            )
            continue
        if item == "all":
            is_all = True
            continue
        if item in seen:
            diags.add(
                "W202",
                f"account `{item}` is listed twice",
                loc.child(Item(i)),
                label="repeated",
                related=[Label(loc.child(Item(seen[item])), "first listed here")],
            )
            continue
        seen[item] = i
        entries.append((item, i))
    if is_all and entries:
        diags.add(
            "W202", "`all` already includes every account; the other names add nothing", loc, help="write just `all`"
        )
    return AccountList(is_all, tuple(entries), loc)
