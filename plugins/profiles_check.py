"""Checks of the profile files, with the readers that will read them.

    check_switchroles(plan, [OutputFile("switchroles/alice.ini", ...)])  -> []  (or a Finding per difference)

`parse_extension_config` follows the "AWS Extend Switch Roles" extension's own
parser (aesr-config's `src/ini-parser.ts` and `src/config-loader.ts`): every
line is cut at `#` or `;`, a value is the text between the first and a second
`=`, a key without a value and a repeated key are errors. The profiles it reads
back must be exactly the accounts and role the plan gives the user. The AWS CLI
files are read with configparser, as the CLI does.
"""

from __future__ import annotations

import configparser
import re

from iamc.hookspecs import Finding
from iamc.output import OutputFile
from iamc.plan_model import Plan


class ConfigError(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def parse_extension_config(text: str) -> list[dict]:
    """The profiles of a configuration, as the extension reads them: [{"name", "line", **params}]."""
    sections: list[dict] = []
    current: dict | None = None
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        line = re.sub(r"[;#].*$", "", raw).strip()
        if not line:
            continue
        header = re.fullmatch(r"\[(.+)\]", line)
        if header:
            current = {"name": re.sub(r"^profile\s+", "", header.group(1).strip(), flags=re.I), "line": number}
            sections.append(current)
            continue
        if current is None:
            raise ConfigError("Unexpected text", number)
        key, _, rest = line.partition("=")
        value = rest.split("=", 1)[0].strip()  # JavaScript's split("=", 2) keeps two pieces
        if not value:
            raise ConfigError("Invalid parameter definition", number)
        key = key.strip()
        if key in current:
            raise ConfigError(f"The `{key}` parameter is duplicated in the same profile.", number)
        current[key] = value
    names = [s["name"] for s in sections]
    for s in sections:
        if "source_profile" in s and s["source_profile"] not in names:
            raise ConfigError(f"`{s['source_profile']}` is referenced as `source_profile` but not defined", s["line"])
        if "aws_account_id" not in s:
            raise ConfigError("The profile doesn't specify an AWS account ID.", s["line"])
    return sections


def _finding(f: OutputFile, message: str, line: int = 1) -> Finding:
    return Finding(f, "error", "profile", message, line=line, column=1, tool="iamc profile check")


def _expected(plan: Plan, key: str) -> set[tuple[str, str]]:
    return {(r.arn.split(":")[4], r.name) for _, r in plan.roles_of.get(key, ())}


def check_switchroles(plan: Plan, files: list[OutputFile]) -> list[Finding]:
    findings = []
    for f in files:
        try:
            sections = parse_extension_config(f.content)
        except ConfigError as e:
            findings.append(_finding(f, f"the extension would refuse this file: {e}", e.line))
            continue
        names = [s["name"] for s in sections]
        if len(set(names)) != len(names):
            findings.append(_finding(f, "two profiles have one name"))
        bases = {s["name"]: s for s in sections if "target_role_name" in s}
        got = set()
        for s in sections:
            if s["name"] in bases:
                continue
            base = bases.get(s.get("source_profile", ""), {})
            got.add((s["aws_account_id"], s.get("role_name") or base.get("target_role_name", "")))
        if got != _expected(plan, f.user):
            findings.append(_finding(f, f"the profiles read back as {sorted(got)}, not the user's roles"))
    return findings


def check_awsconfig(plan: Plan, files: list[OutputFile]) -> list[Finding]:
    findings = []
    for f in files:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(f.content)
        except configparser.Error as e:
            findings.append(_finding(f, f"configparser cannot read this file: {e}"))
            continue
        got = set()
        for section in parser.sections():
            role = parser[section].get("role_arn")
            if role:
                account_id, name = re.fullmatch(r"arn:[a-z-]+:iam::(\d{12}):role/(.+)", role).groups()
                got.add((account_id, name))
        if got != _expected(plan, f.user):
            findings.append(_finding(f, f"the profiles read back as {sorted(got)}, not the user's roles"))
    return findings
