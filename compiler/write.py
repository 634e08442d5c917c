"""Stage 7, write: the driver alone touches OUT.

    changes("out", {"manifest.json": "...", "cloudformation/dev/X.yaml": "..."}, previous)
      -> Changes(write={"cloudformation/dev/X.yaml": "..."}, remove=["cloudformation/dev/Old.yaml"], unchanged=12)

Only files whose bytes change are rewritten; files iamc wrote before (the
previous manifest lists them) and no longer produces are removed; nothing
else in OUT is touched, and a file iamc did not write is never overwritten.

A build is committed in three steps, so that an interrupted build never
leaves a file half-written and never a mix that the next build cannot
finish: every new file is written beside its target under a temporary name
and flushed to disk; a journal listing the renames is written (atomically);
the files are renamed into place, manifest.json last, stale files removed,
and the journal deleted. A build that finds a journal first completes it.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field

from .diagnostics import Diagnostics
from .manifest import MANIFEST, Previous
from .output import in_out
from .tree import Loc

JOURNAL = ".iamc-journal.json"
TEMP_PREFIX = ".iamc-tmp."


@dataclass
class Changes:
    write: dict[str, str] = field(default_factory=dict)  # path -> new content
    remove: list[str] = field(default_factory=list)
    unchanged: int = 0
    pending_journal: bool = False  # an interrupted build left a commit half done

    @property
    def stale(self) -> bool:
        return bool(self.write or self.remove or self.pending_journal)


def changes(out: str, desired: dict[str, str], previous: Previous | None, out_rel: str) -> tuple[Changes, Diagnostics]:
    diags = Diagnostics()
    if os.path.exists(out) and not os.path.isdir(out):
        diags.add(
            "E603",
            "OUT is not a folder",
            Loc(out_rel),
            help="name a folder (new or iamc's) with -o",
        )
        return Changes(), diags
    ours = set(previous.files) if previous else set()
    result = Changes(pending_journal=os.path.exists(os.path.join(out, JOURNAL)))
    for path, content in sorted(desired.items()):
        current = _read(os.path.join(out, path))
        if current == content:
            result.unchanged += 1
            continue
        if current is not None and path not in ours and path != MANIFEST:
            diags.add(
                "E602",
                f"`{path}` in OUT was not written by iamc, and iamc would overwrite it",
                Loc(in_out(out_rel, path)),
                help="move it away, or build into another folder: iamc touches only the files it wrote",
            )
            continue
        result.write[path] = content
    for path in sorted(ours - set(desired)):
        if os.path.lexists(os.path.join(out, path)):
            result.remove.append(path)
    return result, diags


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except UnicodeDecodeError:
        return "\ufffd"  # not ours as it stands: it differs from anything iamc writes


def diff(out: str, ch: Changes, out_display: str) -> str:
    """A unified diff of what the build would change, paths as the user named OUT."""
    chunks = []
    for path, new in sorted(ch.write.items()):
        old = _read(os.path.join(out, path))
        name = in_out(out_display, path)
        chunks += difflib.unified_diff(
            (old or "").splitlines(True),
            new.splitlines(True),
            name if old is not None else "/dev/null",
            name,
        )
    for path in ch.remove:
        old = _read(os.path.join(out, path)) or ""
        chunks += difflib.unified_diff(old.splitlines(True), [], in_out(out_display, path), "/dev/null")
    return "".join(c if c.endswith("\n") else c + "\n\\ No newline at end of file\n" for c in chunks)


def apply(out: str, ch: Changes) -> None:
    """Commit the changes to OUT (see the module's docstring for the three steps)."""
    os.makedirs(out, exist_ok=True)
    recover(out)
    _remove_temporaries(out, list(ch.write) + ch.remove)
    # 1. every new file beside its target, flushed; the manifest last, so it is renamed last
    order = sorted(ch.write, key=lambda p: (p == MANIFEST, p))
    renames = []
    for path in order:
        target = os.path.join(out, path)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        temp = _temp_name(path)
        _write_file(os.path.join(out, temp), ch.write[path])
        renames.append((temp, path))
    # 2. the journal: from here on, any build completes this commit
    _write_file(os.path.join(out, JOURNAL + ".tmp"), json.dumps({"rename": renames, "remove": ch.remove}))
    os.replace(os.path.join(out, JOURNAL + ".tmp"), os.path.join(out, JOURNAL))
    # 3. rename, remove, forget the journal
    recover(out)


def recover(out: str) -> None:
    """Complete the commit an interrupted build left in OUT's journal, if any."""
    journal = os.path.join(out, JOURNAL)
    try:
        with open(journal, encoding="utf-8") as f:
            plan = json.load(f)
    except FileNotFoundError:
        return
    for temp, path in plan["rename"]:
        source = os.path.join(out, temp)
        if os.path.exists(source):
            os.replace(source, os.path.join(out, path))
    for path in plan["remove"]:
        target = os.path.join(out, path)
        if os.path.lexists(target):
            os.remove(target)
        _remove_empty_parents(out, os.path.dirname(path))
    os.remove(journal)


def _temp_name(path: str) -> str:
    head, tail = os.path.split(path)
    return os.path.join(head, TEMP_PREFIX + tail)


def _write_file(path: str, content: str) -> None:
    with open(path, "wb") as f:
        f.write(content.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def _remove_temporaries(out: str, paths: list[str]) -> None:
    """Temporary files an interrupted build left before its journal was written."""
    for folder in sorted({os.path.dirname(p) for p in paths} | {""}):
        full = os.path.join(out, folder)
        try:
            names = os.listdir(full)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            if name.startswith(TEMP_PREFIX):
                os.remove(os.path.join(full, name))


def _remove_empty_parents(out: str, folder: str) -> None:
    while folder:
        try:
            os.rmdir(os.path.join(out, folder))
        except OSError:
            return
        folder = os.path.dirname(folder)
