"""Small projects written into a temporary folder, for unit tests."""

from __future__ import annotations

from pathlib import Path

from iamc.driver import Result, check

BASE = {
    "project.yaml": "name: acme\ntitle: Acme\n",
    "accounts/master.yaml": "is_master: true\naccount_id: '111111111111'\nregion: us-west-2\n",
    "accounts/dev.yaml": "account_id: '222222222222'\nregion: us-west-2\n",
    "accounts/prod.yaml": "account_id: '333333333333'\nregion: us-west-2\n",
    "resource/iam.yaml": (
        "users:\n"
        "  alice:\n"
        "    enabled: true\n"
        "    account: paco.ref accounts.master\n"
        "    account_whitelist: all\n"
        "    permissions:\n"
        "      administrator:\n"
        "        type: Administrator\n"
        "        accounts: all\n"
    ),
}


def write_project(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """BASE with `files` laid over it (None deletes a file)."""
    merged = dict(BASE)
    merged.update(files or {})
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def run(root: Path, files: dict[str, str | bytes | None] | None = None) -> Result:
    return check(str(write_project(root, files)))


def codes(result: Result) -> list[str]:
    return [p.diagnostic.code for p in result.placed()]


def users_yaml(body: str) -> str:
    return "users:\n" + body
