#!/usr/bin/env bash
# Bundle the app and the `enroll` CLI, already built, into a .deb with the Tauri bundler
# (`tauri bundle`, the CLI from ui/node_modules), and print the .deb's path on the last line.
#
#   scripts/package.sh            target/release: what `make package` builds first
#   scripts/package.sh --debug    target/debug: what the end-to-end test packages (deb_package.rs)
#
# It builds nothing: `tauri build` would run cargo with its own feature selection and compile
# the tree once more, where `make package` has just built it (and the test's debug build is
# already there). CARGO_TARGET_DIR moves the binaries' folder, as it does cargo's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
profile=release
flags=()
case "${1:-}" in
    "") ;;
    --debug) profile=debug; flags=(--debug) ;;
    *) echo "usage: $0 [--debug]" >&2; exit 2 ;;
esac
binaries=${CARGO_TARGET_DIR:-$repo/target}/$profile
out=$binaries/bundle/deb
tauri=$repo/ui/node_modules/.bin/tauri

[ -x "$tauri" ] || { echo "The Tauri CLI is missing from ui/node_modules: run \`make ui-deps\` (npm ci in ui/)" >&2; exit 1; }
for binary in enroll-app enroll; do
    [ -x "$binaries/$binary" ] || { echo "$binaries/$binary is missing: build it first (\`make package\` does)" >&2; exit 1; }
done

# The `enroll` CLI goes beside the app in /usr/bin: on a station the admin syncs, exports to
# removable media and checks the vault with it, and a register's operator runs the intake and
# opens packets. Its path depends on the profile, so it is given here rather than in
# tauri.conf.json.
overlay=$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/enroll":"%s"}}}}}' "$binaries/enroll")
rm -rf "$out"
# --no-binary-patching: the patch only tells Tauri's updater which kind of bundle the binary
# came in; there is no updater here, and without it the packaged binary is the one cargo built
# (and the tests ran), byte for byte. The bundler's progress goes to stderr; stdout is the path.
(cd "$repo/src-tauri" && "$tauri" bundle "${flags[@]}" --bundles deb --no-binary-patching --ci --config "$overlay") >&2

shopt -s nullglob
built=("$out"/*.deb)
[ "${#built[@]}" = 1 ] || { echo "expected one .deb in $out, found ${#built[@]}" >&2; exit 1; }
# Tauri names the file after the product name, space included; Debian's name for it
# (package_version_architecture.deb) is easier to type in `apt install`.
field() { dpkg-deb --field "${built[0]}" "$1"; }
deb=$out/$(field Package)_$(field Version)_$(field Architecture).deb
mv "${built[0]}" "$deb"
echo "$deb"
