#!/usr/bin/env python3
"""Fail if `make build` would compile a third-party crate that `make test` already compiled.

    scripts/build-reuse.py -p enroll-app -p enroll-cli -p enroll-workspace-hack

The arguments are `make build`'s cargo package selection. Compares cargo's unit graphs (what
each command would compile, with features and profile, nothing built) of the test build
(`cargo test --no-run --workspace`, what nextest runs) and of that build. A unit of `make build`
whose own settings appear nowhere in the test build is compiled again, and so is everything
above it; when the cause is a third-party crate, the cure is a feature in
workspace-hack/Cargo.toml, which this names.

Our own crates are expected to differ: the test build turns on their `test-support` features
(through dev-dependencies), which must never reach a product build, so the app and the crates
under it are compiled once more (seconds, not minutes).

The unit graph is an unstable cargo flag, read here with RUSTC_BOOTSTRAP=1 (only reading, no
build). If a future cargo refuses it, this says so and passes rather than block CI on a tool.
"""

import json
import os
import subprocess
import sys


def unit_graph(args):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    cargo = os.environ.get("CARGO", "cargo")
    result = subprocess.run(
        [cargo, *args, "--unit-graph", "-Z", "unstable-options"],
        env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        return None, result.stderr
    return json.loads(result.stdout), None


def own_settings(unit):
    profile = {key: value for key, value in unit["profile"].items() if key != "name"}
    return (unit["pkg_id"], unit["target"]["name"], unit["mode"], tuple(unit["features"]),
            unit["platform"], json.dumps(profile, sort_keys=True))


def identities(units):
    """A unit's identity includes its dependencies', as cargo's fingerprint does."""
    memo = {}

    def identity(index):
        if index not in memo:
            unit = units[index]
            memo[index] = hash((own_settings(unit),
                                tuple(sorted(identity(d["index"]) for d in unit["dependencies"]))))
        return memo[index]

    return [identity(index) for index in range(len(units))]


def main():
    build_args = sys.argv[1:]
    test_graph, error = unit_graph(["test", "--no-run", "--workspace"])
    build_graph, error2 = (unit_graph(["build", *build_args]) if test_graph else (None, None))
    if test_graph is None or build_graph is None:
        print("build-reuse: skipped, cargo would not print its unit graph:")
        print((error or error2 or "").strip()[-2000:])
        return 0

    test_units, build_units = test_graph["units"], build_graph["units"]
    workspace = {unit["pkg_id"] for unit in test_units if not unit["pkg_id"].startswith("registry+")}
    tested = set(identities(test_units))
    again = [unit for unit, identity in zip(build_units, identities(build_units)) if identity not in tested]
    test_settings = {own_settings(unit) for unit in test_units}
    causes = [unit for unit in build_units
              if own_settings(unit) not in test_settings and unit["pkg_id"] not in workspace]

    ours = sorted({unit["pkg_id"].rsplit("#", 1)[-1] for unit in again if unit["pkg_id"] in workspace})
    theirs = [unit for unit in again if unit["pkg_id"] not in workspace]
    print(f"build-reuse: of `make build`'s {len(build_units)} units, {len(again)} are not in the test build: "
          f"{len(again) - len(theirs)} units of our crates ({', '.join(ours) or 'none'}), {len(theirs)} third-party")
    if not causes:
        return 0

    print("\nThese third-party crates would be compiled with other settings than in the test build,")
    print("and everything that depends on them compiled again. Add their test-build features to")
    print("workspace-hack/Cargo.toml: [dependencies] for what the program links; [build-dependencies]")
    print("for what only build scripts and proc macros use (debuginfo 0 in both builds):\n")
    for unit in causes:
        name = unit["pkg_id"].rsplit("#", 1)[-1]
        in_test = sorted({tuple(t["features"]) for t in test_units
                          if t["pkg_id"] == unit["pkg_id"] and t["target"]["name"] == unit["target"]["name"]
                          and t["mode"] == unit["mode"]})
        print(f"  {name} ({unit['target']['name']}, {unit['mode']}, debuginfo {unit['profile']['debuginfo']}): "
              f"make build {unit['features']}, test build {[list(f) for f in in_test]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
