"""Stage 1, load: the project's files become located trees.

    accounts/dev.yaml:  "account_id: '222222222222'\n"
      -> Document("accounts/dev.yaml", root=Map([(Scalar("account_id"), Scalar("222222222222"))]))

Everything that can go wrong with the bytes and the YAML is a diagnostic
here, never an exception: unreadable or oversized files, bytes that are not
UTF-8, syntax errors, duplicate keys, anchors and aliases that would expand
past a limit ("billion laughs"), nesting too deep, tags Paco files never use.
Aliases are never expanded: the located tree shares the anchored subtree,
and its expanded size is counted on the node graph with memoisation, so a
hostile file costs time and memory in proportion to its length.
"""

from __future__ import annotations

import codecs
import math
import os
from dataclasses import dataclass, field

import ruamel.yaml
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .diagnostics import Diagnostics, Label
from .tree import Document, Loc, Map, Node, Scalar, Seq, Span, article

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_EXPANDED_NODES = 1_000_000
MAX_DEPTH = 200
_COUNT_CAP = MAX_EXPANDED_NODES * 10   # counting stops growing here: past the limit, by how much is moot

T = "tag:yaml.org,2002:"
# values of these keys are secrets: the loader marks them, and no rendering ever shows them
SECRET_KEYS = frozenset({"default_password"})
_PLAIN_TAGS = {T + "str", T + "int", T + "float", T + "bool", T + "null", T + "timestamp",
               T + "map", T + "seq", T + "merge"}


@dataclass
class Sources:
    """Every file that iamc reads, loaded; `root` is the project folder."""

    root: str
    project: Document | None = None
    accounts: dict[str, Document] = field(default_factory=dict)   # account name -> document
    iam: Document | None = None
    codecommit: Document | None = None
    settings: Document | None = None                              # iamc.yaml

    def documents(self) -> list[Document]:
        docs = [self.project, *self.accounts.values(), self.iam, self.codecommit, self.settings]
        return [d for d in docs if d is not None]


def load(root: str) -> tuple[Sources, Diagnostics]:
    """Find and load every file of the Paco project at `root`."""
    diags = Diagnostics()
    sources = Sources(root=root)
    if not os.path.isdir(root):
        diags.add("E110", f"project folder `{root}` does not exist or is not a folder",
                  Loc("."), help="pass the folder that holds project.yaml, accounts/ and resource/")
        return sources, diags

    sources.project = _load_one(root, ["project.yaml", "project.yml"], diags, required=True,
                                missing_help="run iamc in a Paco project folder, or pass that folder as PROJECT")
    sources.iam = _load_one(root, ["resource/iam.yaml", "resource/iam.yml"], diags, required=True,
                            missing_help="iamc compiles the users of resource/iam.yaml; create it with a `users:` mapping")
    sources.codecommit = _load_one(root, ["resource/codecommit.yaml", "resource/codecommit.yml"], diags)
    sources.settings = _load_one(root, ["iamc.yaml", "iamc.yml"], diags)

    accounts_dir = os.path.join(root, "accounts")
    if not os.path.isdir(accounts_dir):
        diags.add("E110", "the project has no accounts/ folder", Loc("accounts"),
                  help="add one accounts/<name>.yaml per AWS account, as Paco does")
        return sources, diags
    try:
        names = sorted(os.listdir(accounts_dir))
    except OSError as e:
        diags.add("E100", f"cannot list accounts/: {e.strerror}", Loc("accounts"))
        return sources, diags
    seen: dict[str, str] = {}
    for fname in names:
        stem, ext = os.path.splitext(fname)
        if ext not in (".yaml", ".yml") or fname.startswith("."):
            continue
        rel = f"accounts/{fname}"
        if stem in seen:
            diags.add("E112", f"account `{stem}` is defined by both {seen[stem]} and {rel}", Loc(rel),
                      help="keep one of the two files")
            continue
        seen[stem] = rel
        doc = load_file(root, rel, diags)
        if doc is not None:
            sources.accounts[stem] = doc
    if not seen:
        diags.add("E110", "accounts/ holds no account files", Loc("accounts"),
                  help="add one accounts/<name>.yaml per AWS account, as Paco does")
    return sources, diags


def _load_one(root: str, candidates: list[str], diags: Diagnostics, required: bool = False,
              missing_help: str = "") -> Document | None:
    present = [c for c in candidates if os.path.isfile(os.path.join(root, c))]
    if len(present) > 1:
        diags.add("E112", f"both {present[0]} and {present[1]} exist", Loc(present[1]),
                  help=f"keep one of the two files; iamc reads {present[0]}")
    if not present:
        if required:
            diags.add("E110", f"the project has no {candidates[0]}", Loc(candidates[0]), help=missing_help)
        return None
    return load_file(root, present[0], diags)


def load_file(root: str, rel: str, diags: Diagnostics) -> Document | None:
    """Read one file: bytes, then text, then a located tree. None if it cannot be had."""
    path = os.path.join(root, rel)
    loc = Loc(rel)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        diags.add("E100", f"cannot read {rel}: {e.strerror}", loc)
        return None
    if len(data) > MAX_FILE_BYTES:
        diags.add("E105", f"{rel} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", loc,
                  help="iamc refuses files this large; an IAM project's files are far smaller")
        return None
    text = _decode(rel, data, diags)
    if text is None:
        # kept, so the diagnostic can show the offending line
        return Document(rel, data.decode("utf-8", "replace"), None)
    doc = Document(rel, text, None)
    root_node = parse(doc, diags)
    if root_node is None:
        if not diags.has_errors_in(rel):
            diags.add("E103", f"{rel} is empty", loc, help="a Paco file holds one YAML mapping")
        return doc
    doc.root = root_node
    return doc


def _decode(rel: str, data: bytes, diags: Diagnostics) -> str | None:
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            diags.add("E104", f"{rel} is {name} text", Loc(rel), help="save the file as UTF-8")
            return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[line_start:e.start].decode("utf-8", "replace")) + 1
        # the document is not loaded, so the span is carried by a synthetic one-line document
        diags.add_at_span("E104", f"{rel} is not UTF-8: byte 0x{data[e.start]:02x} is not valid here", rel,
                          Span(line, col, line, col + 1), help="save the file as UTF-8")
        return None


def parse(doc: Document, diags: Diagnostics) -> Node | None:
    """YAML text to a located tree; None (with a diagnostic, unless empty) on failure."""
    yaml = ruamel.yaml.YAML(typ="safe", pure=True)
    try:
        nodes = yaml.compose_all(doc.text)
        first = next(nodes, None)
        second = next(nodes, None) if first is not None else None
    except MarkedYAMLError as e:
        _syntax_error(doc, e, diags)
        return None
    except ReaderError as e:
        line, col = _offset_to_line_col(doc.text, e.position)
        diags.add_at_span("E101", f"character {e.character!r} is not allowed in YAML", doc.file,
                          Span(line, col, line, col + 1), help="remove the control character")
        return None
    except RecursionError:
        diags.add("E107", f"{doc.file} nests too deeply to read", Loc(doc.file))
        return None
    except YAMLError as e:  # any other complaint of the YAML library
        diags.add("E101", f"{doc.file} is not valid YAML: {e}", Loc(doc.file))
        return None
    if first is None:
        return None
    if second is not None:
        diags.add_at_span("E109", f"{doc.file} holds more than one YAML document", doc.file,
                          _span(second), help="a Paco file is one document: remove the `---` separator")
        return None
    builder = _Builder(doc, diags)
    expanded = builder.count(first)
    if expanded is None:
        return None
    if expanded > MAX_EXPANDED_NODES:
        culprit = builder.largest_child(first)
        amount = f"more than {_readable(expanded)}" if expanded >= _COUNT_CAP else _readable(expanded)
        diags.add_at_span("E106", f"anchors and aliases expand this to {amount} nodes "
                          f"(limit {_readable(MAX_EXPANDED_NODES)})", doc.file, _span(culprit),
                          help="write the values out instead of aliasing them repeatedly")
        return None
    return builder.build(first, 0)


def _syntax_error(doc: Document, e: MarkedYAMLError, diags: Diagnostics) -> None:
    mark = e.problem_mark or e.context_mark
    problem = (e.problem or e.context or "invalid YAML").strip()
    helps = []
    if "\\t" in problem or "'\\t'" in problem or "\t" in problem:
        helps.append("YAML does not allow tabs for indentation: use spaces")
    if "mapping values are not allowed" in problem:
        helps.append("a value that contains `: ` must be quoted")
    if "found undefined alias" in problem:
        helps.append("define the anchor (`&name`) before the alias (`*name`) that uses it")
    if mark is None:
        diags.add("E101", f"invalid YAML: {problem}", Loc(doc.file), help=helps)
        return
    related = []
    if e.context_mark is not None and e.problem_mark is not None and e.context and \
            e.context_mark.line != e.problem_mark.line:
        related.append(("started here: " + e.context.strip(), _mark_span(e.context_mark)))
    diags.add_at_span("E101", problem, doc.file, _mark_span(mark), help=helps, related_spans=related)


def _mark_span(mark) -> Span:
    return Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)


def _span(node) -> Span:
    s, e = node.start_mark, node.end_mark
    end_col = e.column + 1
    if e.line == s.line and e.column <= s.column:
        end_col = s.column + 2
    return Span(s.line + 1, s.column + 1, e.line + 1, end_col)


def _offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _readable(n: int) -> str:
    return f"{n:,}"


class _Builder:
    """Turns ruamel's node graph into the located tree."""

    def __init__(self, doc: Document, diags: Diagnostics):
        self.doc = doc
        self.diags = diags
        self.counts: dict[int, int] = {}
        self.built: dict[int, Node] = {}
        self.reported_tags: set[int] = set()

    def count(self, root) -> int | None:
        """Expanded node count, memoised on node identity; None if an alias refers to itself."""
        # iterative post-order walk: documents can nest deeper than Python recurses
        stack = [(root, False)]
        active: set[int] = set()
        while stack:
            node, done = stack.pop()
            nid = id(node)
            if done:
                active.discard(nid)
                self.counts[nid] = min(1 + sum(self.counts[id(c)] for c in _children(node)),
                                       _COUNT_CAP)
                continue
            if nid in self.counts:
                continue
            if nid in active:
                self.diags.add_at_span("E106", "this anchor refers to itself through an alias",
                                       self.doc.file, _span(node), help="a Paco file cannot hold a recursive structure")
                return None
            if len(active) > MAX_DEPTH:
                self.diags.add_at_span("E107", f"nesting deeper than {MAX_DEPTH} levels", self.doc.file, _span(node))
                return None
            active.add(nid)
            stack.append((node, True))
            for c in _children(node):
                if id(c) not in self.counts:
                    stack.append((c, False))
        return self.counts[id(root)]

    def largest_child(self, node):
        while True:
            kids = [c for c in _children(node) if self.counts.get(id(c), 0) > MAX_EXPANDED_NODES]
            if not kids or isinstance(node, SequenceNode):
                return node
            node = kids[0]

    def build(self, node, depth: int) -> Node:
        nid = id(node)
        if nid in self.built:
            return self.built[nid]
        if isinstance(node, ScalarNode):
            out: Node = self.scalar(node)
        elif isinstance(node, SequenceNode):
            self.check_tag(node, T + "seq")
            out = Seq(_span(node), [self.build(c, depth + 1) for c in node.value])
        else:
            self.check_tag(node, T + "map")
            out = self.mapping(node, depth)
        self.built[nid] = out
        return out

    def check_tag(self, node, expected: str) -> None:
        if node.tag != expected and node.tag not in _PLAIN_TAGS and id(node) not in self.reported_tags:
            self.reported_tags.add(id(node))
            self.diags.add_at_span("E108", f"YAML tag `{node.tag}` is not used in Paco files", self.doc.file,
                                   _span(node), help="remove the tag; iamc reads plain YAML values")

    def scalar(self, node: ScalarNode) -> Scalar:
        tag = node.tag
        raw = node.value
        value: object = raw
        if tag == T + "null":
            value = None
        elif tag == T + "bool":
            value = raw.lower() == "true"
        elif tag == T + "int":
            value = _to_int(raw)
        elif tag == T + "float":
            value = _to_float(raw)
        elif tag not in (T + "str", T + "timestamp", T + "merge"):
            self.check_tag(node, T + "str")
        return Scalar(_span(node), value, raw, tag, node.style)

    def mapping(self, node: MappingNode, depth: int) -> Map:
        out = Map(_span(node), [])
        seen: dict[object, Scalar] = {}
        merged: list[tuple[Scalar, Node]] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == T + "merge":
                merged.extend(self.merge_entries(value_node, depth))
                continue
            if not isinstance(key_node, ScalarNode):
                self.diags.add_at_span("E111", "a mapping key must be a plain string, not a "
                                       f"{'mapping' if isinstance(key_node, MappingNode) else 'list'}",
                                       self.doc.file, _span(key_node))
                continue
            key = self.scalar(key_node)
            if key.value is None or isinstance(key.value, bool):
                # `Null:` (the IAM condition operator) and `True:` are names when they are keys
                key = Scalar(key.span, key.raw, key.raw, T + "str", key.style)
            if not isinstance(key.value, str):
                self.diags.add_at_span("E111", f"key `{key.raw}` is read as {article(key.type_name)}, not a string",
                                       self.doc.file, key.span, help=f"quote it: '{key.raw}'")
                continue
            if key.value in seen:
                first = seen[key.value]
                self.diags.add_at_span("E102", f"duplicate key `{key.value}`", self.doc.file, key.span,
                                       label="second definition",
                                       related_spans=[("first defined here", first.span)],
                                       help="YAML keeps only one of the two; remove or rename one")
                continue
            seen[key.value] = key
            value = self.build(value_node, depth + 1)
            if key.value in SECRET_KEYS:
                self.doc.secret_spans.append(value.span)
            out.entries.append((key, value))
        # merged keys (<<) fill in what the mapping does not set itself
        for key, value in merged:
            if key.value not in seen:
                seen[key.value] = key
                out.entries.append((key, value))
        return out

    def merge_entries(self, value_node, depth: int) -> list[tuple[Scalar, Node]]:
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        entries: list[tuple[Scalar, Node]] = []
        for src in sources:
            if not isinstance(src, MappingNode):
                self.diags.add_at_span("E101", "`<<` merges only mappings", self.doc.file, _span(src))
                continue
            built = self.build(src, depth + 1)
            assert isinstance(built, Map)
            entries.extend(e for e in built.entries if all(e[0].value != k.value for k, _ in entries))
        return entries


def _children(node) -> list:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        out = []
        for k, v in node.value:
            out.append(k)
            out.append(v)
        return out
    return []


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
