"""Stage 5, emit: each selected backend turns the plan into files.

    emit(plan, plugins, settings, ["cloudformation"])
      -> [OutputFile("cloudformation/master/Resource-IAM-User-Accounts.yaml", ...), ...]

The backends are chosen by `--backend`, else by the names under iamc.yaml's
`backends:`, else all of them. Each backend's options (its entry under
`backends:`) are read against the schema it declares, as strictly as the
Paco files: an unknown option is an error. Backends never touch the disk.
"""

from __future__ import annotations

from .diagnostics import Diagnostics
from .ir import Settings
from .output import OutputFile
from .plan_model import Plan
from .registry import Plugins
from .schema import Record, Schema, did_you_mean, read
from .tree import Loc, Map, Scalar, Span


class UsageError(Exception):
    """A command-line mistake (exit code 2), such as `--backend` naming no backend."""


def select(plugins: Plugins, settings: Settings, chosen: list[str] | None) -> tuple[dict[str, Record], Diagnostics]:
    """The backends to run, in a stable order, each with its options read from iamc.yaml."""
    diags = Diagnostics()
    for name in chosen or ():
        if name not in plugins.backends:
            hint = did_you_mean(name, plugins.backends)
            raise UsageError(
                f"no backend is named `{name}`"
                + (f"; {hint}" if hint else "")
                + f" (the backends are: {', '.join(sorted(plugins.backends))})"
            )
    configured = []
    for name, loc, _ in settings.backends:
        if name not in plugins.backends:
            diags.add(
                "E503",
                f"no backend is named `{name}`",
                loc.as_key(),
                label="unknown backend",
                help=did_you_mean(name, plugins.backends) or f"the backends are: {', '.join(sorted(plugins.backends))}",
            )
        else:
            configured.append(name)
    names = sorted(set(chosen or configured or plugins.backends))
    # every configured backend's options are checked, whether it runs this time or not
    records = {name: options(plugins, settings, name, diags) for name in sorted(set(names) | set(configured))}
    return {name: records[name] for name in names}, diags


def options(plugins: Plugins, settings: Settings, name: str, diags: Diagnostics):
    backend = plugins.backends[name]
    schema = backend.options_schema or Schema(f"{name} options", {})
    for entry, loc, node in settings.backends:
        if entry != name:
            continue
        if isinstance(node, Scalar) and node.value is None:
            break
        return read(schema, node, loc, diags)
    # no entry: the defaults, read through the same schema
    return read(schema, Map(Span(1, 1, 1, 1), []), Loc(settings.loc.file, ("backends", name)), diags)


def emit(plan: Plan, plugins: Plugins, backends: dict[str, Record]) -> tuple[list[OutputFile], Diagnostics]:
    """Every selected backend's files, sorted by path; `backends` is what `select` returned."""
    diags = Diagnostics()
    for name, record in backends.items():
        check = plugins.backends[name].check
        for problem in check(plan, record) if check else ():
            diags.add(problem.code, problem.message, problem.loc, label=problem.label, help=problem.help)
    if diags.has_errors:
        return [], diags
    files: list[OutputFile] = []
    seen: dict[str, str] = {}
    for name, record in backends.items():
        for f in plugins.backends[name].emit(plan, record):
            if f.path in seen:
                raise RuntimeError(f"backends `{seen[f.path]}` and `{name}` both emit {f.path}")
            seen[f.path] = name
            files.append(f)
    return sorted(files, key=lambda f: f.path), diags
