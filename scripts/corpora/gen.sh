#!/usr/bin/env bash
# Regenerates every committed corpus in testdata/formats and testdata/stacks
# by running the real libraries and runtimes, then checks expected.json.
#
# Needs: go, node + npm, /usr/bin/python3 with python3-structlog and
# python3-pythonjsonlogger, openjdk 17 with liblogstash-logback-encoder-java
# and liblogback-java, ruby, faketime (all Debian packages), and `npm ci`-like
# `npm install` in node/. Producers run in a private network namespace
# (unshare -n, loopback only) when possible, so nothing can leave the machine.
#
# Usage: scripts/corpora/gen.sh [go|node|python|java|ruby|spec|draft|check]...
# Node and Python timings are real, so their times move by a few ms on each
# run: the default run redrafts expected.json; review its diff before committing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
F=$root/testdata/formats
S=$root/testdata/stacks
mkdir -p "$F" "$S"
export TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1

# isolated CMD...: run CMD with loopback-only networking if unshare works.
isolated() {
	if unshare -n true 2>/dev/null; then
		unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# at 'YYYY-MM-DD HH:MM:SS' CMD...: run CMD with the clock starting then.
at() { local t=$1; shift; faketime -f "@$t" "$@"; }

# edited_copy DIR FILE...: copy DIR to a fresh /tmp/ci-build-* directory and add
# two comment lines near the top of each FILE (an unrelated edit that shifts
# line numbers, as the next release would); prints the copy's path.
edited_copy() {
	local src=$1; shift
	local tmp; tmp=$(mktemp -d /tmp/ci-build-XXXXXX)
	cp -r "$src/." "$tmp/"
	for f in "$@"; do
		case $f in
		*.java) sed -i '1a // Reviewed for the 1.15 release.\n// See CHANGELOG.md.' "$tmp/$f" ;;
		*.js) sed -i '1a // Reviewed for the 1.15 release.\n// See CHANGELOG.md.' "$tmp/$f" ;;
		*) sed -i '1i # Reviewed for the 1.15 release.\n# See CHANGELOG.md.' "$tmp/$f" ;;
		esac
	done
	echo "$tmp"
}

gen_go() { "$here/go/gen.sh"; }

gen_node() {
	cd "$here/node"
	[ -d node_modules ] || npm install --no-audit --no-fund
	export METADATA_SERVER_DETECTION=none # @google-cloud/logging: never probe for a GCE metadata server
	isolated faketime -f '@2026-11-24 14:40:00' node pino.js >"$F/pino.jsonl"
	isolated faketime -f '@2026-11-24 14:41:30' node bunyan.js >"$F/bunyan.jsonl"
	isolated faketime -f '@2026-11-24 14:43:05' node winston.js >"$F/winston.jsonl"
	isolated faketime -f '@2026-11-24 14:44:50' node ecs.js >"$F/ecs.jsonl"
	isolated faketime -f '@2026-11-24 14:46:12' node gcp.js >"$F/gcp.jsonl"
	node stacks/crash.js price 1 >"$S/node-price-1.txt"
	node stacks/crash.js json 1 2>"$S/node-json-1.txt" && exit 1
	local tmp; tmp=$(edited_copy "$here/node" shop.js stacks/crash.js)
	node "$tmp/stacks/crash.js" price 2 >"$S/node-price-2.txt"
	node "$tmp/stacks/crash.js" json 2 2>"$S/node-json-2.txt" && exit 1
	rm -rf "$tmp"
	cd "$here"
}

gen_python() {
	cd "$here/python"
	isolated faketime -f '@2026-11-24 14:50:00' /usr/bin/python3 structlog_corpus.py text >"$F/structlog.jsonl"
	isolated faketime -f '@2026-11-24 14:51:40' /usr/bin/python3 structlog_corpus.py dict >"$F/structlog-dict.jsonl"
	isolated faketime -f '@2026-11-24 14:53:20' /usr/bin/python3 jsonlogger_corpus.py >"$F/python-json-logger.jsonl"
	(cd stacks && /usr/bin/python3 -B crash.py pricing 1 2>"$S/python-pricing-1.txt" && exit 1 || true)
	(cd stacks && /usr/bin/python3 -B crash.py none 1 2>"$S/python-none-1.txt" && exit 1 || true)
	local tmp; tmp=$(edited_copy "$here/python/stacks" pricing.py crash.py)
	(cd "$tmp" && /usr/bin/python3 -B crash.py pricing 2 2>"$S/python-pricing-2.txt" && exit 1 || true)
	(cd "$tmp" && /usr/bin/python3 -B crash.py none 2 2>"$S/python-none-2.txt" && exit 1 || true)
	rm -rf "$tmp"
	cd "$here"
}

gen_java() {
	cd "$here/java"
	local J=/usr/share/java
	local CP="$J/logback-classic.jar:$J/logback-core.jar:$J/slf4j-api.jar:$J/logstash-logback-encoder.jar:$J/jackson-core.jar:$J/jackson-databind.jar:$J/jackson-annotations.jar"
	rm -rf .bin && mkdir -p .bin
	javac -g -d .bin -cp "$CP" src/shop/*.java && cp src/logback.xml .bin/
	TZ=America/Chicago isolated faketime -f '@2026-11-24 09:00:00' java -cp ".bin:$CP" shop.LogstashCorpus >"$F/logstash.jsonl"
	java -cp .bin shop.Stacks reserve 1 2>"$S/java-reserve-1.txt"
	java -cp .bin shop.Stacks npe 1 2>"$S/java-npe-1.txt"
	local tmp; tmp=$(edited_copy "$here/java" src/shop/OrderService.java src/shop/Stacks.java)
	rm -rf "$tmp/.bin" && javac -g -d "$tmp/.bin" -cp "$CP" "$tmp"/src/shop/*.java
	java -cp "$tmp/.bin" shop.Stacks reserve 2 2>"$S/java-reserve-2.txt"
	java -cp "$tmp/.bin" shop.Stacks npe 2 2>"$S/java-npe-2.txt"
	rm -rf "$tmp"
	cd "$here"
}

gen_ruby() {
	cd "$here/ruby"
	ruby crash.rb nomethod 1 2>"$S/ruby-nomethod-1.txt" && exit 1
	ruby crash.rb zerodiv 1 2>"$S/ruby-zerodiv-1.txt"
	local tmp; tmp=$(edited_copy "$here/ruby" cart.rb crash.rb)
	(cd "$tmp" && ruby crash.rb nomethod 2 2>"$S/ruby-nomethod-2.txt" && exit 1 || true)
	(cd "$tmp" && ruby crash.rb zerodiv 2 2>"$S/ruby-zerodiv-2.txt")
	rm -rf "$tmp"
	cd "$here"
}

gen_spec() { /usr/bin/python3 -B "$here/spec/gen_spec.py" "$F" "$S"; }

draft() { (cd "$here" && /usr/bin/python3 -B draft_expected.py "$F"); }

check() { (cd "$here" && /usr/bin/python3 -B check_expected.py "$F"); }

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(go node python java ruby spec draft check)
for s in "${steps[@]}"; do
	case $s in
	go) gen_go ;; node) gen_node ;; python) gen_python ;; java) gen_java ;; ruby) gen_ruby ;;
	spec) gen_spec ;; draft) draft ;; check) check ;;
	*) echo "unknown step $s" >&2; exit 2 ;;
	esac
done
