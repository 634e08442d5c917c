"""Renderers: placed diagnostics to text for people, JSON for tools,
annotations for GitHub Actions.

    full:     iam.yaml:7:5: error[E201]: unknown key ...   + source line, caret, help
    concise:  iam.yaml:7:5: error[E201]: unknown key ...
    json:     [{"code": "E201", "severity": "error", "path": ..., "line": 7, ...}]
    github:   ::error file=iam.yaml,line=7,col=5,...,title=iamc E201::unknown key ...
"""

from __future__ import annotations

import json
import posixpath

from .diagnostics import Placed, Severity
from .tree import Locator, Span

FORMATS = ("full", "concise", "json", "github")

_COLOURS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.NOTE: "\x1b[1;36m"}
_BOLD, _BLUE, _RESET = "\x1b[1m", "\x1b[1;34m", "\x1b[0m"


def display_path(root: str, file: str | None) -> str:
    """The path as the user should see it: relative to where they pointed iamc."""
    if not file or file == ".":
        return root
    root = root.replace("\\", "/").rstrip("/")
    if root in ("", "."):
        return posixpath.normpath(file)
    # files outside the project (OUT's) are relative to it: `project/../out/x` shows as `out/x`
    return posixpath.normpath(posixpath.join(root, file)) if file.startswith("..") else posixpath.join(root, file)


def render(placed: list[Placed], fmt: str, locator: Locator, root: str, colour: bool = False) -> str:
    if fmt == "json":
        return render_json(placed, root) + "\n"
    if fmt == "github":
        return "".join(render_github(p, root) + "\n" for p in placed)
    out = []
    for p in placed:
        out.append(render_full(p, locator, root, colour) if fmt == "full" else render_header(p, root, colour))
    text = "\n".join(out)
    return text + ("\n" if text else "")


def summary(placed: list[Placed]) -> str:
    errors = sum(1 for p in placed if p.diagnostic.severity is Severity.ERROR)
    warnings = sum(1 for p in placed if p.diagnostic.severity is Severity.WARNING)
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return " and ".join(parts)


def _where(p: Placed, root: str) -> str:
    path = display_path(root, p.file)
    if p.span is None:
        return path
    return f"{path}:{p.span.line}:{p.span.col}"


def render_header(p: Placed, root: str, colour: bool) -> str:
    d = p.diagnostic
    sev = d.severity.value
    if colour:
        where, level = f"{_BOLD}{_where(p, root)}:{_RESET}", f"{_COLOURS[d.severity]}{sev}[{d.code}]{_RESET}"
        return f"{where} {level}{_BOLD}: {d.message}{_RESET}"
    return f"{_where(p, root)}: {sev}[{d.code}]: {d.message}"


def render_full(p: Placed, locator: Locator, root: str, colour: bool) -> str:
    d = p.diagnostic
    lines = [render_header(p, root, colour)]
    snippets: list[tuple[str | None, Span, str, str]] = []
    if p.span is not None:
        snippets.append((p.file, p.span, d.label, "^"))
    for label, span in p.related:
        if span is not None:
            snippets.append((label.at.file, span, label.text, "-"))
    width = max([len(str(s[1].line)) for s in snippets] + [1])
    gutter = " " * (width + 1) + "|"
    blue = (lambda s: f"{_BLUE}{s}{_RESET}") if colour else (lambda s: s)
    body: list[str] = []
    for i, (file, span, text, mark) in enumerate(snippets):
        source = locator.source_line(file, span.line) if file else None
        if source is None:
            continue
        if i > 0 and file != p.file:
            body.append(" " * width + blue("::: ") + f"{display_path(root, file)}:{span.line}:{span.col}")
        body.append(blue(f"{span.line:>{width}} |") + (" " + source if source else ""))
        start = span.col - 1
        if span.end_line == span.line:
            length = max(span.end_col - span.col, 1)
        else:
            length = max(len(source.rstrip()) - start, 1)
        pad = "".join("\t" if ch == "\t" else " " for ch in source[:start])
        underline = mark * length
        if colour:
            underline = f"{_COLOURS[d.severity] if mark == '^' else _BLUE}{underline}{_RESET}"
        body.append(blue(gutter) + " " + pad + underline + (" " + text if text else ""))
    if body:
        lines += [blue(gutter), *body, blue(gutter)]
    for note in d.notes:
        lines.append(" " * (width + 1) + blue("= ") + f"note: {note}")
    for h in d.help:
        lines.append(" " * (width + 1) + blue("= ") + f"help: {h}")
    return "\n".join(lines)


def render_json(placed: list[Placed], root: str) -> str:
    out = []
    for p in placed:
        d = p.diagnostic
        item = {
            "code": d.code,
            "severity": d.severity.value,
            "message": d.message,
            "path": display_path(root, p.file) if p.file else None,
            "line": p.span.line if p.span else None,
            "column": p.span.col if p.span else None,
            "end_line": p.span.end_line if p.span else None,
            "end_column": p.span.end_col if p.span else None,
            "label": d.label or None,
            "related": [
                {
                    "path": display_path(root, lab.at.file),
                    "line": sp.line if sp else None,
                    "column": sp.col if sp else None,
                    "label": lab.text,
                }
                for lab, sp in p.related
            ],
            "notes": list(d.notes),
            "help": list(d.help),
        }
        out.append(item)
    return json.dumps(out, indent=2, ensure_ascii=False)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(p: Placed, root: str) -> str:
    d = p.diagnostic
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}[d.severity]
    props = []
    if p.file:
        props.append(f"file={_gh_escape(display_path(root, p.file), True)}")
    if p.span:
        props += [f"line={p.span.line}", f"col={p.span.col}", f"endLine={p.span.end_line}"]
        if p.span.end_line == p.span.line:
            props.append(f"endColumn={p.span.end_col}")
    props.append(f"title={_gh_escape(f'iamc {d.code}', True)}")
    message = d.message + "".join(f"\nhelp: {h}" for h in d.help)
    return f"::{kind} {','.join(props)}::{_gh_escape(message)}"
