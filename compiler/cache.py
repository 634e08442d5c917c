"""A cache of pure, costly results, keyed by everything they depend on.

    cache = Cache("cfn-lint", salt="1.58.0:<module hash>")
    cache.get(text) -> value or None;  cache.put(text, value)

Lint findings and emitted YAML depend only on their input and on the code
that made them, so a build after a small change redoes only what changed.
The folder is `$IAMC_CACHE_DIR`, else the user's cache folder (`~/.cache/iamc`);
`IAMC_CACHE_DIR` set to nothing turns the cache off. A cache that cannot be
read or written only costs time: it never fails a build.
"""

from __future__ import annotations

import hashlib
import json
import os


def folder() -> str | None:
    configured = os.environ.get("IAMC_CACHE_DIR")
    if configured is not None:
        return configured or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iamc")


def source_hash(*files: str) -> str:
    """The hash of the code that makes a result: a change to it makes every cached result stale."""
    digest = hashlib.sha256()
    for path in files:
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


class Cache:
    def __init__(self, kind: str, salt: str):
        self.root = folder()
        self.kind, self.salt = kind, salt

    def _path(self, key: str) -> str:
        digest = hashlib.sha256(f"{self.salt}\0{key}".encode("utf-8")).hexdigest()
        return os.path.join(self.root, self.kind, digest[:2], digest + ".json")

    def get(self, key: str):
        if self.root is None:
            return None
        try:
            with open(self._path(key), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def put(self, key: str, value) -> None:
        if self.root is None:
            return
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temp = f"{path}.{os.getpid()}.tmp"
            with open(temp, "w", encoding="utf-8") as f:
                json.dump(value, f)
            os.replace(temp, path)
        except OSError:
            pass
