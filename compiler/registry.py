"""The plugin manager: built-in backends and the third-party plugins a project names.

    manager(["iamc-acme-tags"]) -> Plugins(pm, backends={"cloudformation": Backend(...), ...},
                                            took_part=[{"name": "cloudformation", "version": "0.1.0"}, ...])

Built-ins register from `BUILTIN`, through the same PluginManager as any
third-party plugin, which comes from the `iamc` entry-point group only when
iamc.yaml's `plugins:` or `--plugin` names it.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from importlib import metadata

import pluggy

from . import __version__, hookspecs
from .diagnostics import Diagnostics
from .schema import did_you_mean
from .tree import Loc

BUILTIN = (
    "iamc.plugins.cloudformation",
    "iamc.plugins.terraform",
    "iamc.plugins.switchroles",
    "iamc.plugins.awsconfig",
    "iamc.plugins.onboarding",
)
ENTRY_POINT_GROUP = "iamc"


@dataclass
class Plugins:
    pm: pluggy.PluginManager
    backends: dict[str, hookspecs.Backend] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)  # plugin name -> version


def manager(named: list[tuple[str, Loc | None]]) -> tuple[Plugins, Diagnostics]:
    """The built-ins and the named third-party plugins, each (name, where it is named)."""
    diags = Diagnostics()
    pm = pluggy.PluginManager("iamc")
    pm.add_hookspecs(hookspecs)
    versions = {}
    for module in BUILTIN:
        name = module.rsplit(".", 1)[-1]
        pm.register(importlib.import_module(module), name=name)
        versions[name] = __version__
    available = {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    for name, loc in named:
        if pm.has_plugin(name):
            continue
        ep = available.get(name)
        if ep is None:
            diags.add(
                "E502",
                f"no installed plugin is named `{name}`",
                loc,
                label="unknown plugin",
                help=did_you_mean(name, available)
                or (
                    f"installed plugins: {', '.join(sorted(available))}"
                    if available
                    else f"install the package that provides it (entry-point group `{ENTRY_POINT_GROUP}`)"
                ),
            )
            continue
        pm.register(ep.load(), name=name)
        versions[name] = ep.dist.version if ep.dist is not None else ""
    plugins = Plugins(pm, versions=versions)
    for impl in pm.hook.iamc_declare_backend.get_hookimpls():
        backend = impl.function()
        if backend is None:
            continue
        if not backend.version:
            backend = dataclasses.replace(backend, version=versions.get(impl.plugin_name, ""))
        plugins.backends[backend.name] = backend
    return plugins, diags
