"""cfn-lint, in process, over every emitted template.

    lint([OutputFile("cloudformation/dev/X.yaml", ...)], "us-west-2")
      -> [Finding(file, "error", "E3012", "...", path=("Resources", "Role", "Properties", ...), line=12, column=7)]

The Runner loads all of cfn-lint's rules when it is made (about half a
second); it is made once per region and reused for every template, which
then takes some 20 ms each (`cfnlint.api.lint` would reload the rules on
every call). Templates that differ only in account ids and comments (one
user's delegate stacks, as a rule) are linted once: the findings of the
first stand for the others, at the same lines. Many templates are linted
over the machine's cores, in worker processes, and the findings of each
template are cached by its content (and cfn-lint's version): a build after a
small change lints only the templates that changed. Runs are hermetic: no
`.cfnlintrc` from the user's home or working folder changes what iamc
reports.
"""

from __future__ import annotations

import concurrent.futures
import functools
import multiprocessing
import os
import re
from importlib import metadata

from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner

from iamc import cache, vocabulary
from iamc.hookspecs import Finding
from iamc.output import OutputFile

_SEVERITIES = {"error": "error", "warning": "warning"}  # informational findings are not reported
# W3037 (unknown IAM action) is iamc's own W203, already reported at the YAML with a suggestion.
# E1029 (a `${}` outside Fn::Sub) recompiles a regular expression for every string it looks at, which
# makes a users stack of 500 resources take half a minute: `_unsubstituted` below checks the same.
IGNORED = ["W3037", "E1029"]
# IAM policy variables, which stand in policy documents as they are (not for Fn::Sub)
_POLICY_VARIABLE = re.compile(r"\$\{(aws|ec2|s3|sts|ssm|iam|saml|cognito-identity\.amazonaws\.com|[a-z0-9.-]+):[^}]+\}")
_VARIABLE = re.compile(r"\$\{[^}]*\}")
MAX_MESSAGE = 300
# cfn-lint's policy schema lacks some of IAM's condition operators (BinaryEquals with IfExists or a
# set prefix); iamc checks every operator itself at the YAML, so these findings are cfn-lint's gaps
_OPERATOR_FINDING = re.compile(r"'([A-Za-z:]+)' does not match any of the regexes")


class _HermeticConfig(ConfigMixIn):
    def _find_config(self):  # no user or project .cfnlintrc
        return "", ""


@functools.lru_cache(maxsize=4)
def runner(region: str) -> Runner:
    # a configured ignore_checks overrides a template's own (Metadata: cfn-lint), and merging the two makes
    # cfn-lint several times slower: the template's own are applied to the findings in `_matches`
    run = Runner(_HermeticConfig(regions=[region], ignore_checks=IGNORED))
    # an ignored rule still runs (its matches are dropped after): E1029 must not run at all
    run.rules.data.pop("E1029", None)
    return run


def _known_gap(rule: str, message: str) -> bool:
    m = _OPERATOR_FINDING.match(message)
    return rule == "E3510" and m is not None and vocabulary.split_operator(m.group(1)) is not None


def _shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_COMMENT = re.compile(r"^#.*$", re.M)


def shape(content: str, replacements: tuple[tuple[str, str], ...] = ()) -> str:
    """The template with every account id and comment blanked, and each user's own names (their role's
    name, their user ARN) replaced by placeholders: lines are kept, columns may move."""
    for literal, placeholder in replacements:
        content = content.replace(literal, placeholder)
    return _COMMENT.sub("#", _ACCOUNT_ID.sub("000000000000", content))


def _replacements(plan, f: OutputFile) -> tuple[tuple[str, str], ...]:
    """The user's names in a delegate stack's template: the same structure for another user lints the same."""
    if plan is None or f.user is None:
        return ()
    roles = plan.roles_of.get(f.user)
    if not roles:
        return ()
    username = plan.access_of[f.user].username
    return ((roles[0][1].name, "IAM-User-Account-Delegate-Role-K"), (f":user/{username}\n", ":user/U\n"))


def lint(templates: list[OutputFile], region: str, plan=None) -> list[Finding]:
    """cfn-lint's findings for each template. Templates of the same shape are linted once; the findings of
    the one linted stand for the others, at the same lines (at the line's first character where the
    user's names moved the columns)."""
    keys = {}
    shapes: dict[str, OutputFile] = {}
    for f in templates:
        replacements = _replacements(plan, f) if f.stack and "/Resource-IAM-User-Accounts" not in f.stack else ()
        keys[f.path] = shape(f.content, replacements)
        shapes.setdefault(keys[f.path], f)
    results = _lint_all([f.content for f in shapes.values()], region)
    by_shape = {key: (rep, res) for (key, rep), res in zip(shapes.items(), results, strict=True)}
    findings = []
    for f in templates:
        representative, found = by_shape[keys[f.path]]
        lines = f.content.splitlines()
        for severity, rule, message, path, line, column in found:
            if representative is not f and 0 < line <= len(lines):
                column = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1
            findings.append(Finding(f, severity, rule, message, path, line, column, tool="cfn-lint"))
    return findings


# below this many distinct templates, starting worker processes (each loads cfn-lint's rules) costs more
PARALLEL_FROM = 40


@functools.lru_cache(maxsize=1)
def _salt() -> str:
    """What a template's findings depend on besides its text: cfn-lint, and this module's filtering."""
    return f"{metadata.version('cfn-lint')}:{cache.source_hash(__file__)}"


def _lint_all(contents: list[str], region: str) -> list[list[tuple]]:
    """Each template's matches, in order: from the cache where a build linted the very same template
    before, else by cfn-lint, over the machine's cores when there are many."""
    store = cache.Cache("cfn-lint", f"{_salt()}:{region}")
    results: list = [None] * len(contents)
    todo = []
    for i, content in enumerate(contents):
        cached = store.get(content)
        if cached is None:
            todo.append(i)
        else:
            results[i] = [(sev, rule, msg, tuple(path), line, col) for sev, rule, msg, path, line, col in cached]
    fresh = _lint_uncached([contents[i] for i in todo], region) if todo else []
    for i, matches in zip(todo, fresh, strict=True):
        results[i] = matches
        store.put(contents[i], [list(m) for m in matches])
    return results


def _lint_uncached(contents: list[str], region: str) -> list[list[tuple]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(contents) < PARALLEL_FROM or workers < 2:
        run = runner(region)
        return [_matches(run, c) for c in contents]
    # the largest first, so that no worker is left with a big users stack at the end
    order = sorted(range(len(contents)), key=lambda i: -len(contents[i]))
    chunks = [order[i::workers] for i in range(workers)]
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = pool.map(_lint_chunk, [[contents[i] for i in chunk] for chunk in chunks], [region] * workers)
        results: list = [None] * len(contents)
        for chunk, part in zip(chunks, parts, strict=True):
            for i, matches in zip(chunk, part, strict=True):
                results[i] = matches
    return results


def _lint_chunk(contents: list[str], region: str) -> list[list[tuple]]:
    run = runner(region)
    return [_matches(run, c) for c in contents]


def _matches(run: Runner, content: str) -> list[tuple]:
    template, errors = decode_str(content)
    matches = list(errors or ()) if template is None else list(run.validate_template(template))
    own = _template_ignores(template)
    out = []
    for m in matches:
        severity = _SEVERITIES.get(m.rule.severity)
        if severity is None or m.rule.id in IGNORED or m.rule.id in own or _known_gap(m.rule.id, m.message):
            continue
        # plain values: cfn-lint's decoded strings cannot cross to another process, or into the cache
        path = tuple(p if isinstance(p, int) else str(p) for p in getattr(m, "path", None) or ())
        out.append((severity, str(m.rule.id), str(_shorten(m.message)), path, int(m.linenumber), int(m.columnnumber)))
    if template is not None:
        out += _unsubstituted(template)
    return out


def _template_ignores(template) -> set[str]:
    try:
        return set(template["Metadata"]["cfn-lint"]["config"]["ignore_checks"])
    except (KeyError, TypeError):
        return set()


def _unsubstituted(template, path=()) -> list[tuple]:
    """E1029's check: a `${...}` that is not an IAM policy variable, in a string outside Fn::Sub."""
    out = []
    if isinstance(template, dict):
        for k, v in template.items():
            if k != "Fn::Sub":
                out += _unsubstituted(v, path + (k,))
    elif isinstance(template, list):
        for i, v in enumerate(template):
            out += _unsubstituted(v, path + (i,))
    elif isinstance(template, str) and "${" in template:
        for variable in _VARIABLE.findall(template):
            if not _POLICY_VARIABLE.fullmatch(variable):
                mark = getattr(template, "start_mark", None)
                line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                message = f"`{variable}` is not substituted: the string is not in an Fn::Sub"
                out.append(
                    ("error", "E1029", message, tuple(p if isinstance(p, int) else str(p) for p in path), line, column)
                )
    return out
