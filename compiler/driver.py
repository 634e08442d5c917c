"""The driver: runs the stages in order and stops after one that reported errors.

check("project/") -> Result(diagnostics=[...], project=Project(...), resolved=Resolved(...))
build("project/", "out/") -> Build(..., plan=Plan(...), files=[OutputFile(...)], changes=Changes(...))
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field

from . import manifest
from .diagnostics import Diagnostic, Placed, place
from .emit import emit, select
from .ir import Project
from .load import Sources, load
from .lower import lower
from .manifest import MANIFEST, read_previous
from .output import OutputFile
from .plan import plan
from .plan_model import Plan
from .registry import BUILTIN, manager
from .resolve import Resolved, resolve
from .tree import Locator
from .verify import check_sizes, verify
from .write import Changes, changes

BUILTIN_NAMES = {m.rsplit(".", 1)[-1] for m in BUILTIN}


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


@dataclass
class Build(Result):
    """What `iamc build` computed: the files of OUT and how they differ from what is there."""

    out: str = ""
    out_rel: str = ""  # OUT relative to the project folder, as diagnostics name it
    plan: Plan | None = None
    files: list[OutputFile] = field(default_factory=list)
    changes: Changes | None = None


def build(root: str, out: str, backends: list[str] | None = None, plugins: list[str] = (), verify_output=True) -> Build:
    """Everything `iamc build` does short of touching OUT: check, plan, emit, verify, compare."""
    checked = check(root)
    result = Build(**vars(checked), out=out, out_rel=_relative(out, root))
    if not checked.ok:
        return result
    was_enabled = gc.isenabled()
    gc.disable()  # as in check(): many small objects, no cycles worth collecting
    try:
        _build(result, backends, list(plugins), verify_output)
    finally:
        if was_enabled:
            gc.enable()
    return result


def _build(result: Build, chosen: list[str] | None, extra_plugins: list[str], verify_output: bool) -> None:
    settings = result.project.settings
    # the plugins: built-ins, and the third-party ones the project or --plugin names
    named = [(name, loc) for name, loc in settings.plugins] + [(name, None) for name in extra_plugins]
    plugins, diags = manager(named)
    backends, more = select(plugins, settings, chosen)
    diags.extend(more)
    # what the previous build in OUT left: its files, stacks and access key serials
    previous, more = read_previous(result.out, f"{result.out_rel.rstrip('/')}/{MANIFEST}")
    diags.extend(more)
    result.diagnostics += diags
    if diags.has_errors:
        return
    # 4. plan: the resolved project to stacks, users, roles and policy documents
    planned, diags = plan(result.resolved, previous)
    result.diagnostics += diags
    if diags.has_errors:
        return
    for impl in plugins.pm.hook.iamc_transform_plan.get_hookimpls():
        planned = impl.function(plan=planned) or planned
    result.plan = planned
    # 5. emit: each selected backend's files
    files, diags = emit(planned, plugins, backends)
    diags.extend(check_sizes(planned, files))
    result.diagnostics += diags
    if diags.has_errors:
        return
    # 6. verify: cfn-lint and the other verifiers, findings pointed back at the YAML
    if verify_output:
        diags = verify(planned, files, plugins, result.locator, result.out_rel)
        result.diagnostics += diags
        if diags.has_errors:
            return
    result.files = files
    # the built-ins that ran, and every third-party plugin (each may have transformed or verified)
    took_part = {n: v for n, v in plugins.versions.items() if n in backends or n not in BUILTIN_NAMES}
    took_part = [{"name": n, "version": v} for n, v in took_part.items()]
    desired = {f.path: f.content for f in files}
    desired[MANIFEST] = manifest.render(planned, files, took_part, set(backends))
    # 7. write (compare only: the command decides whether to write, check or diff)
    result.changes, diags = changes(result.out, desired, previous, result.out_rel)
    result.diagnostics += diags


def _relative(out: str, root: str) -> str:
    if os.path.isabs(out):
        return out.replace(os.sep, "/")
    return os.path.relpath(out, root).replace(os.sep, "/")
