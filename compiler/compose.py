"""YAML events to the located tree: the second half of loading.

    "users:\n  alice: {enabled: true}\n"
      -> Map([(Scalar("users"), Map([(Scalar("alice"), Map([(Scalar("enabled"), Scalar(True))]))]))])

The events come from libyaml (PyYAML's C parser, some ten times faster than
ruamel's pure Python) for plain YAML, and from ruamel for everything else and
wherever libyaml refuses, so what iamc accepts and every syntax message it
gives are ruamel's, as for Paco. Tags are resolved by ruamel's YAML 1.2
resolver either way. The tree is built here with an explicit stack: no
recursion, however deep the file; aliases share the anchored subtree, and
each node's expanded size is summed as it closes, so a file whose aliases
would expand past the limit is refused without ever being expanded.
"""

from __future__ import annotations

import functools
import math
import re

import ruamel.yaml
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from .diagnostics import Diagnostics
from .tree import Document, Loc, Map, Node, Scalar, Seq, Span, article, kind_of

try:  # libyaml, through PyYAML: only a faster reader of the same events
    import yaml
except ImportError:  # pragma: no cover - iamc then reads with ruamel alone
    yaml = None

MAX_EXPANDED_NODES = 1_000_000
MAX_DEPTH = 200

T = "tag:yaml.org,2002:"
# values of these keys are secrets: they are marked, and no rendering ever shows them
SECRET_KEYS = frozenset({"default_password"})
_PLAIN_TAGS = {
    T + "str",
    T + "int",
    T + "float",
    T + "bool",
    T + "null",
    T + "timestamp",
    T + "map",
    T + "seq",
    T + "merge",
}


def parse(doc: Document, diags: Diagnostics) -> Node | None:
    """YAML text to a located tree; None (with a diagnostic, unless empty) on failure.

    The events come from libyaml (PyYAML's C parser, some ten times faster)
    where it reads the file; where it refuses, ruamel's own parser reads it
    again, so what iamc rejects and every syntax message it gives are
    ruamel's, as for Paco. Tags are always resolved by ruamel's YAML 1.2
    resolver, and the tree is built here, from the events, without recursion.
    """
    for parse_events in _parsers(doc.text):
        trial = Diagnostics()
        doc.secret_spans.clear()
        try:
            root = _Builder(doc, trial, plain_only=parse_events is not _reference_events).build(parse_events(doc.text))
        except Exception as e:  # noqa: BLE001 - any refusal of the fast parser goes to the reference one
            if parse_events is not _reference_events:
                continue
            if isinstance(e, MarkedYAMLError):
                _syntax_error(doc, e, diags)
            elif isinstance(e, ReaderError):
                line, col = _offset_to_line_col(doc.text, e.position)
                diags.add_at_span(
                    "E101",
                    f"character {e.character!r} is not allowed in YAML",
                    doc.file,
                    Span(line, col, line, col + 1),
                    help="remove the control character",
                )
            elif isinstance(e, UndefinedAlias):
                diags.add_at_span(
                    "E101",
                    f"found undefined alias `*{e.event.anchor}`",
                    doc.file,
                    _event_span(e.event),
                    help="define the anchor (`&name`) before the alias (`*name`) that uses it",
                )
            elif isinstance(e, YAMLError):
                diags.add("E101", f"{doc.file} is not valid YAML: {e}", Loc(doc.file))
            else:
                raise
            return None
        diags.extend(trial)
        return root
    return None


_RUAMEL = ruamel.yaml.YAML(typ="safe", pure=True)


def _reference_events(text: str):
    return _RUAMEL.parse(text)


def _libyaml_events(text: str):
    return yaml.parse(text, Loader=yaml.CSafeLoader)


# libyaml reads these as YAML 1.1 does (tabs more leniently, NEL and the Unicode separators
# as line breaks): a file with one is read by ruamel alone
_YAML11_CHARACTERS = re.compile("[\t\x85\u2028\u2029\ufeff]")


def _parsers(text: str):
    if yaml is not None and getattr(yaml, "__with_libyaml__", False) and not _YAML11_CHARACTERS.search(text):
        return (_libyaml_events, _reference_events)
    return (_reference_events,)


def _syntax_error(doc: Document, e: MarkedYAMLError, diags: Diagnostics) -> None:
    mark = e.problem_mark or e.context_mark
    problem = (e.problem or e.context or "invalid YAML").strip()
    helps = []
    if "\\t" in problem or "\t" in problem or " tab " in problem:
        helps.append("YAML does not allow tabs for indentation: use spaces")
    if "mapping values are not allowed" in problem:
        helps.append("a value that contains `: ` must be quoted")
    if "found undefined alias" in problem:
        helps.append("define the anchor (`&name`) before the alias (`*name`) that uses it")
    if mark is None:
        diags.add("E101", f"invalid YAML: {problem}", Loc(doc.file), help=helps)
        return
    related = []
    if (
        e.context_mark is not None
        and e.problem_mark is not None
        and e.context
        and e.context_mark.line != e.problem_mark.line
    ):
        related.append(("started here: " + e.context.strip(), _mark_span(e.context_mark)))
    diags.add_at_span("E101", problem, doc.file, _mark_span(mark), help=helps, related_spans=related)


def _mark_span(mark) -> Span:
    return Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)


def _offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("node", "anchor", "count", "key", "seen", "merged", "flow")

    def __init__(self, node, anchor, flow):
        self.node, self.anchor, self.count, self.flow = node, anchor, 1, flow
        self.key: Scalar | None | bool = None  # mappings: the key awaiting its value (False: skip it)
        self.seen: dict[str, Scalar] = {}
        self.merged: list[tuple[Scalar, Node]] = []


class _Abort(Exception):
    """The file cannot be read on (reported already)."""


class _Fallback(Exception):
    """The fast parser met YAML outside the plain subset where it agrees with ruamel."""


class UndefinedAlias(Exception):
    """An alias before (or without) its anchor: a YAML error, which ruamel's parser words."""

    def __init__(self, event):
        super().__init__(event.anchor)
        self.event = event


class _Builder:
    """Builds the located tree from a stream of YAML events, with an explicit stack.

    Aliases share the anchored subtree; each node's expanded size is summed as
    it closes, so a file whose aliases would expand past the limit is refused
    without ever being expanded.
    """

    def __init__(self, doc: Document, diags: Diagnostics, plain_only: bool = False):
        self.doc = doc
        self.diags = diags
        # libyaml agrees with ruamel on plain YAML; anchors, aliases, tags and directives
        # (where the two differ at the edges) are left to ruamel
        self.plain_only = plain_only
        self.resolve = _resolve_plain
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.open_anchors: set[str] = set()
        self.zero_width: dict[int, Scalar] = {}  # empty scalars, which parsers place differently

    def build(self, events) -> Node | None:
        stack: list[_Frame] = []
        root: Node | None = None
        documents = 0
        try:
            for ev in events:
                kind = type(ev).__name__
                if self.plain_only and (
                    getattr(ev, "anchor", None)
                    or getattr(ev, "tag", None)
                    or kind == "AliasEvent"
                    or getattr(ev, "version", None)
                    or getattr(ev, "tags", None)
                ):
                    raise _Fallback
                if kind == "DocumentStartEvent":
                    documents += 1
                    if documents > 1:
                        self.diags.add_at_span(
                            "E109",
                            f"{self.doc.file} holds more than one YAML document",
                            self.doc.file,
                            _mark_span(ev.start_mark),
                            help="a Paco file is one document: remove the `---` separator",
                        )
                        raise _Abort
                    continue
                if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                    continue
                if kind in ("MappingStartEvent", "SequenceStartEvent"):
                    if len(stack) >= MAX_DEPTH:
                        self.diags.add_at_span(
                            "E107", f"nesting deeper than {MAX_DEPTH} levels", self.doc.file, _mark_span(ev.start_mark)
                        )
                        raise _Abort
                    is_map = kind == "MappingStartEvent"
                    self.check_tag(ev, T + ("map" if is_map else "seq"))
                    span = Span(ev.start_mark.line + 1, ev.start_mark.column + 1, 0, 0)
                    frame = _Frame(Map(span, []) if is_map else Seq(span, []), ev.anchor, bool(ev.flow_style))
                    if ev.anchor:
                        self.open_anchors.add(ev.anchor)
                    stack.append(frame)
                    continue
                if kind in ("MappingEndEvent", "SequenceEndEvent"):
                    frame = stack.pop()
                    node = frame.node
                    last = (
                        node.entries[-1][1]
                        if isinstance(node, Map) and node.entries
                        else node.items[-1]
                        if isinstance(node, Seq) and node.items
                        else None
                    )
                    if frame.flow or last is None:
                        end = (ev.end_mark.line + 1, ev.end_mark.column + 1)
                    else:  # a block collection ends with its last value (parsers disagree on where else)
                        end = (last.span.end_line, last.span.end_col)
                    node.span = Span(node.span.line, node.span.col, *end)
                    if isinstance(node, Map):
                        for key, value in frame.merged:  # `<<` fills in what the mapping does not set
                            if key.value not in frame.seen:
                                frame.seen[key.value] = key
                                node.entries.append((key, value))
                    if frame.count > MAX_EXPANDED_NODES:
                        self.diags.add_at_span(
                            "E106",
                            f"anchors and aliases expand this to {frame.count:,} nodes (limit {MAX_EXPANDED_NODES:,})",
                            self.doc.file,
                            node.span,
                            help="write the values out instead of aliasing them repeatedly",
                        )
                        raise _Abort
                    if frame.anchor:
                        self.open_anchors.discard(frame.anchor)
                        self.anchors[frame.anchor] = (node, frame.count)
                    value, count = node, frame.count
                elif kind == "AliasEvent":
                    if ev.anchor in self.open_anchors:
                        self.diags.add_at_span(
                            "E106",
                            "this alias refers to the node that contains it",
                            self.doc.file,
                            _event_span(ev),
                            help="a Paco file cannot hold a recursive structure",
                        )
                        raise _Abort
                    if ev.anchor not in self.anchors:
                        raise UndefinedAlias(ev)
                    value, count = self.anchors[ev.anchor]
                else:
                    value, count = self.scalar(ev), 1
                    if ev.anchor:
                        self.anchors[ev.anchor] = (value, 1)
                if not stack:
                    root = value
                    continue
                self.add(stack[-1], value, count)
        except _Abort:
            return None
        return root

    def add(self, frame: _Frame, value: Node, count: int) -> None:
        frame.count += count
        node = frame.node
        if isinstance(node, Seq):
            node.items.append(value)
            return
        if frame.key is None:  # this is a key
            frame.key = self.key(value)
            return
        key, frame.key = frame.key, None
        if key is False:
            return
        if self.zero_width.get(id(value)) is value:
            # an empty value stands right after its key's colon, whichever parser read it
            value.span = Span(key.span.end_line, key.span.end_col + 1, key.span.end_line, key.span.end_col + 2)
        if key.tag == T + "merge":
            self.merge(frame, value)
            return
        if key.value in frame.seen:
            first = frame.seen[key.value]
            self.diags.add_at_span(
                "E102",
                f"duplicate key `{key.value}`",
                self.doc.file,
                key.span,
                label="second definition",
                related_spans=[("first defined here", first.span)],
                help="YAML keeps only one of the two; remove or rename one",
            )
            return
        frame.seen[key.value] = key
        if key.value in SECRET_KEYS:
            self.doc.secret_spans.append(value.span)
        node.entries.append((key, value))

    def key(self, node: Node) -> Scalar | bool:
        if not isinstance(node, Scalar):
            self.diags.add_at_span(
                "E111", f"a mapping key must be a plain string, not {article(kind_of(node))}", self.doc.file, node.span
            )
            return False
        if node.tag == T + "merge":
            return node
        if node.value is None or isinstance(node.value, bool):
            # `Null:` (the IAM condition operator) and `True:` are names when they are keys
            return Scalar(node.span, node.raw, node.raw, T + "str", node.style)
        if not isinstance(node.value, str):
            self.diags.add_at_span(
                "E111",
                f"key `{node.raw}` is read as {article(node.type_name)}, not a string",
                self.doc.file,
                node.span,
                help=f"quote it: '{node.raw}'",
            )
            return False
        return node

    def merge(self, frame: _Frame, value: Node) -> None:
        sources = value.items if isinstance(value, Seq) else [value]
        for src in sources:
            if not isinstance(src, Map):
                self.diags.add_at_span("E101", "`<<` merges only mappings", self.doc.file, src.span)
                continue
            taken = {k.value for k, _ in frame.merged}
            frame.merged.extend(e for e in src.entries if e[0].value not in taken)

    def check_tag(self, ev, expected: str) -> None:
        tag = ev.tag
        if tag is None or tag == "!" or tag == expected or tag in _PLAIN_TAGS:
            return
        self.diags.add_at_span(
            "E108",
            f"YAML tag `{tag}` is not used in Paco files",
            self.doc.file,
            _event_span(ev),
            help="remove the tag; iamc reads plain YAML values",
        )

    def scalar(self, ev) -> Scalar:
        raw = ev.value
        if ev.tag is None or ev.tag == "!":
            tag = self.resolve(raw) if ev.implicit[0] else T + "str"
        else:
            tag = ev.tag
            self.check_tag(ev, T + "str")
        value: object = raw
        if tag == T + "null":
            value = None
        elif tag == T + "bool":
            value = raw.lower() == "true"
        elif tag == T + "int":
            value = _to_int(raw)
        elif tag == T + "float":
            value = _to_float(raw)
        node = Scalar(_event_span(ev), value, raw, tag, ev.style or None)
        if ev.start_mark.line == ev.end_mark.line and ev.start_mark.column == ev.end_mark.column:
            self.zero_width[id(node)] = node
        return node


# ruamel's YAML 1.2 implicit resolvers, by first character, read once: the same answers as
# ruamel's resolver (which re-derives this table for every scalar), at a fraction of the cost
_IMPLICIT = {k: [(str(tag), rx) for tag, rx in v] for k, v in _RUAMEL.resolver.versioned_resolver.items()}


@functools.lru_cache(maxsize=65536)
def _resolve_plain(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[0] if value else "", []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            return tag
    return T + "str"


def _event_span(ev) -> Span:
    s, e = ev.start_mark, ev.end_mark
    end_col = e.column + 1
    if e.line == s.line and e.column <= s.column:
        end_col = s.column + 2
    return Span(s.line + 1, s.column + 1, e.line + 1, end_col)


def _to_int(raw: str) -> int:
    s = raw.replace("_", "")
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if s.lower().startswith(prefix):
            return sign * int(s[2:], base)
    return sign * int(s)


def _to_float(raw: str) -> float:
    s = raw.replace("_", "").lower()
    if s.lstrip("+-") == ".inf":
        return -math.inf if s.startswith("-") else math.inf
    if s == ".nan":
        return math.nan
    return float(s)
