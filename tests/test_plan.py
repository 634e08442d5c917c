"""Stage 4, plan: IAM semantics and limits, target-neutral."""

from pathlib import Path

from iamc.driver import build
from iamc.manifest import Previous
from iamc.output import OutputFile
from iamc.plan import plan
from iamc.policies import partition_of, signin_url, size
from iamc.verify import check_sizes
from projects import BASE, codes, run, users_yaml, write_project


def _user(key: str, whitelist: str = "all", extra: str = "", perms: str | None = None) -> str:
    perms = perms if perms is not None else "      admin:\n        type: Administrator\n        accounts: all\n"
    return (
        f"  {key}:\n    enabled: true\n    account: paco.ref accounts.master\n"
        f"    account_whitelist: {whitelist}\n{extra}    permissions:\n{perms}"
    )


def _keys(v1: int, v2: int = 0, console: bool = False) -> str:
    return ("    console_access_enabled: true\n" if console else "") + (
        f"    programmatic_access:\n      enabled: true\n"
        f"      access_key_1_version: {v1}\n      access_key_2_version: {v2}\n"
    )


def _plan(tmp_path: Path, files: dict, previous: Previous | None = None):
    result = run(tmp_path, files)
    assert result.ok, [p.diagnostic.message for p in result.placed()]
    planned, diags = plan(result.resolved, previous)
    return planned, [d.code for d in diags], diags


def _built(tmp_path: Path, files: dict):
    write_project(tmp_path, files)
    return build(str(tmp_path), str(tmp_path / "out"), verify_output=False)


def test_each_whitelisted_account_gets_the_users_role_and_the_user_policy_names_exactly_those(tmp_path):
    p, found, _ = _plan(tmp_path, {"resource/iam.yaml": users_yaml(_user("bob", "dev,prod"))})
    assert found == []
    assert sorted(p.roles) == [("bob", "dev"), ("bob", "prod")]
    [users] = [s for s in p.stacks if s.kind == "users"]
    [bob] = users.users
    assume = bob.policy.document["Statement"][0]
    assert assume["Action"] == ["sts:AssumeRole"]
    assert assume["Resource"] == [
        "arn:aws:iam::222222222222:role/IAM-User-Account-Delegate-Role-bob",
        "arn:aws:iam::333333333333:role/IAM-User-Account-Delegate-Role-bob",
    ]
    deny = bob.policy.document["Statement"][-1]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}}
    role = p.roles[("bob", "dev")]
    assert role.trust["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::111111111111:user/bob"]}
    assert role.trust["Statement"][0]["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": True}}
    delegate = p.stack("dev/Resource-IAM-User-Bob-Account-Delegates")
    assert delegate.depends_on == ("master/Resource-IAM-User-Accounts",)
    assert {s.region for s in p.stacks} == {"us-west-2"}


def test_a_disabled_user_keeps_its_iam_user_with_no_way_in(tmp_path):
    carol = _user("carol", extra=_keys(2, console=True))
    iam = users_yaml(carol.replace("enabled: true\n    account", "enabled: false\n    account", 1))
    p, _, _ = _plan(tmp_path, {"resource/iam.yaml": iam})
    [carol] = p.stacks[0].users
    assert (carol.enabled, carol.login_profile, carol.policy) == (False, None, None)
    assert [(k.serial, k.active) for k in carol.access_keys] == [(2, False)]
    assert [s.id for s in p.stacks] == ["master/Resource-IAM-User-Accounts"]
    assert p.roles == {}


def test_policy_documents_over_iams_limit_are_reported_at_the_policy(tmp_path):
    statement = (
        "              - effect: Allow\n                action: ['s3:GetObject']\n"
        "                resource: ['arn:aws:s3:::a-rather-long-bucket-name-for-the-data-of-team-{i}/*']\n"
    )
    perms = (
        "      big:\n        type: CustomPolicy\n        accounts: dev\n        policies:\n"
        "          - name: Huge\n            statement:\n" + "".join(statement.format(i=i) for i in range(80))
    )
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(_user("bob", "dev", perms=perms))})
    planned, diags = plan(result.resolved, None)
    [d] = list(diags)
    assert d.code == "E401" and "IAM allows 6,144" in d.message
    assert d.at.path == ("users", "bob", "permissions", "big", "policies", 0, "name")


def test_more_than_ten_managed_policies_on_a_role_is_an_error_at_the_eleventh(tmp_path):
    names = [f"Policy{i}" for i in range(11)]
    perms = "      many:\n        type: CustomPolicy\n        accounts: dev\n        policies:\n" + "".join(
        f"          - name: {n}\n            statement:\n              - effect: Allow\n"
        f"                action: ['s3:ListBucket']\n                resource: ['*']\n"
        for n in names
    )
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(_user("bob", "dev", perms=perms))})
    _, diags = plan(result.resolved, None)
    [d] = list(diags)
    assert d.code == "E402"
    assert d.at.path == ("users", "bob", "permissions", "many", "policies", 10, "name")


def test_the_users_stack_over_500_resources_names_users_stacks(tmp_path):
    extra = _keys(1, console=True)
    iam = users_yaml("".join(_user(f"user{i:03d}", "dev", extra) for i in range(120)))
    p, found, diags = _plan(tmp_path, {"resource/iam.yaml": iam})
    assert found == ["E403"]
    [d] = list(diags)
    assert "600 resources (CloudFormation allows 500)" in d.message
    assert "set `users_stacks: 3` in iamc.yaml" in d.help[0]
    # split as suggested, every stack fits, and each user lands by the hash of its key alone
    p, found, _ = _plan(tmp_path, {"resource/iam.yaml": iam, "iamc.yaml": "users_stacks: 3\n"})
    assert found == []
    stacks = {u.key: s.id for s in p.stacks if s.kind == "users" for u in s.users}
    assert sorted(set(stacks.values())) == [
        "master/Resource-IAM-User-Accounts",
        "master/Resource-IAM-User-Accounts-2",
        "master/Resource-IAM-User-Accounts-3",
    ]
    fewer = users_yaml("".join(_user(f"user{i:03d}", "dev", extra) for i in range(0, 120, 2)))
    p2, _, _ = _plan(tmp_path, {"resource/iam.yaml": fewer, "iamc.yaml": "users_stacks: 3\n"})
    assert {u.key: s.id for s in p2.stacks if s.kind == "users" for u in s.users}.items() <= stacks.items()
    # each delegate stack waits for the users stack that holds its user
    for s in p.stacks:
        if s.kind == "delegate":
            assert s.depends_on == (stacks[s.user],)


def test_paco_keys_count_towards_the_two_a_user_may_have(tmp_path):
    extra = (
        "    programmatic_access:\n      enabled: true\n      access_key_1_version: 1\n      access_key_2_version: 1\n"
    )
    files = {"resource/iam.yaml": users_yaml(_user("alice", extra=extra))}
    assert _plan(tmp_path, files)[1] == []
    files["iamc.yaml"] = "paco_migration:\n  users: [alice]\n"
    _, found, diags = _plan(tmp_path, files)
    assert found == ["W401"]
    assert "2 made by Paco outside CloudFormation" in next(iter(diags)).notes[0]


def test_a_rotation_with_both_keys_in_use_needs_a_third_key(tmp_path):
    extra = (
        "    programmatic_access:\n      enabled: true\n      access_key_1_version: 2\n      access_key_2_version: 1\n"
    )
    files = {"resource/iam.yaml": users_yaml(_user("alice", extra=extra))}
    assert _plan(tmp_path, files, Previous(keys={("alice", 1): 2, ("alice", 2): 1}))[1] == []
    p, found, _ = _plan(tmp_path, files, Previous(keys={("alice", 1): 1, ("alice", 2): 1}))
    assert found == ["W401"]
    [key1, _] = p.stacks[0].users[0].access_keys
    assert key1.rotated_from == 1
    # with one key, a rotation is fine: the replacement is the second key for a moment
    extra1 = extra.replace("access_key_2_version: 1", "access_key_2_version: 0")
    files = {"resource/iam.yaml": users_yaml(_user("alice", extra=extra1))}
    assert _plan(tmp_path, files, Previous(keys={("alice", 1): 1}))[1] == []


def test_paco_migration_keeps_the_password_parameter(tmp_path):
    extra = "    console_access_enabled: true\n"
    files = {
        "resource/iam.yaml": users_yaml(_user("alice", extra=extra) + _user("bob", extra=extra)),
        "iamc.yaml": "paco_migration:\n  users: [alice]\n",
    }
    p, _, _ = _plan(tmp_path, files)
    users = {u.key: u for u in p.stacks[0].users}
    assert users["alice"].login_profile.paco_parameter == "Password6384e2b2184bcbf58eccf10ca7a6563c"
    assert users["bob"].login_profile.paco_parameter is None
    assert users["bob"].login_profile.secret_name == "iamc/bob/console-password"
    params = {x.name: x for x in p.stacks[0].parameters}
    assert params["Password6384e2b2184bcbf58eccf10ca7a6563c"].use_previous_value
    assert params["Password6384e2b2184bcbf58eccf10ca7a6563c"].no_echo
    # Paco's placeholder delegate stacks of alice are listed for deletion; bob never had any
    gone = {g.id for g in p.gone}
    assert gone == set()  # alice's whitelist is `all`: every account has her role
    files["resource/iam.yaml"] = users_yaml(_user("alice", "dev", extra=extra))
    p, _, _ = _plan(tmp_path, files)
    assert {g.id for g in p.gone} == {
        "master/Resource-IAM-User-Alice-Account-Delegates",
        "prod/Resource-IAM-User-Alice-Account-Delegates",
    }


def test_partitions_follow_the_master_region(tmp_path):
    assert [partition_of(r) for r in ("us-west-2", "cn-north-1", "us-gov-west-1")] == ["aws", "aws-cn", "aws-us-gov"]
    files = {
        "accounts/master.yaml": BASE["accounts/master.yaml"].replace("us-west-2", "cn-north-1"),
        "resource/iam.yaml": users_yaml(_user("bob", "dev")),
    }
    p, _, _ = _plan(tmp_path, files)
    role = p.roles[("bob", "dev")]
    assert role.arn == "arn:aws-cn:iam::222222222222:role/IAM-User-Account-Delegate-Role-bob"
    assert role.attached[0].arn == "arn:aws-cn:iam::aws:policy/AdministratorAccess"
    assert role.signin_url.startswith("https://signin.amazonaws.cn/switchrole?")
    assert {s.region for s in p.stacks} == {"cn-north-1"}


def test_signin_urls_escape_what_a_query_cannot_hold():
    url = signin_url("aws", "222222222222", "IAM-User-Account-Delegate-Role-ops+oncall@acme")
    assert url.endswith("roleName=IAM-User-Account-Delegate-Role-ops%2Boncall%40acme")


def test_policy_size_is_counted_without_whitespace():
    assert size({"Version": "2012-10-17", "Statement": []}) == len('{"Version":"2012-10-17","Statement":[]}')


def test_templates_over_a_megabyte_are_errors_even_unverified(tmp_path):
    b = _built(tmp_path, {"resource/iam.yaml": users_yaml(_user("bob", "dev"))})
    assert b.ok
    [users_file] = [f for f in b.files if f.stack == "master/Resource-IAM-User-Accounts"]
    padded = OutputFile(users_file.path, users_file.content + "#" * 1_000_001, "cloudformation", stack=users_file.stack)
    diags = list(check_sizes(b.plan, [padded]))
    assert [d.code for d in diags] == ["E504"]
    assert "users_stacks" in diags[0].help[0]
    assert list(check_sizes(b.plan, b.files)) == []


def test_plan_reports_nothing_for_the_example(tmp_path):
    root = Path(__file__).resolve().parent.parent / "example"
    b = build(str(root), str(tmp_path / "out"), verify_output=False)
    assert b.ok and codes(b) == []


def test_a_user_name_secrets_manager_cannot_hold_is_an_error(tmp_path):
    bob = _user("bob", "dev", extra="    username: bob,builder\n    console_access_enabled: true\n")
    _, found, diags = _plan(tmp_path, {"resource/iam.yaml": users_yaml(bob)})
    assert found == ["E405"]
    assert next(iter(diags)).at.path == ("users", "bob", "username")
    # without a password or a key, no secret is needed
    quiet = _user("bob", "dev", extra="    username: bob,builder\n")
    assert _plan(tmp_path, {"resource/iam.yaml": users_yaml(quiet)})[1] == []
