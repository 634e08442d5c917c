"""Stage 6, verify: the emitted files are checked, and every finding points back at the YAML.

    Finding(cloudformation/dev/X.yaml, "E3012", path=("Resources", "CustomPolicyLogs", ...), line=14)
      -> resource/iam.yaml:31:13: error[E501]: cfn-lint E3012: ...
             ::: out/cloudformation/dev/X.yaml:14:9   (the generated line, shown under it)

Verifier plugins check the files, cfn-lint on the CloudFormation templates
first among them; `check_sizes`, which `--no-verify` does not skip, holds
each template to CloudFormation's limit.
"""

from __future__ import annotations

from .diagnostics import Diagnostics, Label
from .hookspecs import Finding
from .manifest import S3_THRESHOLD
from .output import OutputFile, in_out
from .plan_model import Plan
from .registry import Plugins
from .tree import Document, Loc, Locator, Span

MAX_TEMPLATE_BYTES = 1_000_000  # CloudFormation's limit for a template uploaded to S3


def verify(plan: Plan, files: list[OutputFile], plugins: Plugins, locator: Locator, out_rel: str) -> Diagnostics:
    """`out_rel` is OUT relative to the project folder: generated files are named by it in diagnostics."""
    diags = Diagnostics()
    for f in files:
        # the generated text becomes visible to the renderer, which shows the line a finding is on
        locator.add(Document(in_out(out_rel, f.path), f.content, None))
    for impl in plugins.pm.hook.iamc_verify_files.get_hookimpls():
        for finding in impl.function(plan=plan, files=files) or ():
            _report(finding, out_rel, diags)
    return diags


def check_sizes(plan: Plan, files: list[OutputFile]) -> Diagnostics:
    """CloudFormation's limit on a template's size: checked on every build, verified or not."""
    diags = Diagnostics()
    stacks = {s.id: s for s in plan.stacks}
    for f in files:
        stack = stacks.get(f.stack) if f.stack else None
        if stack is None:
            continue
        size = len(f.content.encode("utf-8"))
        if size <= MAX_TEMPLATE_BYTES:
            continue
        help = "split the users over more stacks: raise `users_stacks` in iamc.yaml"
        if stack.kind != "users":
            help = "the delegate role has too many policies for one template; merge some"
        diags.add(
            "E504",
            f"the template of stack `{stack.id}` is {size:,} bytes; CloudFormation takes at most "
            f"{MAX_TEMPLATE_BYTES:,} (over {S3_THRESHOLD:,} only through S3)",
            stack.loc,
            label="too large for one template",
            help=help,
        )
    return diags


def _report(finding: Finding, out_rel: str, diags: Diagnostics) -> None:
    where = in_out(out_rel, finding.file.path)
    line, col = max(finding.line, 1), max(finding.column, 1)
    generated = Label(Loc(where), "generated here", Span(line, col, line, col + 1))
    origin = finding.file.origin(finding.path)
    code = "E501" if finding.severity == "error" else "W501"
    message = f"{finding.tool or 'verifier'} {finding.rule}: {finding.message}"
    notes = list(finding.notes)
    help = "check the YAML it comes from; if that is right, this is a bug in iamc: please report it"
    if origin is not None:
        diags.add(code, message, origin, label="produces it", related=[generated], notes=notes, help=help)
    else:
        diags.add(code, message, Loc(where), label="here", span=generated.span, notes=notes, help=help)
