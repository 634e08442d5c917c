"""The `iamc` command.

    iamc validate [PROJECT] [--format full|concise|json|github] [--color auto|always|never]
    iamc build [PROJECT] [-o OUT] [--backend NAME ...] [--plugin NAME ...] [--check] [--diff] [--no-verify]
    iamc backends [--plugin NAME ...]

Exit codes: 0 success, 1 diagnostics with errors (or `--check` found OUT
stale), 2 usage error, 3 a bug in iamc itself (never the project's fault:
bad input is always a diagnostic). Human formats go to stderr; json and
github go to stdout, for the tool reading them; `--diff` prints to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import __version__
from .driver import build, check
from .emit import UsageError
from .registry import manager
from .render import FORMATS, render, summary
from .write import apply, diff


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iamc", description="Compile a Paco project's IAM users into per-account, MFA-protected access."
    )
    parser.add_argument("--version", action="version", version=f"iamc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    validate = sub.add_parser("validate", help="check a Paco project and report every problem found")
    _project_and_format(validate)
    b = sub.add_parser("build", help="compile the project into OUT: templates, profiles, manifest.json")
    _project_and_format(b)
    b.add_argument("-o", "--out", default="out", metavar="OUT", help="the output folder (default: ./out)")
    b.add_argument(
        "--backend",
        action="append",
        metavar="NAME",
        help="run only this backend (repeatable; default: those under iamc.yaml `backends:`, else all)",
    )
    b.add_argument("--plugin", action="append", default=[], metavar="NAME", help="load this third-party plugin")
    b.add_argument("--check", action="store_true", help="write nothing; exit 1 if OUT is not up to date")
    b.add_argument("--diff", action="store_true", help="write nothing; print a unified diff of what would change")
    b.add_argument("--no-verify", action="store_true", help="skip cfn-lint and the other verifiers")
    listing = sub.add_parser("backends", help="list the registered backends")
    listing.add_argument("--plugin", action="append", default=[], metavar="NAME", help="load this third-party plugin")
    return parser


def _project_and_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "project",
        nargs="?",
        default=".",
        metavar="PROJECT",
        help="the Paco project folder (default: the current folder)",
    )
    p.add_argument("--format", choices=FORMATS, default="full", help="how to print diagnostics")
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the human formats (auto: only on a terminal)",
    )


def _use_colour(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "build":
            return cmd_build(args)
        if args.command == "backends":
            return cmd_backends(args)
    except UsageError as e:
        sys.stderr.write(f"iamc: error: {e}\n")
        return 2
    except Exception:  # noqa: BLE001 - a bug must still end in a clear word, not a bare traceback
        sys.stderr.write(
            "iamc: internal error: this is a bug in iamc, not a problem in your project.\n"
            "Please report it with the files that trigger it; the details follow.\n" + traceback.format_exc()
        )
        return 3
    return 2  # unreachable: argparse requires a command


def _root(project: str) -> str:
    return os.path.normpath(project) if project not in ("", ".") else "."


def _report(result, args, root: str) -> list:
    placed = result.placed()
    machine = args.format in ("json", "github")
    stream = sys.stdout if machine else sys.stderr
    colour = not machine and _use_colour(args.color, stream)
    stream.write(render(placed, args.format, result.locator, root, colour))
    return placed


def cmd_validate(args) -> int:
    root = _root(args.project)
    result = check(root)
    placed = _report(result, args, root)
    if args.format not in ("json", "github"):
        found = summary(placed)
        if not result.ok:
            sys.stderr.write(f"iamc: {found} found; nothing was compiled\n")
        else:
            p = result.project
            stats = (
                f"{len(p.users)} user{'s' if len(p.users) != 1 else ''}, "
                f"{len(p.accounts)} account{'s' if len(p.accounts) != 1 else ''}"
            )
            sys.stderr.write(f"iamc: project is valid ({stats})" + (f", with {found}" if found else "") + "\n")
    return 0 if result.ok else 1


def cmd_build(args) -> int:
    root = _root(args.project)
    out = os.path.normpath(args.out)
    result = build(root, out, args.backend, args.plugin, verify_output=not args.no_verify)
    placed = _report(result, args, root)
    human = args.format not in ("json", "github")
    found = summary(placed)
    if not result.ok or result.changes is None:
        if human:
            sys.stderr.write(f"iamc: {found or 'errors'} found; nothing was written\n")
        return 1
    ch = result.changes
    with_found = f", with {found}" if found and human else ""
    if args.diff:
        sys.stdout.write(diff(out, ch, args.out.rstrip("/") or "."))
    if args.check or args.diff:
        if human:
            if ch.stale:
                n = len(ch.write) + len(ch.remove)
                sys.stderr.write(
                    f"iamc: {out} is not up to date: {n} file{'s' if n != 1 else ''} would change{with_found}\n"
                )
            else:
                sys.stderr.write(f"iamc: {out} is up to date{with_found}\n")
        return 1 if ch.stale and args.check else 0
    try:
        apply(out, ch)
    except OSError as e:  # a full disk, a folder iamc may not write: the previous output stays whole
        sys.stderr.write(
            f"iamc: error: cannot write {out}: {e.strerror or e}"
            + (f" ({e.filename})" if e.filename else "")
            + "; the previous output is intact, and the next build completes or redoes this one\n"
        )
        return 1
    if human:
        parts = [f"{len(ch.write)} written", f"{len(ch.remove)} removed", f"{ch.unchanged} unchanged"]
        sys.stderr.write(f"iamc: built {out} ({', '.join(parts)}){with_found}\n")
    return 0


def cmd_backends(args) -> int:
    plugins, diags = manager([(name, None) for name in args.plugin])
    if diags.has_errors:
        for d in diags:
            sys.stderr.write(f"iamc: error: {d.message}\n")
        return 2
    for name, backend in sorted(plugins.backends.items()):
        sys.stdout.write(f"{name:<16} {backend.description}\n")
    return 0
