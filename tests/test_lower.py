"""Stage 2: the schema, IAM's naming rules, and the IR they produce."""

import pytest

from iamc import names
from iamc.ir import Administrator, CustomPolicy

from projects import codes, run, users_yaml


def user(body: str = "", key: str = "alice", whitelist: str = "all") -> str:
    return (
        f"  {key}:\n    enabled: true\n    account: paco.ref accounts.master\n"
        f"    account_whitelist: {whitelist}\n" + body
    )


def test_reference_project_lowers_to_the_ir(tmp_path):
    import shutil
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "shared" / "reference" / "paco" / "project"
    if not src.is_dir():
        pytest.skip("shared/reference is not beside this checkout")
    shutil.copytree(src, tmp_path / "p")
    from iamc.driver import check

    result = check(str(tmp_path / "p"))
    assert result.ok
    users = {u.key: u for u in result.project.users}
    assert set(users) == {"alice", "bob", "carol"}
    assert users["carol"].enabled is False
    assert users["bob"].account_whitelist.names == ("dev", "test")
    readonly = users["bob"].permissions[0]
    assert isinstance(readonly, Administrator) and readonly.read_only is True
    custom = users["bob"].permissions[1]
    assert isinstance(custom, CustomPolicy)
    assert custom.managed_policies == ("AmazonGlacierReadOnlyAccess",)
    [statement] = custom.policies[0].statements
    assert statement.action == ("logs:Describe*", "logs:Get*", "logs:List*")
    assert statement.conditions[0].operator == "StringEquals"
    master = result.project.master
    assert master.name == "master" and master.admin_delegate_role_name == "Paco-Admin-Delegate-Role"
    assert result.project.account("dev").admin_delegate_role_name == "Paco-Organization-Account-Delegate-Role"


def test_username_defaults_to_the_key(tmp_path):
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(user())})
    assert result.project.users[0].username == "alice"


@pytest.mark.parametrize(
    "whitelist,expected",
    [
        ("dev,prod", ("dev", "prod")),
        ("dev, prod", ("dev", "prod")),
        ("' dev ,prod '", ("dev", "prod")),
    ],
)
def test_comma_lists_with_and_without_spaces(tmp_path, whitelist, expected):
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(user(whitelist=whitelist))})
    assert result.ok, codes(result)
    assert result.project.users[0].account_whitelist.names == expected


def test_comma_list_item_is_pointed_at(tmp_path):
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(user(whitelist="dev,,prod"))})
    [p] = result.placed()
    assert p.diagnostic.code == "E203"
    assert (p.span.line, p.span.col) == (5, 28)


def test_user_name_rules(tmp_path):
    long_name = "a" * 65
    result = run(
        tmp_path,
        {
            "resource/iam.yaml": users_yaml(
                user(f"    username: {long_name}\n") + user("    username: 'bob smith'\n", key="bob")
            )
        },
    )
    assert codes(result) == ["E205", "E205"]


def test_role_name_limit_is_exactly_64(tmp_path):
    room = names.MAX_ROLE_NAME - len(names.ROLE_PREFIX)
    ok = run(tmp_path / "ok", {"resource/iam.yaml": users_yaml(user(key="k" * room))})
    assert ok.ok
    too_long = run(tmp_path / "long", {"resource/iam.yaml": users_yaml(user(key="k" * (room + 1)))})
    assert codes(too_long) == ["E205"]


def test_every_error_of_a_run_is_reported(tmp_path):
    result = run(
        tmp_path,
        {
            "accounts/dev.yaml": "account_id: 22222222222\nregion: us-west-2\n",
            "resource/iam.yaml": users_yaml(
                user("    consle_access_enabled: true\n") + user("    console_access_enabled: yes\n", key="bob")
            ),
        },
    )
    # sorted by file, then line: the account file first
    assert codes(result) == ["E207", "E201", "E202"]


def test_unknown_key_suggests_the_field(tmp_path):
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(user("    consle_access_enabled: true\n"))})
    [p] = result.placed()
    assert p.diagnostic.code == "E201"
    assert p.diagnostic.help == ("did you mean `console_access_enabled`?",)
    assert (p.span.line, p.span.col) == (6, 5)


def test_enumerations_suggest(tmp_path):
    result = run(
        tmp_path,
        {
            "resource/iam.yaml": users_yaml(
                user("    permissions:\n      a:\n        type: Admin\n        accounts: all\n")
            )
        },
    )
    [p] = result.placed()
    assert p.diagnostic.code == "E203" and "Administrator" in p.diagnostic.help[0]


def test_private_pgp_key_is_refused(tmp_path):
    armour = "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----"  # split, so no scanner mistakes this file for a key
    settings = f"users:\n  alice:\n    pgp_key: |\n      {armour}\n      lQOYBF0\n"
    result = run(tmp_path, {"iamc.yaml": settings})
    [p] = result.placed()
    assert p.diagnostic.code == "E213" and "private key" in p.diagnostic.message


def test_valid_pgp_keys(tmp_path):
    settings = "users:\n  alice:\n    pgp_key: keybase:alice\n  bob:\n    pgp_key: mQENBF0000000000\n"
    body = user() + user(key="bob")
    result = run(tmp_path, {"iamc.yaml": settings, "resource/iam.yaml": users_yaml(body)})
    assert result.ok, codes(result)
    assert [k for k, _, _ in result.project.settings.user_pgp_keys] == ["alice", "bob"]


def test_master_by_file_name(tmp_path):
    result = run(tmp_path, {"accounts/master.yaml": "account_id: '111111111111'\nregion: us-west-2\n"})
    assert result.ok and result.project.master.name == "master"


def test_master_yaml_can_opt_out(tmp_path):
    result = run(
        tmp_path,
        {
            "accounts/master.yaml": "is_master: false\naccount_id: '111111111111'\nregion: us-west-2\n",
            "accounts/dev.yaml": "is_master: true\naccount_id: '222222222222'\nregion: us-west-2\n",
            "resource/iam.yaml": users_yaml(user().replace("accounts.master", "accounts.dev")),
        },
    )
    assert result.ok, codes(result)
    assert result.project.master.name == "dev"


def test_permission_enabled_false_grants_nothing(tmp_path):
    result = run(
        tmp_path,
        {
            "resource/iam.yaml": users_yaml(
                user(
                    "    permissions:\n      a:\n        type: Administrator\n"
                    "        enabled: false\n        accounts: all\n"
                )
            )
        },
    )
    assert result.ok
    assert all(grants == () for grants in result.resolved.access["alice"].values())


def test_sanitised_key_collisions(tmp_path):
    body = user(key="john.doe", whitelist="dev") + user(key="john_doe", whitelist="dev")
    result = run(tmp_path, {"resource/iam.yaml": users_yaml(body)})
    [p] = result.placed()
    assert p.diagnostic.code == "E211" and "IAMUserjohndoe" in p.diagnostic.message


def test_names_follow_paco():
    assert names.role_name("alice") == "IAM-User-Account-Delegate-Role-alice"
    assert names.user_policy_name("alice") == "IAM-User-AssumeRole-Policy-Alice"
    assert names.delegate_stack_name("bob") == "Resource-IAM-User-Bob-Account-Delegates"
    assert names.delegate_stack_name("john.doe") == "Resource-IAM-User-John-doe-Account-Delegates"
    assert names.user_logical_id("john.doe") == "IAMUserjohndoe"
    assert names.custom_policy_logical_id("Cloud Watch-Logs") == "CustomPolicyCloudWatchLogs"
