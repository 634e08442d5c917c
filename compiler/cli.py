"""The `iamc` command.

    iamc validate [PROJECT] [--format full|concise|json|github] [--color auto|always|never]

Exit codes: 0 success, 1 diagnostics with errors, 2 usage error, 3 a bug in
iamc itself (never the project's fault: bad input is always a diagnostic).
Human formats go to stderr; json and github go to stdout, for the tool
reading them.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import __version__
from .driver import check
from .render import FORMATS, render, summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iamc", description="Compile a Paco project's IAM users into per-account, MFA-protected access."
    )
    parser.add_argument("--version", action="version", version=f"iamc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    validate = sub.add_parser("validate", help="check a Paco project and report every problem found")
    validate.add_argument(
        "project",
        nargs="?",
        default=".",
        metavar="PROJECT",
        help="the Paco project folder (default: the current folder)",
    )
    validate.add_argument("--format", choices=FORMATS, default="full", help="how to print diagnostics")
    validate.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the human formats (auto: only on a terminal)",
    )
    return parser


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
    except Exception:  # noqa: BLE001 - a bug must still end in a clear word, not a bare traceback
        sys.stderr.write(
            "iamc: internal error: this is a bug in iamc, not a problem in your project.\n"
            "Please report it with the files that trigger it; the details follow.\n" + traceback.format_exc()
        )
        return 3
    return 2  # unreachable: argparse requires a command


def cmd_validate(args) -> int:
    root = os.path.normpath(args.project) if args.project not in ("", ".") else "."
    result = check(root)
    placed = result.placed()
    machine = args.format in ("json", "github")
    stream = sys.stdout if machine else sys.stderr
    colour = not machine and _use_colour(args.color, stream)
    stream.write(render(placed, args.format, result.locator, root, colour))
    if not machine:
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
