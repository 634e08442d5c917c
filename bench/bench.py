"""Benchmark: how long `iamc validate` takes, and how much memory, at team scale.

    python bench/bench.py            # the default sizes
    python bench/bench.py 1000 50    # one project of 1000 users and 50 accounts

Generates projects in a temporary folder (users with whitelists, admin, read-only,
custom-policy and CodeCommit permissions), runs each stage several times and
prints the best time per stage, and the peak memory of one whole run.
Targets: 500 users and 40 accounts validate in under a second; a billion-laughs
file is refused in well under a second.
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from iamc.load import load  # noqa: E402
from iamc.lower import lower  # noqa: E402
from iamc.resolve import resolve  # noqa: E402
from iamc.driver import check  # noqa: E402


def make_project(root: Path, users: int, accounts: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    (root / "accounts").mkdir(parents=True)
    (root / "resource").mkdir()
    (root / "project.yaml").write_text("name: bench\ntitle: Bench\n")
    names = ["master"] + [f"acct{i:02d}" for i in range(1, accounts)]
    for i, name in enumerate(names):
        master = "is_master: true\n" if name == "master" else ""
        (root / "accounts" / f"{name}.yaml").write_text(
            f"{master}name: {name}\ntitle: Account {i}\naccount_type: AWS\naccount_id: '{100000000000 + i}'\n"
            f"region: us-west-2\nroot_email: {name}@bench.example\n"
        )
    (root / "resource" / "codecommit.yaml").write_text(
        "apps:\n"
        + "".join(
            f"  repo{i}:\n    enabled: true\n    account: paco.ref accounts.{names[i % accounts]}\n"
            f"    repository_name: repo-{i}\n"
            for i in range(20)
        )
    )
    out = ["users:"]
    for u in range(users):
        wl = sorted(rnd.sample(names, k=min(accounts, rnd.randint(1, 8))))
        out += [
            f"  user{u:04d}:",
            "    enabled: true",
            "    account: paco.ref accounts.master",
            f"    username: user{u:04d}@bench.example",
            f"    description: 'Bench user {u}'",
            "    console_access_enabled: true",
            "    programmatic_access:",
            "      enabled: true",
            "      access_key_1_version: 1",
            "      access_key_2_version: 0",
            f"    account_whitelist: {','.join(wl)}",
            "    permissions:",
            "      admin:",
            "        type: Administrator",
            f"        accounts: {wl[0]}",
            "      readonly:",
            "        type: Administrator",
            "        read_only: true",
            "        accounts: all",
            "      custom:",
            "        type: CustomPolicy",
            f"        accounts: {wl[-1]}",
            "        managed_policies: [AmazonGlacierReadOnlyAccess]",
            "        policies:",
            "          - name: Logs",
            "            statement:",
            "              - effect: Allow",
            "                action: [logs:Describe*, logs:Get*, logs:List*]",
            "                resource: ['*']",
            "                condition:",
            "                  Bool:",
            "                    aws:SecureTransport: true",
        ]
        repo = rnd.randrange(20)
        if names[repo % accounts] in wl:
            out += [
                "      code:",
                "        type: CodeCommit",
                "        repositories:",
                f"          - codecommit: paco.ref resource.codecommit.apps.repo{repo}",
                "            permission: ReadOnly",
            ]
    (root / "resource" / "iam.yaml").write_text("\n".join(out) + "\n")


def best(fn, repeat: int = 5):
    """Best of `repeat` runs, with the cyclic collector off as `check` runs the stages."""
    times, value = [], None
    for _ in range(repeat):
        gc.disable()
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
        gc.enable()
    return min(times), value


def bench(users: int, accounts: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        make_project(root, users, accounts)
        size = sum(f.stat().st_size for f in root.rglob("*.yaml"))
        t_load, (sources, d1) = best(lambda: load(str(root)))
        t_lower, (project, d2) = best(lambda: lower(sources))
        t_resolve, (resolved, d3) = best(lambda: resolve(project))
        assert not (d1.has_errors or d2.has_errors or d3.has_errors), "the benchmark project must be valid"
        t_all, _ = best(lambda: check(str(root)), repeat=3)
        tracemalloc.start()
        check(str(root))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        grants = sum(len(g) for acc in resolved.access.values() for g in acc.values())
        print(
            f"{users:5d} users {accounts:3d} accounts {size / 1024:7.0f} KiB yaml | "
            f"load {t_load * 1000:6.0f} ms  lower {t_lower * 1000:5.0f} ms  resolve {t_resolve * 1000:5.0f} ms | "
            f"validate {t_all * 1000:6.0f} ms  peak {peak / 2**20:5.1f} MiB | "
            f"{len(resolved.stacks)} stacks, {grants} grants"
        )


def bench_billion_laughs() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        p, c = chr(96 + i), chr(97 + i)
        lines.append(f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        make_project(root, 3, 3)
        (root / "iamc.yaml").write_text("\n".join(lines) + "\n")
        tracemalloc.start()
        t = time.perf_counter()
        result = check(str(root))
        elapsed = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        codes = [d.code for d in result.diagnostics]
        print(
            f"billion laughs (10^12 nodes if expanded): refused with {codes} in {elapsed * 1000:.0f} ms, "
            f"peak {peak / 2**20:.1f} MiB"
        )


def main(argv: list[str]) -> None:
    sizes = [(int(argv[0]), int(argv[1]))] if len(argv) == 2 else [(50, 5), (200, 20), (500, 40), (2000, 60)]
    for users, accounts in sizes:
        bench(users, accounts)
    bench_billion_laughs()


if __name__ == "__main__":
    main(sys.argv[1:])
