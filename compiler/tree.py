"""The located tree: YAML documents whose every key and value knows its place.

The loader builds these; every later stage refers to a place by a logical
`Loc` (a file and a path of keys) and asks the one `Locator` for its span::

    Loc("resource/iam.yaml", ("users", "alice", "account_whitelist", Item(1)))
      -> Span(line=9, col=28, end_line=9, end_col=34)   # the second comma item

Stage code never does line arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

Value = Union[str, int, float, bool, None]


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based line and column range in one file (end is exclusive)."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Item:
    """Path element: the n-th item of a comma-separated scalar."""

    index: int


@dataclass(frozen=True)
class Part:
    """Path element: characters [start, end) of a scalar's value."""

    start: int
    end: int


PathElem = Union[str, int, Item, Part]


@dataclass(frozen=True)
class Loc:
    """A logical place in the project: a file (relative to the project) and a path in it.

    `key=True` points at the mapping key of the last path element rather
    than its value.
    """

    file: str
    path: tuple[PathElem, ...] = ()
    key: bool = False

    def child(self, *elems: PathElem) -> "Loc":
        return Loc(self.file, self.path + tuple(elems))

    def as_key(self) -> "Loc":
        return Loc(self.file, self.path, key=True)

    def dotted(self) -> str:
        return ".".join(str(e) for e in self.path if isinstance(e, (str, int)))


@dataclass(eq=False)
class Node:
    span: Span


@dataclass(eq=False)
class Scalar(Node):
    value: Value
    raw: str  # the scalar's text as YAML saw it, before typing
    tag: str  # resolved tag, e.g. "tag:yaml.org,2002:int"
    style: str | None  # None (plain), "'", '"', "|", ">"

    @property
    def type_name(self) -> str:
        return _TYPE_NAMES.get(type(self.value), "value")


@dataclass(eq=False)
class Seq(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Map(Node):
    # keys are kept as Scalars, so a key has a position of its own
    entries: list[tuple[Scalar, Node]] = field(default_factory=list)

    def get(self, name: str) -> Node | None:
        for k, v in self.entries:
            if k.value == name:
                return v
        return None

    def key_node(self, name: str) -> Scalar | None:
        for k, _ in self.entries:
            if k.value == name:
                return k
        return None

    def items(self) -> Iterator[tuple[Scalar, Node]]:
        return iter(self.entries)


_TYPE_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


def article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def describe(node: Node) -> str:
    """What a node is, with its text where that helps: `the string 'yes'`, `a list`."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    assert isinstance(node, Scalar)
    if node.value is None:
        return "an empty value"
    shown = f"'{node.raw}'" if node.style in ("'", '"') else node.raw
    if len(shown) > 40 or "\n" in shown:
        return f"a {node.type_name}"
    return f"the {node.type_name} `{shown}`"


def kind_of(node: Node) -> str:
    """A user-facing name for what a node is."""
    if isinstance(node, Map):
        return "mapping"
    if isinstance(node, Seq):
        return "list"
    assert isinstance(node, Scalar)
    return node.type_name


@dataclass(eq=False)
class Document:
    """One loaded file: its text (for rendering) and its tree (None when empty)."""

    file: str  # relative to the project folder, with forward slashes
    text: str
    root: Node | None
    secret_spans: list[Span] = field(default_factory=list)  # values never to be shown (default_password)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


class Locator:
    """Maps a logical `Loc` back to a `Span` in the loaded documents."""

    def __init__(self, documents: dict[str, Document] | None = None):
        self.documents: dict[str, Document] = dict(documents or {})

    def add(self, doc: Document) -> None:
        self.documents[doc.file] = doc

    def source_line(self, file: str, line: int) -> str | None:
        """The text of one line, for rendering; secret values are masked."""
        doc = self.documents.get(file)
        if doc is None:
            return None
        lines = doc.lines
        if not 1 <= line <= len(lines):
            return None
        text = lines[line - 1]
        for sp in doc.secret_spans:
            if sp.line <= line <= sp.end_line:
                start = sp.col - 1 if sp.line == line else 0
                end = sp.end_col - 1 if sp.end_line == line else len(text)
                text = text[:start] + "********" + text[end:]
        return text

    def span(self, loc: Loc) -> Span | None:
        doc = self.documents.get(loc.file)
        if doc is None or doc.root is None:
            return None
        node: Node = doc.root
        key_node: Scalar | None = None
        last: Span = node.span
        # a path that goes past what the file holds (a missing field) points at the
        # deepest key that exists: `alice:` for users.alice.username
        for elem in loc.path:
            if isinstance(elem, (Item, Part)):
                if not isinstance(node, Scalar):
                    return node.span
                return _sub_span(doc, node, elem) or node.span
            if isinstance(elem, str) and isinstance(node, Map):
                found = None
                for k, v in node.entries:
                    if k.value == elem:
                        found = (k, v)
                if found is None:
                    return key_node.span if key_node is not None else last
                key_node, node = found
            elif isinstance(elem, int) and isinstance(node, Seq):
                if not 0 <= elem < len(node.items):
                    return key_node.span if key_node is not None else last
                key_node, node = None, node.items[elem]
            else:
                return key_node.span if key_node is not None else last
            last = node.span
        if loc.key and key_node is not None:
            return key_node.span
        return node.span


def _sub_span(doc: Document, scalar: Scalar, elem: Item | Part) -> Span | None:
    """The span of part of a scalar, where its source text shows it verbatim."""
    value = scalar.value
    if not isinstance(value, str) or scalar.span.line != scalar.span.end_line:
        return None
    line = doc.lines[scalar.span.line - 1]
    start_col = scalar.span.col - 1
    body_start = start_col + (1 if scalar.style in ("'", '"') else 0)
    if line[body_start : body_start + len(value)] != value:
        return None  # escapes or folding: the text is not the value
    if isinstance(elem, Part):
        start, end = elem.start, elem.end
    else:
        bounds = comma_item_bounds(value)
        if not 0 <= elem.index < len(bounds):
            return None
        start, end = bounds[elem.index]
    if end <= start:
        end = start + 1
    return Span(scalar.span.line, body_start + start + 1, scalar.span.line, body_start + end + 1)


def comma_item_bounds(text: str) -> list[tuple[int, int]]:
    """Character bounds of each item of a comma list, without the spaces around it."""
    bounds = []
    pos = 0
    for piece in text.split(","):
        lead = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        start = pos + lead
        bounds.append((start, start + len(stripped)))
        pos += len(piece) + 1
    return bounds
