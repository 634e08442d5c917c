"""The driver: runs the stages in order and stops after one that reported errors.

check("project/") -> Result(diagnostics=[...], project=Project(...), resolved=Resolved(...))
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Placed, place
from .ir import Project
from .load import Sources, load
from .lower import lower
from .resolve import Resolved, resolve
from .tree import Locator


@dataclass
class Result:
    root: str
    locator: Locator
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: Sources | None = None
    project: Project | None = None
    resolved: Resolved | None = None

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def placed(self) -> list[Placed]:
        return place(self.diagnostics, self.locator)


def check(root: str) -> Result:
    """Load, lower and resolve the project at `root`: everything `iamc validate` does."""
    # The stages build many small objects and no reference cycles worth collecting;
    # the cyclic collector would rescan them all, again and again, as they grow.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(root)
    finally:
        if was_enabled:
            gc.enable()


def _check(root: str) -> Result:
    # 1. load: files to located trees; positions are known from here on
    sources, diags = load(root)
    result = Result(root, Locator({d.file: d for d in sources.documents()}), list(diags), sources)
    if diags.has_errors:
        return result
    # 2. lower: trees to the IR, with every schema and IAM naming rule checked
    project, diags = lower(sources)
    result.diagnostics += diags
    if diags.has_errors:
        return result
    result.project = project
    # 3. resolve: references and account lists to the graph and the access matrix
    resolved, diags = resolve(project)
    result.diagnostics += diags
    if not diags.has_errors:
        result.resolved = resolved
    return result
