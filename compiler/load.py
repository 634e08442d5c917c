"""Stage 1, load: the project's files become located trees.

    accounts/dev.yaml:  "account_id: '222222222222'\n"
      -> Document("accounts/dev.yaml", root=Map([(Scalar("account_id"), Scalar("222222222222"))]))

Everything that can go wrong with the bytes and the YAML is a diagnostic
here, never an exception: unreadable or oversized files, bytes that are not
UTF-8, and (in compose.py, which turns YAML events into the tree) syntax
errors, duplicate keys, anchors and aliases that would expand past a limit
("billion laughs"), nesting too deep, tags Paco files never use.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field

from .compose import parse
from .diagnostics import Diagnostics
from .tree import Document, Loc, Span

MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass
class Sources:
    """Every file that iamc reads, loaded; `root` is the project folder."""

    root: str
    project: Document | None = None
    accounts: dict[str, Document] = field(default_factory=dict)  # account name -> document
    iam: Document | None = None
    codecommit: Document | None = None
    settings: Document | None = None  # iamc.yaml

    def documents(self) -> list[Document]:
        docs = [self.project, *self.accounts.values(), self.iam, self.codecommit, self.settings]
        return [d for d in docs if d is not None]


def load(root: str) -> tuple[Sources, Diagnostics]:
    """Find and load every file of the Paco project at `root`."""
    diags = Diagnostics()
    sources = Sources(root=root)
    if not os.path.isdir(root):
        diags.add(
            "E110",
            f"project folder `{root}` does not exist or is not a folder",
            Loc("."),
            help="pass the folder that holds project.yaml, accounts/ and resource/",
        )
        return sources, diags

    sources.project = _load_one(
        root,
        ["project.yaml", "project.yml"],
        diags,
        required=True,
        missing_help="run iamc in a Paco project folder, or pass that folder as PROJECT",
    )
    sources.iam = _load_one(
        root,
        ["resource/iam.yaml", "resource/iam.yml"],
        diags,
        required=True,
        missing_help="iamc compiles the users of resource/iam.yaml; create it with a `users:` mapping",
    )
    sources.codecommit = _load_one(root, ["resource/codecommit.yaml", "resource/codecommit.yml"], diags)
    sources.settings = _load_one(root, ["iamc.yaml", "iamc.yml"], diags)

    accounts_dir = os.path.join(root, "accounts")
    if not os.path.isdir(accounts_dir):
        diags.add(
            "E110",
            "the project has no accounts/ folder",
            Loc("accounts"),
            help="add one accounts/<name>.yaml per AWS account, as Paco does",
        )
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
            diags.add(
                "E112",
                f"account `{stem}` is defined by both {seen[stem]} and {rel}",
                Loc(rel),
                help="keep one of the two files",
            )
            continue
        seen[stem] = rel
        doc = load_file(root, rel, diags)
        if doc is not None:
            sources.accounts[stem] = doc
    if not seen:
        diags.add(
            "E110",
            "accounts/ holds no account files",
            Loc("accounts"),
            help="add one accounts/<name>.yaml per AWS account, as Paco does",
        )
    return sources, diags


def _load_one(
    root: str, candidates: list[str], diags: Diagnostics, required: bool = False, missing_help: str = ""
) -> Document | None:
    present = [c for c in candidates if os.path.isfile(os.path.join(root, c))]
    if len(present) > 1:
        diags.add(
            "E112",
            f"both {present[0]} and {present[1]} exist",
            Loc(present[1]),
            help=f"keep one of the two files; iamc reads {present[0]}",
        )
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
        diags.add(
            "E105",
            f"{rel} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            loc,
            help="iamc refuses files this large; an IAM project's files are far smaller",
        )
        return None
    text = _decode(rel, data, diags)
    if text is None:
        # kept, so the diagnostic can show the offending line (not for UTF-16/32: it would be noise)
        shown = "" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else data.decode("utf-8", "replace")
        return Document(rel, shown, None)
    doc = Document(rel, text, None)
    root_node = parse(doc, diags)
    if root_node is None:
        if not diags.has_errors_in(rel):
            diags.add_at_span(
                "E103", f"{rel} is empty", rel, Span(1, 1, 1, 2), help="a Paco file holds one YAML mapping"
            )
        return doc
    doc.root = root_node
    return doc


def _decode(rel: str, data: bytes, diags: Diagnostics) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            diags.add_at_span("E104", f"{rel} is {name} text", rel, Span(1, 1, 1, 2), help="save the file as UTF-8")
            return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[line_start : e.start].decode("utf-8", "replace")) + 1
        # the document is not loaded, so the span is carried by a synthetic one-line document
        diags.add_at_span(
            "E104",
            f"{rel} is not UTF-8: byte 0x{data[e.start]:02x} is not valid here",
            rel,
            Span(line, col, line, col + 1),
            help="save the file as UTF-8",
        )
        return None
