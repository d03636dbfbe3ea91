#!/usr/bin/env bash
# Regenerates the Go corpora: testdata/formats/{zap,zap-dev,zerolog,zerolog-unixms,logrus,slog}.jsonl
# and testdata/stacks/go-*.txt. Needs Go and the Go module proxy (or a warm module cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$here"
go run -trimpath ./cmd/formats "$root/testdata/formats"

# Occurrence 1: release built with -trimpath from this tree.
go build -trimpath -o "$here/.bin/stacks" ./cmd/stacks
"$here/.bin/stacks" "$root/testdata/stacks" 1

# Occurrence 2: the "next release", built by another CI runner from a copy with an
# unrelated edit (two comment lines added near the top of each file), without -trimpath,
# so line numbers, file paths, goroutine ids and argument values all differ.
tmp=$(mktemp -d /tmp/ci-build-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r go.mod go.sum internal cmd "$tmp/"
for f in "$tmp/internal/checkout/checkout.go" "$tmp/cmd/stacks/main.go"; do
	sed -i '0,/^import/s//\/\/ Reviewed for the 1.15 release.\n\/\/ See CHANGELOG.md.\nimport/' "$f"
done
(cd "$tmp" && go build -o "$tmp/stacks" ./cmd/stacks)
"$tmp/stacks" "$root/testdata/stacks" 2
