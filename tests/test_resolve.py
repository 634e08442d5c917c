"""Stage 3: references, account lists, the graph and the access matrix."""

from iamc.driver import check
from iamc.ir import Project, Settings
from iamc.resolve import Stack, _Resolver

from golden import GOLDEN
from projects import codes, run, users_yaml


def user(key: str, whitelist: str, perms: str = "", extra: str = "") -> str:
    return (
        f"  {key}:\n    enabled: true\n    account: paco.ref accounts.master\n"
        f"    account_whitelist: {whitelist}\n{extra}" + (f"    permissions:\n{perms}" if perms else "")
    )


def admin(key: str, accounts: str, read_only: bool = False) -> str:
    return f"      {key}:\n        type: Administrator\n        accounts: {accounts}\n" + (
        "        read_only: true\n" if read_only else ""
    )


def grants(result, key):
    return {acct: [(g.permission.key, g.scope) for g in gs] for acct, gs in result.resolved.access[key].items()}


def test_reference_project_access_matrix():
    result = check(str(GOLDEN / "paco_reference" / "project"))
    assert result.ok
    assert grants(result, "alice") == {a: [("administrator", "delegate")] for a in ("dev", "master", "prod", "test")}
    assert grants(result, "bob") == {"dev": [("readonly", "delegate")], "test": [("custom", "delegate")]}
    assert grants(result, "carol") == {}  # disabled: no account at all
    stacks = [s.id for s in result.resolved.stacks]
    assert stacks[0] == "master/Resource-IAM-User-Accounts"
    assert "test/Resource-IAM-User-Bob-Account-Delegates" in stacks
    assert not any("Carol" in s for s in stacks)
    for s in result.resolved.stacks[1:]:
        assert s.depends_on == ("master/Resource-IAM-User-Accounts",)


def test_accounts_all_means_the_whitelist(tmp_path):
    body = user("bob", "dev,prod", admin("a", "all"))
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(body)})
    assert result.ok
    assert sorted(grants(result, "bob")) == ["dev", "prod"]


def test_whitelisted_account_without_grants_is_still_entered(tmp_path):
    body = user("bob", "dev,prod", admin("a", "dev"))
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(body)})
    assert grants(result, "bob") == {"dev": [("a", "delegate")], "prod": []}


def test_whitelist_checked_for_every_user_even_after_all(tmp_path):
    body = (
        user("alice", "all", admin("a", "all"))
        + user("bob", "dev", admin("a", "dev,prod"))
        + user("carol", "prod", admin("a", "master"))
    )
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(body)})
    assert codes(result) == ["E302", "E302"]


def test_unknown_account_suggests(tmp_path):
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(user("bob", "dev,prood"))})
    [p] = result.placed()
    assert p.diagnostic.code == "E301" and p.diagnostic.help == ("did you mean `prod`?",)
    assert (p.span.line, p.span.col, p.span.end_col) == (5, 28, 33)


def test_account_refs_in_policies_are_resolved(tmp_path):
    perms = (
        "      p:\n        type: CustomPolicy\n        accounts: dev\n        policies:\n"
        "          - name: Cross\n            statement:\n              - effect: Allow\n"
        "                action: ['sts:AssumeRole']\n                resource: ['*']\n"
        "                condition:\n                  StringEquals:\n"
        "                    aws:ResourceAccount: ['paco.ref accounts.prod.id', 'paco.ref accounts.dev.id']\n"
        "                    aws:RequestedRegion: paco.ref accounts.prod.region\n"
    )
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(user("bob", "dev", perms))})
    assert result.ok, codes(result)
    [grant] = result.resolved.access["bob"]["dev"]
    conditions = grant.permission.policies[0].statements[0].conditions
    assert conditions[0].values == ("333333333333", "222222222222")
    assert conditions[1].values == ("us-west-2",)


def test_codecommit_repositories_resolve(tmp_path):
    repos = (
        "acme:\n  web:\n    enabled: true\n    account: paco.ref accounts.dev\n"
        "    region: us-east-1\n    repository_name: acme-web\n"
    )
    perms = (
        "      code:\n        type: CodeCommit\n        repositories:\n"
        "          - codecommit: paco.ref resource.codecommit.acme.web\n            permission: ReadWrite\n"
    )
    result = run(
        tmp_path, {"resource/codecommit.yaml": repos, "resource/iam.yaml": users_yaml(user("bob", "dev", perms))}
    )
    assert result.ok, codes(result)
    [grant] = result.resolved.access["bob"]["dev"]
    [res] = grant.resources
    assert res.arn == "arn:aws:codecommit:us-east-1:222222222222:acme-web"


def test_external_resources_resolve(tmp_path):
    settings = (
        "external_resources:\n  paco.ref netenv.acme.cicd.pipeline:\n"
        "    arn: arn:aws:codepipeline:us-west-2:333333333333:deploy\n    stages: [Source, Deploy]\n"
    )
    perms = (
        "      p:\n        type: DeploymentPipelines\n        resources:\n"
        "          - pipeline: paco.ref netenv.acme.cicd.pipeline\n            permission: ReadOnly,RetryStages\n"
    )
    result = run(tmp_path, {"iamc.yaml": settings, "resource/iam.yaml": users_yaml(user("bob", "prod", perms))})
    assert result.ok, codes(result)
    [grant] = result.resolved.access["bob"]["prod"]
    assert grant.resources[0].stages == ("Source", "Deploy")
    assert grant.resources[0].name == "deploy"


def test_users_outside_master_get_their_own_stack(tmp_path):
    body = user("bob", "dev", admin("a", "dev"), extra="    disable_account_delegates: true\n")
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(body)})
    assert codes(result) == ["W302"]
    assert [s.id for s in result.resolved.stacks if s.user] == ["master/Resource-IAM-User-Account-bob"]


def test_graph_is_typed(tmp_path):
    result = run(tmp_path, {})
    g = result.resolved.graph
    kinds = {data["kind"] for _, data in g.nodes(data=True)}
    assert kinds == {"account", "user", "permission", "stack"}
    assert g.edges[("permission", "alice", "administrator"), ("account", "dev")]["kind"] == "grant"


def test_stack_cycles_are_diagnostics():
    r = _Resolver(Project(".", None, None, (), (), (), Settings()))
    stacks = [Stack("a/x", "a", "x", None, ("a/y",)), Stack("a/y", "a", "y", None, ("a/x",))]
    r.stack_order(stacks)
    assert [d.code for d in r.diags] == ["E306"]
    assert "a/x" in r.diags.items[0].message
