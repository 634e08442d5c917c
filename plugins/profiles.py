"""What the per-user text files share: the accounts a person may enter, in a reader's order, with
their display names, colours and regions; the Jinja2 environment; and the rules of the formats.

    user_accounts(plan, "alice") -> [Entry(account=master, title="Master", role="IAM-User-...-alice",
                                            color="000000", region=None, grants=(...)), ...]

Text files are rendered from templates under `templates/<backend>/`, with StrictUndefined and no
autoescaping; every value goes through a filter that refuses what its format cannot carry. The
checks (`check_*`) find those values first and report them at the YAML; a filter that still
refuses is a bug in iamc.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass
from importlib import resources

import jinja2

from iamc.hookspecs import Problem
from iamc.plan_model import Plan
from iamc.resolve import Grant
from iamc.tree import Loc

# the colours Paco's documentation suggests, by account name
DEFAULT_COLORS = {
    "master": "000000",
    "prod": "800000",
    "stage": "4f901a",
    "staging": "4f901a",
    "dev": "008080",
    "tools": "8000ff",
    "security": "e26453",
}


@dataclass(frozen=True)
class Entry:
    """One account a user may enter, as the profile files show it."""

    account: object  # ir.Account
    title: str  # the account's title, else its file name
    role: str
    color: str
    region: str | None  # iamc.yaml's region for the account, if it gives one
    grants: tuple[Grant, ...]
    signin_url: str


def organization(plan: Plan) -> str:
    """The organisation's display name: iamc.yaml's, else project.yaml's title, else its name."""
    return plan.project.settings.organization or plan.project.title or plan.project.name or "AWS"


def organization_loc(plan: Plan) -> Loc:
    settings = plan.project.settings
    if settings.organization:
        return settings.loc.child("organization")
    return Loc("project.yaml", ("title" if plan.project.title else "name",))


def account_order(plan: Plan) -> list:
    """The master account first, then the order of its `organization_account_ids`, then by name."""
    master = plan.master
    listed = [a for a in master.organization_account_ids if a != master.name]
    rank = {name: i for i, name in enumerate(listed)}
    rest = sorted(
        (a for a in plan.project.accounts if a is not master), key=lambda a: (rank.get(a.name, len(rank)), a.name)
    )
    return [master, *rest]


def color(plan: Plan, account) -> str:
    for name, value, _ in plan.project.settings.account_colors:
        if name == account.name:
            return value.lower()
    if account.name.lower() in DEFAULT_COLORS:
        return DEFAULT_COLORS[account.name.lower()]
    # a stable, readable colour from the name: its hue from a hash, a mid lightness for white text
    hue = int.from_bytes(hashlib.sha256(account.name.encode("utf-8")).digest()[:2], "big") / 65536
    r, g, b = colorsys.hls_to_rgb(hue, 0.38, 0.65)
    return f"{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def region(plan: Plan, account) -> str | None:
    for name, value, _ in plan.project.settings.account_regions:
        if name == account.name:
            return value
    return None


def alias(plan: Plan, account) -> str | None:
    for name, value, _ in plan.project.settings.account_aliases:
        if name == account.name:
            return value
    return None


def title_loc(account) -> Loc:
    return account.loc.child("title") if account.title else account.loc


def role_name(plan: Plan, key: str) -> str | None:
    """The name of the user's delegate roles (the same in every account), if it has any."""
    roles = plan.roles_of.get(key)
    return roles[0][1].name if roles else None


def user_accounts(plan: Plan, key: str) -> list[Entry]:
    access_entry = plan.access_of[key]
    out = []
    for account in account_order(plan):
        role = plan.roles.get((key, account.name))
        if role is None:
            continue
        out.append(
            Entry(
                account=account,
                title=account.title or account.name,
                role=role.name,
                color=color(plan, account),
                region=region(plan, account),
                grants=tuple(access_entry.grants.get(account.name, ())),
                signin_url=role.signin_url,
            )
        )
    return out


def users_with_roles(plan: Plan):
    """Each enabled user of the users stacks (the ones with delegate roles), in the project's order."""
    for entry in plan.users:
        if entry.enabled and role_name(plan, entry.key):
            yield plan.planned_user[entry.key]


# the formats' rules


class Refused(ValueError):
    """A value a format cannot carry reached a template: the backend's check should have caught it."""


def _line_filter(forbidden: str, what: str, whole: bool = True):
    """A filter for one line of text without the characters `forbidden`; `whole`: also non-empty and
    without outer spaces (which the format would trim)."""

    def check(value) -> str:
        text = str(value)
        if any(c in text for c in forbidden + "\r\n") or (whole and (text != text.strip() or not text)):
            raise Refused(f"{text!r} cannot be {what}")
        return text

    return check


# the extension's ini cuts every line at `#` or `;`, and a value at a second `=`
ini_name = _line_filter("#;", "a profile name")
ini_value = _line_filter("#;=", "a profile value")
# the AWS CLI's config is read by configparser, without inline comments
cli_value = _line_filter("", "a CLI config value")
comment = _line_filter("", "in a comment", whole=False)


_MARKDOWN_SPECIAL = "\\`*_[]<>|"


def markdown(value) -> str:
    """Text in Markdown (and in a table cell): special characters escaped, line breaks refused."""
    text = str(value)
    if any(c in text for c in "\r\n") or any(ord(c) < 32 for c in text):
        raise Refused(f"{text!r} cannot be in a line of Markdown")
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def code(value) -> str:
    """Text in a Markdown code span."""
    text = str(value)
    if "`" in text or any(c in text for c in "\r\n"):
        raise Refused(f"{text!r} cannot be in a code span")
    return text


def url(value) -> str:
    """A link target in Markdown: nothing that ends it or breaks the line."""
    text = str(value)
    if any(c.isspace() or c in "()<>" for c in text) or not text.startswith("https://"):
        raise Refused(f"{text!r} cannot be a link")
    return text


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        folder = resources.files("iamc.templates")
        _ENV = jinja2.Environment(
            loader=jinja2.FunctionLoader(lambda name: (folder / name).read_text(encoding="utf-8")),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        _ENV.filters.update(
            ini_name=ini_name,
            ini_value=ini_value,
            cli_value=cli_value,
            comment=comment,
            md=markdown,
            code=code,
            url=url,
        )
    return _ENV


def render(template: str, **values) -> str:
    return environment().get_template(template).render(**values)


def refusal(check, value: str, what: str, loc: Loc, help: str, code: str = "E506") -> Problem | None:
    """A Problem if `check` (one of the filters) refuses `value`."""
    try:
        check(value)
    except Refused:
        return Problem(f"{what} `{value}` cannot be written in {help}", loc, _HELP[check], code, label="refused")
    return None


_HELP = {
    ini_name: "the extension cuts a line at `#` or `;`: remove them (and any line break or outer space)",
    ini_value: "the extension cuts a line at `#` or `;` and a value at `=`: remove them",
    markdown: "remove the line break",
    code: "remove the backquote or line break",
    comment: "remove the line break",
}


# LZString's compressToUTF16, as the extension stores its configuration in the browser's Sync storage;
# only the length of the result matters here


def lz_utf16_length(text: str) -> int:
    """len(LZString.compressToUTF16(text)), computed without building the string."""
    bits_per_char = 15
    dictionary: dict[str, int] = {}
    to_create: set[str] = set()
    w = ""
    enlarge_in, dict_size, num_bits = 2, 3, 2
    total_bits = 0

    def emit_w() -> None:
        nonlocal enlarge_in, num_bits, total_bits
        if w in to_create:
            total_bits += num_bits + (8 if ord(w[0]) < 256 else 16)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, num_bits = 2**num_bits, num_bits + 1
            to_create.discard(w)
        else:
            total_bits += num_bits
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in, num_bits = 2**num_bits, num_bits + 1

    for c in text:
        if c not in dictionary:
            dictionary[c] = dict_size
            dict_size += 1
            to_create.add(c)
        wc = w + c
        if wc in dictionary:
            w = wc
        else:
            emit_w()
            dictionary[wc] = dict_size
            dict_size += 1
            w = c
    if w:
        emit_w()
    total_bits += num_bits  # the end marker
    return total_bits // bits_per_char + 1 + 1  # the last, padded character; and compressToUTF16's " "
