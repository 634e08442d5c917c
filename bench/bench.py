"""Benchmark: how long `iamc validate` and `iamc build` take, and how much memory, at team scale.

    python bench/bench.py            # the default sizes
    python bench/bench.py 1000 50    # one project of 1000 users and 50 accounts
    python bench/bench.py --build 500 40   # only the build of one size, stage by stage

Generates projects in a temporary folder (users with whitelists, admin, read-only,
custom-policy and CodeCommit permissions), runs each stage several times and
prints the best time per stage, and the peak memory of one whole run.
Targets: 500 users and 40 accounts validate in under a second; a billion-laughs
file is refused in well under a second.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from iamc import driver as build_driver  # noqa: E402
from iamc.emit import emit, select  # noqa: E402
from iamc.load import load  # noqa: E402
from iamc.plan import plan  # noqa: E402
from iamc.registry import manager  # noqa: E402
from iamc.verify import verify  # noqa: E402
from iamc.write import apply, changes  # noqa: E402
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
    if users > 60:  # about seven resources a user, 500 to a stack, and room for the hash's uneven split
        (root / "iamc.yaml").write_text(f"users_stacks: {-(-users * 7 * 3 // 2 // 500)}\n")


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


def bench_build(users: int, accounts: int) -> None:
    """Each stage of `iamc build` once (they take seconds, not milliseconds), and the whole build."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IAMC_CACHE_DIR"] = str(Path(tmp) / "cache")  # cold: nothing linted before
        root = Path(tmp) / "p"
        make_project(root, users, accounts)
        result = check(str(root))
        plugins, _ = manager([])
        backends, _ = select(plugins, result.project.settings, None)
        t = time.perf_counter()
        planned, _ = plan(result.resolved, None)
        t_plan = time.perf_counter() - t
        emitted = {}
        files = []
        for name, options in backends.items():
            t = time.perf_counter()
            out, _ = emit(planned, plugins, {name: options})
            emitted[name] = time.perf_counter() - t
            files += out
        t = time.perf_counter()
        verify(planned, files, plugins, result.locator, "out")
        t_verify = time.perf_counter() - t
        os.environ["IAMC_CACHE_DIR"] = str(Path(tmp) / "cache2")  # cold again for the whole build
        t = time.perf_counter()
        first = build_driver.build(str(root), str(Path(tmp) / "first"))
        apply(str(Path(tmp) / "first"), first.changes)
        t_first = time.perf_counter() - t
        out_dir = str(Path(tmp) / "out")
        desired = {f.path: f.content for f in files}
        t = time.perf_counter()
        ch, _ = changes(out_dir, desired, None, "out")
        apply(out_dir, ch)
        t_write = time.perf_counter() - t
        t = time.perf_counter()
        b = build_driver.build(str(root), str(Path(tmp) / "first"))
        t_nothing = time.perf_counter() - t
        assert b.ok, [d.message for d in b.diagnostics if d.is_error]
        per_backend = "  ".join(f"{n} {v:5.2f} s" for n, v in emitted.items())
        size = sum(len(c.encode()) for c in desired.values())
        print(
            f"{users:5d} users {accounts:3d} accounts: {len(planned.stacks)} stacks, {len(files)} files "
            f"({size / 2**20:.1f} MiB)\n"
            f"    plan {t_plan:5.2f} s | emit: {per_backend} | verify {t_verify:5.2f} s | write {t_write:5.2f} s\n"
            f"    a whole first build: {t_first:5.2f} s; again over its own output "
            f"(lint findings and templates cached, nothing to write): {t_nothing:5.2f} s; "
            f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
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
    if argv[:1] == ["--build"]:
        bench_build(int(argv[1]), int(argv[2]))
        return
    sizes = [(int(argv[0]), int(argv[1]))] if len(argv) == 2 else [(50, 5), (200, 20), (500, 40), (2000, 60)]
    for users, accounts in sizes:
        bench(users, accounts)
    bench_billion_laughs()
    for users, accounts in [(100, 10), (500, 40)] if len(argv) != 2 else []:
        bench_build(users, accounts)


if __name__ == "__main__":
    main(sys.argv[1:])
