"""cfn-lint, in process, over every emitted template.

    lint([OutputFile("cloudformation/dev/X.yaml", ...)], "us-west-2")
      -> [Finding(file, "error", "E3012", "...", path=("Resources", "Role", "Properties", ...), line=12, column=7)]

The Runner loads all of cfn-lint's rules when it is made (about half a
second); it is made once per region and reused for every template, which
then takes some 30 ms each (`cfnlint.api.lint` would reload the rules on
every call). Runs are hermetic: no `.cfnlintrc` from the user's home or
working folder changes what iamc reports.
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


def lint(templates: list[OutputFile], region: str) -> list[Finding]:
    run = runner(region)
    findings = []
    for f in templates:
        template, errors = decode_str(f.content)
        matches = list(errors or ()) if template is None else list(run.validate_template(template))
        for m in matches:
            severity = _SEVERITIES.get(m.rule.severity)
            if severity is None or _known_gap(m.rule.id, m.message):
                continue
            findings.append(
                Finding(
                    file=f,
                    severity=severity,
                    rule=m.rule.id,
                    message=_shorten(m.message),
                    path=tuple(getattr(m, "path", None) or ()),
                    line=m.linenumber,
                    column=m.columnnumber,
                    tool="cfn-lint",
                )
            )
    return findings
