"""cfn-lint as iamc runs it: what it reports, what it skips, and what it remembers."""

import concurrent.futures

from iamc.output import OutputFile
from iamc.plugins import cfnlint_check

PARAMETER_PASSWORD = """\
Parameters:
  Password:
    Type: String
    NoEcho: true
Resources:
  User:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: !Ref Password
"""
SUPPRESSED = "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [W1011]\n" + PARAMETER_PASSWORD


def _rules(content: str) -> list[str]:
    f = OutputFile("cloudformation/x/y.yaml", content, "cloudformation")
    return [x.rule for x in cfnlint_check.lint([f], "us-west-2")]


def test_a_templates_own_suppression_holds_for_that_template_only():
    assert "W1011" in _rules(PARAMETER_PASSWORD)
    assert "W1011" not in _rules(SUPPRESSED)
    assert "W1011" in _rules(PARAMETER_PASSWORD + "\n")  # nothing leaks from the template before


def test_substitutions_outside_sub_are_found_and_policy_variables_are_not():
    template = (
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: 'a-${AWS::Region}'\n"
        "  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n"
        "            Action: ['iam:GetUser']\n            Resource: ['arn:aws:iam::*:user/${aws:username}']\n"
    )
    f = OutputFile("cloudformation/x/y.yaml", template, "cloudformation")
    found = [(x.rule, x.line) for x in cfnlint_check.lint([f], "us-west-2") if x.rule == "E1029"]
    assert found == [("E1029", 5)]


def test_findings_are_cached_by_template(tmp_path, monkeypatch):
    monkeypatch.setenv("IAMC_CACHE_DIR", str(tmp_path))
    first = _rules(PARAMETER_PASSWORD + "# cached\n")
    assert list(tmp_path.rglob("*.json"))

    def no_lint(contents, region):
        raise AssertionError("a cached template was linted again")

    monkeypatch.setattr(cfnlint_check, "_lint_uncached", no_lint)
    assert _rules(PARAMETER_PASSWORD + "# cached\n") == first
    monkeypatch.setenv("IAMC_CACHE_DIR", "")  # off
    try:
        _rules(PARAMETER_PASSWORD + "# cached\n")
    except AssertionError as e:
        assert "linted again" in str(e)
    else:
        raise AssertionError("with the cache off, the template must be linted")


def test_templates_of_one_shape_are_linted_once(monkeypatch):
    calls = []
    real = cfnlint_check._lint_uncached

    def counting(contents, region):
        calls.append(len(contents))
        return real(contents, region)

    monkeypatch.setenv("IAMC_CACHE_DIR", "")
    monkeypatch.setattr(cfnlint_check, "_lint_uncached", counting)
    a = OutputFile("cloudformation/dev/y.yaml", "# dev 222222222222\n" + PARAMETER_PASSWORD, "cloudformation")
    b = OutputFile("cloudformation/prod/y.yaml", "# prod 333333333333\n" + PARAMETER_PASSWORD, "cloudformation")
    found = cfnlint_check.lint([a, b], "us-west-2")
    assert calls == [1]
    assert sorted((x.file.path, x.rule, x.line) for x in found) == [
        ("cloudformation/dev/y.yaml", "W1011", 11),
        ("cloudformation/prod/y.yaml", "W1011", 11),
    ]


def test_many_templates_are_linted_in_worker_processes_with_the_same_findings(monkeypatch):
    monkeypatch.setenv("IAMC_CACHE_DIR", "")
    contents = [
        PARAMETER_PASSWORD.replace("User:", f"User{i}:").replace("!Ref User", f"!Ref User{i}") for i in range(4)
    ]
    monkeypatch.setattr(cfnlint_check.os, "cpu_count", lambda: 2)
    sequential = cfnlint_check._lint_uncached(contents, "us-west-2")
    monkeypatch.setattr(cfnlint_check, "PARALLEL_FROM", 2)
    pools = []

    class CountedPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(cfnlint_check.concurrent.futures, "ProcessPoolExecutor", CountedPool)
    parallel = cfnlint_check._lint_uncached(contents, "us-west-2")
    assert [workers for workers, *_ in pools] == [2]
    assert parallel == sequential
    assert [[m[1] for m in ms] for ms in parallel] == [["W1011"]] * 4
