"""The catalogue of diagnostic codes.

A code is stable once released: its meaning never changes and it is never
reused. The letter gives the severity (E error, W warning, N note); the
hundreds give the stage (1 load, 2 lower, 3 resolve). Every code is
explained in docs/diagnostics.md and exercised by a test (tests/test_meta.py
keeps both true).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    summary: str

    def severity_value(self, severity_enum):
        return {"E": severity_enum.ERROR, "W": severity_enum.WARNING, "N": severity_enum.NOTE}[self.code[0]]


_ALL = [
    # load: files to located trees
    Code("E100", "unreadable-file", "a file or folder of the project cannot be read"),
    Code("E101", "yaml-syntax", "the file is not valid YAML"),
    Code("E102", "duplicate-key", "a mapping has the same key twice"),
    Code("E103", "empty-file", "the file holds no YAML document"),
    Code("E104", "not-utf8", "the file is not UTF-8 text"),
    Code("E105", "file-too-large", "the file is larger than iamc reads"),
    Code("E106", "alias-expansion", "anchors and aliases expand past the limit, or refer to themselves"),
    Code("E107", "nesting-too-deep", "the YAML nests deeper than iamc reads"),
    Code("E108", "unsupported-tag", "a YAML tag that Paco files do not use"),
    Code("E109", "multiple-documents", "the file holds more than one YAML document"),
    Code("E110", "missing-file", "a file or folder that every project needs is missing"),
    Code("E111", "non-string-key", "a mapping key that is not a string"),
    Code("E112", "duplicate-file", "two files define the same thing"),
    # lower: trees to IR, schema checks
    Code("E201", "unknown-key", "a key that the schema does not have"),
    Code("E202", "wrong-type", "a value of the wrong type"),
    Code("E203", "invalid-value", "a value outside the allowed set or form"),
    Code("E204", "missing-field", "a required field is absent"),
    Code("E205", "invalid-iam-name", "a name that IAM does not accept"),
    Code("E206", "invalid-account-id", "an account id that is not 12 digits"),
    Code("E207", "unquoted-number", "a value YAML reads as a number but must stay text"),
    Code("E208", "duplicate-account-id", "two accounts with one account id"),
    Code("E209", "master-account", "not exactly one master account"),
    Code("E210", "duplicate-user-name", "two users whose IAM user names differ only in case"),
    Code("E211", "name-collision", "two user keys that give the same generated name"),
    Code("E212", "invalid-policy", "a policy statement IAM would reject"),
    Code("E213", "invalid-pgp-key", "a pgp_key that is not an OpenPGP public key"),
    Code("W201", "paco-field-ignored", "a Paco field that iamc reads but cannot honour"),
    Code("W202", "redundant-value", "a value that repeats or is implied by another"),
    Code("W203", "unknown-action", "an IAM action or service prefix that IAM does not have"),
    # resolve: references, account lists, the access matrix
    Code("E301", "unknown-account", "an account name that no accounts/<name>.yaml defines"),
    Code("E302", "outside-whitelist", "a permission reaches an account outside the user's account_whitelist"),
    Code("E303", "invalid-reference", "a paco.ref that iamc cannot resolve"),
    Code("E304", "unknown-repository", "a CodeCommit reference to a repository resource/codecommit.yaml lacks"),
    Code("E305", "unresolved-netenv", "a reference into a Paco network environment with no external_resources entry"),
    Code("E306", "dependency-cycle", "stacks that depend on each other in a cycle"),
    Code("E307", "duplicate-policy", "two policies that would get one logical ID in one stack"),
    Code("E308", "unknown-user", "iamc.yaml names a user that resource/iam.yaml lacks"),
    Code("W301", "username-condition", "a condition on aws:username in a delegate role, where it never matches"),
    Code("W302", "grants-nothing", "a permission that grants nothing"),
    Code("W303", "unused-setting", "an iamc.yaml entry that nothing uses"),
    # plan: IAM and CloudFormation limits, access keys against the previous build
    Code("E401", "policy-too-large", "a managed policy document over IAM's 6,144 characters"),
    Code("E402", "too-many-managed-policies", "a delegate role with more than 10 managed policies"),
    Code("E403", "stack-too-large", "a stack over CloudFormation's 500 resources or 200 outputs"),
    Code("E404", "key-version-decreased", "an access key version lower than in the previous build"),
    Code("E405", "secret-name", "a user name that cannot name the user's Secrets Manager secrets"),
    Code("W401", "third-access-key", "a deployment that would need a third access key for one user"),
    Code("W402", "repository-not-granted", "a CodeCommit repository Paco's rule leaves ungranted (no console access)"),
    Code("N401", "grants-split", "a user's grants in one account split or packed to fit IAM's policy limits"),
    # emit and verify: backends, plugins, the checks of the generated files
    Code("E501", "verifier-error", "a verifier (cfn-lint, ...) found an error in a generated file"),
    Code("W501", "verifier-warning", "a verifier (cfn-lint, ...) found a warning in a generated file"),
    Code("E502", "unknown-plugin", "iamc.yaml or --plugin names a plugin that is not installed"),
    Code("E503", "unknown-backend", "iamc.yaml's backends: names a backend that does not exist"),
    Code("E504", "template-too-large", "a template over CloudFormation's 1 MB"),
    Code("E505", "invalid-backend-option", "a backend option that the project contradicts"),
    Code("E506", "unwritable-value", "a name or value a generated file's format would cut or refuse"),
    Code("E507", "duplicate-profile", "two accounts that give one switch-role profile name"),
    Code("W502", "sync-storage", "a switch-role configuration too large for the browser's Sync storage"),
    # write: OUT
    Code("E601", "unreadable-manifest", "the previous build's manifest.json in OUT cannot be read"),
    Code("E602", "foreign-file", "OUT holds a file iamc did not write where iamc would write one"),
    Code("E603", "out-not-a-folder", "OUT names a file, not a folder"),
]

CODES: dict[str, Code] = {c.code: c for c in _ALL}
assert len(CODES) == len(_ALL), "duplicate diagnostic code"
