#!/usr/bin/env bash
# Build every fuzz target on the stable toolchain and run each for FUZZ_SECONDS (default 60).
# Exits 1 if any target finds a crash, a hang or a leak of memory over the limit; the input is
# left in fuzz/artifacts/<target>/ and the message says how to keep it as a regression test.
#
#   fuzz/run.sh                      every target
#   FUZZ_SECONDS=600 fuzz/run.sh cbeff contents
#
# Why not `cargo fuzz`: its default (AddressSanitizer) needs nightly's -Zsanitizer, and the
# tool itself must be installed first. The coverage instrumentation libFuzzer needs is stable
# rustc's own `-C passes=sancov-module` with LLVM options (the flags `cargo fuzz -s none` passes),
# so a plain `cargo build` with them does the same job on stable, with nothing to install. The layout stays cargo-fuzz's, so `cargo fuzz run <target>` works for anyone
# who has it. No AddressSanitizer: it needs nightly's -Zsanitizer, and the code under test is
# safe Rust (`unsafe_code = "forbid"`), so panics, overflows (checked here) and hangs are what
# there is to find.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
seconds="${FUZZ_SECONDS:-60}"
host="$(rustc -vV | sed -n 's/^host: //p')"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for file in fuzz_targets/*.rs; do
        targets+=("$(basename "$file" .rs)")
    done
fi

# The seeds (committed in seeds/, plus the shared fixtures' samples in corpus/), written again
# from the formats as they are now by a normal (uninstrumented) build, since instrumented code
# only links into a libFuzzer binary. Rewriting the committed ones leaves them unchanged unless a
# format changed, in which case `git status` shows it.
cargo run --quiet --bin write_seeds

# `--target` keeps the instrumentation flags off build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cllvm-args=-sanitizer-coverage-stack-depth \
-Cllvm-args=-simplifycfg-branch-fold-threshold=0 \
-Cdebug-assertions -Coverflow-checks"
build_args=()
for target in "${targets[@]}"; do
    build_args+=(--bin "$target")
done
cargo build --release --target "$host" "${build_args[@]}"
unset RUSTFLAGS

failed=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target" "seeds/$target" "regressions/$target"
    echo "== fuzzing $target for ${seconds}s"
    # -timeout: one input taking over 10 s is a hang. -rss_limit_mb: over 2 GiB is a bug here.
    # libFuzzer writes what it finds into the first folder only; seeds/ and regressions/, the
    # committed ones, are only read.
    if ! "target/$host/release/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" \
        "corpus/$target" "seeds/$target" "regressions/$target" 2>"artifacts/$target/log.txt"; then
        tail -n 40 "artifacts/$target/log.txt"
        failed+=("$target")
    else
        grep -E '^stat::number_of_executed_units|^Done' "artifacts/$target/log.txt" || true
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo
    echo "Fuzzing found problems in: ${failed[*]}"
    echo "The inputs are in fuzz/artifacts/<target>/ (crash-*, timeout-*, oom-*). Replay one with"
    echo "  fuzz/target/$host/release/<target> <file>"
    echo "then, once fixed, keep it as a regression test that cargo test replays:"
    echo "  cp fuzz/artifacts/<target>/<file> fuzz/regressions/<target>/<what-it-broke>"
    exit 1
fi
echo "No crash in ${#targets[@]} targets (${seconds}s each)"
