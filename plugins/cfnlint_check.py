"""cfn-lint, in process, over every emitted template.

    lint([OutputFile("cloudformation/dev/X.yaml", ...)], "us-west-2")
      -> [Finding(file, "error", "E3012", "...", path=("Resources", "Role", "Properties", ...), line=12, column=7)]

The Runner loads all of cfn-lint's rules when it is made (about half a
second); it is made once per region and reused for every template, which
then takes some 20 ms each (`cfnlint.api.lint` would reload the rules on
every call). Templates that differ only in account ids and comments (one
user's delegate stacks, as a rule) are linted once: the findings of the
first stand for the others, at the same lines. Runs are hermetic: no
`.cfnlintrc` from the user's home or working folder changes what iamc
reports.
"""

from __future__ import annotations

import functools
import re

from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner

from iamc import vocabulary
from iamc.hookspecs import Finding
from iamc.output import OutputFile

_SEVERITIES = {"error": "error", "warning": "warning"}  # informational findings are not reported
# W3037 (unknown IAM action) is iamc's own W203, already reported at the YAML with a suggestion
IGNORED = ["W3037"]
MAX_MESSAGE = 300
# cfn-lint's policy schema lacks some of IAM's condition operators (BinaryEquals with IfExists or a
# set prefix); iamc checks every operator itself at the YAML, so these findings are cfn-lint's gaps
_OPERATOR_FINDING = re.compile(r"'([A-Za-z:]+)' does not match any of the regexes")


class _HermeticConfig(ConfigMixIn):
    def _find_config(self):  # no user or project .cfnlintrc
        return "", ""


@functools.lru_cache(maxsize=4)
def runner(region: str) -> Runner:
    # merge_configs: a template's own Metadata (cfn-lint ignore_checks) adds to IGNORED instead of losing to it
    return Runner(_HermeticConfig(regions=[region], ignore_checks=IGNORED, merge_configs=True))


def _known_gap(rule: str, message: str) -> bool:
    m = _OPERATOR_FINDING.match(message)
    return rule == "E3510" and m is not None and vocabulary.split_operator(m.group(1)) is not None


def _shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_COMMENT = re.compile(r"^#.*$", re.M)


def shape(content: str) -> str:
    """The template with every account id and comment blanked, lines and columns kept."""
    return _COMMENT.sub("#", _ACCOUNT_ID.sub("000000000000", content))


def lint(templates: list[OutputFile], region: str) -> list[Finding]:
    run = runner(region)
    seen: dict[str, list[tuple]] = {}
    findings = []
    for f in templates:
        key = shape(f.content)
        if key not in seen:
            seen[key] = _matches(run, f.content)
        for severity, rule, message, path, line, column in seen[key]:
            findings.append(Finding(f, severity, rule, message, path, line, column, tool="cfn-lint"))
    return findings


def _matches(run: Runner, content: str) -> list[tuple]:
    template, errors = decode_str(content)
    matches = list(errors or ()) if template is None else list(run.validate_template(template))
    out = []
    for m in matches:
        severity = _SEVERITIES.get(m.rule.severity)
        if severity is None or _known_gap(m.rule.id, m.message):
            continue
        path = tuple(getattr(m, "path", None) or ())
        out.append((severity, m.rule.id, _shorten(m.message), path, m.linenumber, m.columnnumber))
    return out
