"""The per-user files: switch-role profiles, AWS CLI profiles, onboarding sheets."""

import configparser
import json
import re
import shutil
from pathlib import Path

import pytest

from golden import GOLDEN, ROOT, cases, expected_tree, run_cli
from iamc import names
from iamc.plugins import profiles, switchroles
from iamc.plugins.profiles_check import ConfigError, parse_extension_config

DATA = Path(__file__).parent / "data"
BUILT = [c for c in cases() if "error[" not in expected_tree(c)["stderr.txt"]]


def _users(tree: dict) -> dict:
    return {u["name"]: u for u in json.loads(tree["manifest.json"])["users"]}


def _account_ids(case: Path) -> dict[str, str]:
    out = {}
    for f in (case / "project" / "accounts").glob("*.yaml"):
        out[f.stem] = re.search(r"account_id: '(\d{12})'", f.read_text()).group(1)
    return out


def test_the_seeds_configuration_is_reproduced():
    """The seed's example (six accounts, its colours), from an equivalent project."""
    case = GOLDEN / "seed_switchroles"
    ours = expected_tree(case)["switchroles/yourusername.ini"]
    seed = (DATA / "seed_switchroles.ini").read_text()
    seed = seed.replace("<username>", "yourusername")
    ids = iter(f"{i}" * 12 for i in range(1, 7))  # the seed writes 123456789012 for every account
    seed = re.sub(r"123456789012", lambda m: next(ids), seed)
    content = [line for line in ours.splitlines() if not line.startswith(";")]
    assert "\n".join(content).strip() == seed.strip()


@pytest.mark.parametrize("case", BUILT, ids=lambda p: p.name)
def test_the_extension_reads_back_exactly_the_users_roles(case):
    tree = expected_tree(case)
    ids = _account_ids(case)
    for key, user in _users(tree).items():
        path = f"switchroles/{key}.ini"
        if not user["enabled"] or not user["grants"] and not user["accounts"] or path not in tree:
            continue
        sections = parse_extension_config(tree[path])
        bases = {s["name"]: s for s in sections if "target_role_name" in s}
        got = {
            (s["aws_account_id"], s.get("role_name") or bases[s["source_profile"]]["target_role_name"])
            for s in sections
            if s["name"] not in bases
        }
        roles = json.loads(tree["manifest.json"])
        assert {a for a, _ in got} == {ids[a] for a in user["accounts"]}, path
        assert {r for _, r in got} == {names.role_name(key)}
        assert len({s["name"] for s in sections}) == len(sections)
        assert roles  # the manifest lists the file
        assert {"path": path, "backend": "switchroles", "user": key}.items() <= next(
            f for f in roles["files"] if f["path"] == path
        ).items()


@pytest.mark.parametrize("case", BUILT, ids=lambda p: p.name)
def test_the_cli_reads_every_aws_config(case):
    for path, text in expected_tree(case).items():
        if path.startswith("aws-config/"):
            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(text)
            key = Path(path).stem
            roles = [parser[s]["role_arn"] for s in parser.sections() if "role_arn" in parser[s]]
            assert roles and all(r.endswith(":role/" + roles[0].split(":role/")[1]) for r in roles)
            for section in parser.sections():
                if "role_arn" in parser[section]:
                    assert parser[section]["source_profile"] in [s.removeprefix("profile ") for s in parser.sections()]
                    assert parser[section]["mfa_serial"].endswith(":mfa/" + parser[section]["role_session_name"])
            assert key in _users(expected_tree(case))


def test_the_extension_parser_follows_the_extension():
    text = "[profile A]\naws_account_id = 111111111111 ; a comment\nrole_name = R=S\ncolor = #ff0000\n"
    with pytest.raises(ConfigError) as e:  # `# ff0000` is a comment: color has no value
        parse_extension_config(text)
    assert e.value.line == 4
    [a] = parse_extension_config(text.replace("color = #ff0000\n", ""))
    assert a == {"name": "A", "line": 1, "aws_account_id": "111111111111", "role_name": "R"}
    with pytest.raises(ConfigError, match="duplicated"):
        parse_extension_config("[A]\naws_account_id = 1\naws_account_id = 2\n")
    with pytest.raises(ConfigError, match="not defined"):
        parse_extension_config("[A]\naws_account_id = 1\nsource_profile = B\n")


def test_lz_string_lengths_are_the_libraries():
    """Lengths of LZString.compressToUTF16 (lz-string 1.5.0 under Node 20) for the same texts."""
    long = "\n".join(
        f"[profile Org Account{i}]\naws_account_id = {100000000000 + i}\n"
        f"role_name = IAM-User-Account-Delegate-Role-someone\ncolor = {(i * 99991) % 16777216:06x}\n"
        for i in range(300)
    )
    vectors = [("", 2), ("a", 2), ("hello hello hello", 7), ("x" * 5000, 42), (long, 3079), ("ünïcødé ✓ 日本語", 14)]
    for text, expected in vectors:
        assert profiles.lz_utf16_length(text) == expected, text[:20]


def test_colours_by_setting_then_name_then_a_stable_hash():
    tree = expected_tree(GOLDEN / "switchroles_compact")
    alice = parse_extension_config(tree["switchroles/alice.ini"])
    colours = {s["name"]: s.get("color") for s in alice}
    assert colours["Acme Production"] == "ff0000"  # iamc.yaml
    assert colours["Acme Development"] == "008080"  # dev's default
    assert [s.get("region") for s in alice if s["name"] == "Acme Production"] == ["eu-central-1"]
    reference = expected_tree(GOLDEN / "paco_reference")["switchroles/bob.ini"]
    [test] = [s for s in parse_extension_config(reference) if s["name"].endswith("Test AWS Account")]
    assert re.fullmatch(r"[0-9a-f]{6}", test["color"]) and test["color"] not in profiles.DEFAULT_COLORS.values()


def test_the_compact_form_inherits_the_role(tmp_path):
    tree = expected_tree(GOLDEN / "switchroles_compact")
    [base, *targets] = parse_extension_config(tree["switchroles/bob.ini"])
    assert base == {
        "name": "Acme",
        "line": 4,
        "aws_account_id": "111111111111",
        "aws_account_alias": "acme-master",
        "target_role_name": "IAM-User-Account-Delegate-Role-bob",
    }
    assert {t["source_profile"] for t in targets} == {"Acme"}
    assert all("role_name" not in t for t in targets)


def test_a_configuration_too_large_for_sync_storage_is_a_warning(tmp_path, monkeypatch):
    shutil.copytree(GOLDEN / "paco_reference" / "project", tmp_path / "project")
    monkeypatch.setattr(switchroles, "SYNC_LIMIT", 100)
    code, _, err = run_cli(["build", "project", "-o", "out", "--color", "never"], tmp_path)
    assert code == 0
    assert "warning[W502]: the switch-role configuration of user `alice` compresses to" in err


def test_onboarding_walks_through_the_first_day():
    sheet = expected_tree(GOLDEN / "paco_reference")["onboarding/bob.md"]
    order = [
        "## 1. Sign in",
        "iamc/bob/console-password",
        "## 2. Change your password",
        "## 3. Set up your MFA",
        "sign in again",
        "## 4. Your accounts",
        "switchroles/bob.ini",
    ]
    positions = [sheet.index(part) for part in order]
    assert positions == sorted(positions)
    assert "https://111111111111.signin.aws.amazon.com/console" in sheet
    link = "https://signin.aws.amazon.com/switchrole?account=444444444444&roleName=IAM-User-Account-Delegate-Role-bob"
    assert f"[switch]({link}&displayName=Paco%20IAM%20Users%20Reference%20Project%20Test%20AWS%20Account)" in sheet
    assert "| read everything (ReadOnlyAccess) |" in sheet


def test_values_a_format_cannot_carry_are_refused_by_its_filter():
    for bad in ("a#b", "a;b", "two\nlines", " padded"):
        with pytest.raises(profiles.Refused):
            profiles.ini_name(bad)
    with pytest.raises(profiles.Refused):
        profiles.ini_value("a=b")
    with pytest.raises(profiles.Refused):
        profiles.markdown("two\nlines")
    assert profiles.markdown("a|b *c*") == "a\\|b \\*c\\*"


def test_the_readme_shows_a_switch_role_file(tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("$ cat out/switchroles/alice.ini\n", 1)[1].split("```", 1)[0]
    shutil.copytree(ROOT / "example", tmp_path / "example")
    code, _, _ = run_cli(["build", "example", "-o", "out"], tmp_path)
    assert code == 0
    assert block == (tmp_path / "out" / "switchroles" / "alice.ini").read_text()
