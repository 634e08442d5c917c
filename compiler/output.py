"""What a backend returns: files with the metadata the manifest and the verifiers need.

    OutputFile("cloudformation/dev/Resource-IAM-User-Alice-Account-Delegates.yaml", "<yaml>",
               backend="cloudformation", user="alice", sources=("resource/iam.yaml",),
               stack="dev/Resource-IAM-User-Alice-Account-Delegates",
               origins=((("Resources", "UserAccountDelegateRole"), Loc("resource/iam.yaml", ("users", "alice"))),))

Backends never touch the disk: the driver alone writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tree import Loc


def in_out(out: str, path: str) -> str:
    """A path in OUT as diagnostics and diffs name it: `out/cloudformation/...`."""
    return f"{out.rstrip('/')}/{path}" if out not in ("", ".") else path


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to OUT, forward slashes
    content: str
    backend: str
    user: str | None = None  # the user key, when the file belongs to one user
    sources: tuple[str, ...] = ()  # the project files it was made from, relative to the project
    stack: str | None = None  # the stack id, for a CloudFormation template
    # where parts of the file come from: (path of keys in the file's data, the YAML that produced it);
    # a verifier's finding is reported at the longest matching prefix
    origins: tuple[tuple[tuple[str | int, ...], Loc], ...] = ()

    def origin(self, path: tuple) -> Loc | None:
        best, best_len = None, -1
        for prefix, loc in self.origins:
            n = len(prefix)
            if n > best_len and tuple(path[:n]) == prefix:
                best, best_len = loc, n
        return best
