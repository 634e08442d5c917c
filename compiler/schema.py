"""Declarative schemas for the Paco files and iamc.yaml, and the one reader
that applies them.

    read(USER, node, loc, diags) -> Record({"username": "alice", "enabled": True, ...})

A schema lists every field a mapping may hold, with its kind. The reader
reports unknown keys (with "did you mean"), wrong types and values outside an
enumeration, and answers each Paco field that iamc reads but cannot honour
with a warning. Values that fail are left out of the record, so lowering can
go on and report the rest.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .diagnostics import Diagnostics
from .tree import Loc, Map, Node, Scalar, Seq, article, describe


def suggest(word: str, choices) -> str | None:
    """The closest choice, if one is close enough to be a likely typo."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    if len(word) >= 3:
        prefixed = [c for c in choices if c.lower().startswith(word.lower())]
        if len(prefixed) == 1:
            return prefixed[0]
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        return lowered[match[0]] if match else None
    return match[0]


def did_you_mean(word: str, choices) -> str:
    s = suggest(word, choices)
    return f"did you mean `{s}`?" if s else ""


class Kind:
    """How one field's value is read. `read` returns the value, or INVALID after reporting."""

    what = "value"

    def read(self, node: Node, loc: Loc, r: "Reader") -> Any:
        raise NotImplementedError


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


def _type_error(r: "Reader", node: Node, loc: Loc, expected: str, extra_help: str = "") -> _Invalid:
    helps = [extra_help] if extra_help else []
    if isinstance(node, Scalar) and node.value is None:
        helps.append("the value is empty; give one, or remove the key")
    r.diags.add("E202", f"expected {expected}, found {describe(node)}", loc, label=f"expected {expected}", help=helps)
    return INVALID


def node_is_null(node: Node) -> bool:
    return isinstance(node, Scalar) and node.value is None


class Str(Kind):
    what = "a string"

    def __init__(
        self,
        choices: tuple[str, ...] | None = None,
        pattern: str | None = None,
        pattern_help: str = "",
        numbers_ok: bool = False,
    ):
        self.choices = choices
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_help = pattern_help
        self.numbers_ok = numbers_ok

    def read(self, node, loc, r):
        if (
            isinstance(node, Scalar)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
            and self.numbers_ok
        ):
            return node.raw
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            hint = ""
            if isinstance(node, Scalar) and node.value is not None:
                hint = f"YAML reads `{node.raw}` as {article(node.type_name)}; quote it to make it text: '{node.raw}'"
            return _type_error(r, node, loc, "a string", hint)
        value = node.value
        if self.choices is not None and value not in self.choices:
            allowed = (
                f"must be `{self.choices[0]}`" if len(self.choices) == 1 else f"is not one of {', '.join(self.choices)}"
            )
            r.diags.add(
                "E203",
                f"`{value}` {allowed}",
                loc,
                label="not an allowed value",
                help=did_you_mean(value, self.choices) if len(self.choices) > 1 else "",
            )
            return INVALID
        if self.pattern is not None and not self.pattern.fullmatch(value):
            r.diags.add(
                "E203", f"`{value}` is not {self.pattern_help or 'in the expected form'}", loc, label="invalid value"
            )
            return INVALID
        return value


class Bool(Kind):
    what = "a boolean"

    def read(self, node, loc, r):
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        hint = ""
        if (
            isinstance(node, Scalar)
            and isinstance(node.value, str)
            and node.value.lower() in ("yes", "no", "on", "off", "y", "n", "true", "false")
        ):
            truth = node.value.lower() in ("yes", "on", "y", "true")
            hint = f"`{node.raw}` is text here (YAML 1.2); write {'true' if truth else 'false'}"
        return _type_error(r, node, loc, "a boolean (true or false)", hint)


class Int(Kind):
    what = "an integer"

    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def read(self, node, loc, r):
        if not isinstance(node, Scalar) or not isinstance(node.value, int) or isinstance(node.value, bool):
            hint = ""
            if isinstance(node, Scalar) and isinstance(node.value, str) and node.value.strip().isdigit():
                hint = f"remove the quotes: {node.value.strip()}"
            return _type_error(r, node, loc, "an integer", hint)
        v = node.value
        if (self.minimum is not None and v < self.minimum) or (self.maximum is not None and v > self.maximum):
            bounds = (
                f"at least {self.minimum}" if self.maximum is None else f"between {self.minimum} and {self.maximum}"
            )
            r.diags.add("E203", f"{v} is out of range: must be {bounds}", loc, label="out of range")
            return INVALID
        return v


class StrList(Kind):
    """A YAML list of strings; a single string is taken as a list of one, as Paco does."""

    what = "a list of strings"

    def __init__(self, item: Str | None = None, single_ok: bool = True):
        self.item = item or Str()
        self.single_ok = single_ok

    def read(self, node, loc, r):
        if isinstance(node, Scalar) and isinstance(node.value, str) and self.single_ok:
            v = self.item.read(node, loc, r)
            return INVALID if v is INVALID else [(v, loc)]
        if not isinstance(node, Seq):
            return _type_error(r, node, loc, "a list of strings")
        out = []
        for i, item in enumerate(node.items):
            v = self.item.read(item, loc.child(i), r)
            if v is not INVALID:
                out.append((v, loc.child(i)))
        return out


class CommaList(Kind):
    """Paco's comma-separated string (`dev,staging, tools`); the items are checked by lowering."""

    what = "a comma-separated string"

    def read(self, node, loc, r):
        if isinstance(node, Seq) and all(isinstance(i, Scalar) and isinstance(i.value, str) for i in node.items):
            joined = ",".join(i.value for i in node.items)
            return _type_error(
                r, node, loc, "a comma-separated string", f"Paco reads this field only as one string: write `{joined}`"
            )
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            return _type_error(r, node, loc, "a comma-separated string of account names")
        return node.value


class Anything(Kind):
    """Accepted as it is (fields iamc ignores); the located node is returned."""

    def read(self, node, loc, r):
        return node


@dataclass
class Field:
    kind: Kind
    required: bool = False
    default: Any = None
    ignored: str | None = None  # Paco field iamc cannot honour: the W201 message (what iamc does instead)
    ignore_if: Callable[[Any], bool] | None = None  # warn only for values for which this is true


@dataclass
class Schema:
    what: str  # "user", "account", ... for messages
    fields: dict[str, Field]
    named: bool = False  # instances are named by their key (or file): "user `alice`"

    def describe(self, loc: Loc) -> str:
        """`user `alice``, `account `dev``: the instance at `loc`, for messages."""
        if not self.named:
            return self.what
        names = [e for e in loc.path if isinstance(e, str)]
        name = names[-1] if names else loc.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return f"{self.what} `{name}`"


class Obj(Kind):
    def __init__(self, schema: Schema):
        self.schema = schema
        self.what = f"a {schema.what} mapping"

    def read(self, node, loc, r):
        if not isinstance(node, Map):
            return _type_error(r, node, loc, f"a mapping ({self.schema.what})")
        return r.record(self.schema, node, loc)


class MapOf(Kind):
    """A mapping from free names to values of one kind; returns [(name, key_loc_parent, value)]."""

    def __init__(self, value: Kind, what: str):
        self.value = value
        self.what = f"a mapping of {what}"

    def read(self, node, loc, r):
        if node_is_null(node):
            return []
        if not isinstance(node, Map):
            return _type_error(r, node, loc, self.what)
        out = []
        for k, v in node.items():
            val = self.value.read(v, loc.child(k.value), r)
            if val is not INVALID:
                out.append((k.value, loc.child(k.value), val))
        return out


class SeqOf(Kind):
    def __init__(self, item: Kind, what: str):
        self.item = item
        self.what = f"a list of {what}"

    def read(self, node, loc, r):
        if node_is_null(node):
            return []
        if not isinstance(node, Seq):
            return _type_error(r, node, loc, self.what)
        out = []
        for i, item in enumerate(node.items):
            val = self.item.read(item, loc.child(i), r)
            if val is not INVALID:
                out.append((loc.child(i), val))
        return out


@dataclass
class Record:
    """The fields of one mapping that were present and valid (defaults filled in)."""

    schema: Schema
    node: Map
    loc: Loc
    values: dict[str, Any] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.values:
            return self.values[name]
        f = self.schema.fields[name]
        return f.default if default is None else default

    def has(self, name: str) -> bool:
        return name in self.present

    def at(self, name: str) -> Loc:
        return self.loc.child(name)


class Reader:
    def __init__(self, diags: Diagnostics):
        self.diags = diags

    def record(self, schema: Schema, node: Map, loc: Loc) -> Record:
        rec = Record(schema, node, loc)
        misspelt: set[str] = set()  # fields an unknown key probably meant: not reported missing too
        for key, value in node.items():
            name = key.value
            f = schema.fields.get(name)
            if f is None:
                meant = suggest(name, schema.fields)
                if meant:
                    misspelt.add(meant)
                helps = [did_you_mean(name, schema.fields)]
                notes = [] if helps[0] else [f"a {schema.what} has: {', '.join(sorted(schema.fields))}"]
                self.diags.add(
                    "E201",
                    f"unknown key `{name}` in {schema.describe(loc)}",
                    loc.child(name).as_key(),
                    label="unknown key",
                    help=helps,
                    notes=notes,
                )
                continue
            rec.present.add(name)
            if node_is_null(value) and not f.required:
                continue  # an empty optional value means "not set", as in Paco
            v = f.kind.read(value, loc.child(name), self)
            if v is INVALID:
                continue
            rec.values[name] = v
            if f.ignored and (f.ignore_if is None or f.ignore_if(v)):
                self.diags.add(
                    "W201",
                    f"`{name}` is read but not honoured by iamc",
                    loc.child(name).as_key(),
                    label="ignored",
                    help=f.ignored,
                )
        for name, f in schema.fields.items():
            if f.required and name not in rec.present and name not in misspelt:
                self.diags.add(
                    "E204",
                    f"{schema.describe(loc)} has no `{name}`",
                    loc.as_key() if loc.path else loc,
                    label=f"`{name}` is required",
                    help=_required_help(schema, name),
                )
        return rec


def _required_help(schema: Schema, name: str) -> str:
    kind = schema.fields[name].kind
    if isinstance(kind, Str) and kind.choices:
        return f"add `{name}:` with one of {', '.join(kind.choices)}"
    return f"add `{name}:` to this {schema.what}"


def read(schema: Schema, node: Node, loc: Loc, diags: Diagnostics) -> Record | None:
    """Read one mapping against a schema; None (after reporting) if the node is not a mapping."""
    r = Reader(diags)
    if not isinstance(node, Map):
        _type_error(r, node, loc, f"a mapping ({schema.what})")
        return None
    return r.record(schema, node, loc)
