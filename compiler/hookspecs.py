"""Every hook a plugin may implement. The built-in backends are plugins too.

A plugin is a module (or object) with functions marked `@iamc.hookimpl`,
named after the hooks below. Built-ins are registered from
`plugins.BUILTIN`; third-party plugins come from the `iamc` entry-point
group, and only when the project names them (iamc.yaml `plugins:` or
`--plugin`): a plugin can change grants, so none joins silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import pluggy

if TYPE_CHECKING:
    from .output import OutputFile
    from .tree import Loc
    from .plan_model import Plan
    from .schema import Record, Schema

hookspec = pluggy.HookspecMarker("iamc")
hookimpl = pluggy.HookimplMarker("iamc")


@dataclass(frozen=True)
class Backend:
    """What a backend plugin declares: its name, its options and its emit function.

    `emit(plan, options)` returns the backend's files and never touches the
    disk. `options` is the backend's entry of iamc.yaml `backends:`, read
    against `options_schema` (an unknown option is an error); `check(plan,
    options)`, if given, finds what the schema cannot: each Problem is a diagnostic.
    """

    name: str
    description: str
    emit: Callable[["Plan", "Record"], list["OutputFile"]]
    options_schema: "Schema | None" = None
    version: str = ""
    # checks of the options that need the plan (a user key that must exist): each Problem is an error
    check: "Callable[[Plan, Record], list[Problem]] | None" = None


@dataclass(frozen=True)
class Problem:
    """What a backend's `check` finds before it emits: an option the project contradicts (E505), or a
    value the target format cannot carry. `code` is one of the catalogue's (iamc.codes)."""

    message: str
    loc: "Loc"
    help: str = ""
    code: str = "E505"
    label: str = ""


@dataclass(frozen=True)
class Finding:
    """A verifier's finding in one emitted file. `path` is the place in the file's data
    (`("Resources", "UserAccountDelegateRole", "Properties")`), from which iamc finds the YAML
    that produced it; `line` and `column` are the place in the file's text (1-based)."""

    file: "OutputFile"
    severity: str  # "error" | "warning"
    rule: str  # the verifier's own rule id, e.g. cfn-lint's "E3012"
    message: str
    path: tuple = ()
    line: int = 0
    column: int = 0
    tool: str = ""
    notes: tuple[str, ...] = field(default=())


@hookspec
def iamc_declare_backend() -> Backend | None:
    """Called once, when the plugins are loaded. Return the backend this plugin adds, or None."""


@hookspec
def iamc_transform_plan(plan: "Plan") -> "Plan | None":
    """Called after planning, before any backend emits, once per plugin in registration order.
    Return a changed plan (for example with extra tags or grants), or None to leave it as it is."""


@hookspec
def iamc_verify_files(plan: "Plan", files: "list[OutputFile]") -> "list[Finding]":
    """Called after every selected backend has emitted, unless `--no-verify`. Check the files
    (all backends' files: a verifier picks those it knows) and return its findings; iamc reports
    each as a diagnostic at the YAML that produced the file's part."""
