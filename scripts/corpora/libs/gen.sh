#!/usr/bin/env bash
# Regenerates testdata/libs: the orders service of each producer under
# scripts/corpora/libs/<ecosystem>/ run with the real logging library, then
# redrafts the times in testdata/libs/expected.json from the new lines.
#
# Needs (all from Debian, the npm registry or the Go module proxy):
#   go (1.26+), node + npm (npm install in node/ is run when node_modules is missing),
#   /usr/bin/python3 with python3-loguru, python3-daiquiri, python3-eliot, python3-logzero,
#   python3-logbook, python3-structlog and python3-pythonjsonlogger,
#   openjdk 17 with liblog4j2-java, libjackson2-databind-java,
#   libjboss-logmanager-java, libjsonp-java, liblogback-java and
#   liblogstash-logback-encoder-java,
#   ruby with ruby-logging and ruby-console, php-cli with php-monolog,
#   cargo + librust-tracing-subscriber-dev (offline build from
#   /usr/share/cargo/registry, see rust/.cargo/config.toml).
# Producers run from fixed directories under /tmp (so stack paths do not
# depend on the checkout) and, when unshare works, with loopback-only
# networking.
# Times are real (TZ=UTC); request ids are derived from the library's name, so
# a rerun changes only the times, durations, goroutine addresses and the like.
#
# Usage: scripts/corpora/libs/gen.sh [go|node|python|java|ruby|php|rust|draft]...
# A step may name some of its producers, e.g. go:zapdriver,clog or
# node:powertools, to regenerate only their files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
L=$root/testdata/libs
mkdir -p "$L"
export TZ=UTC

# isolated CMD...: run CMD with loopback-only networking if unshare works.
isolated() {
	if unshare -n true 2>/dev/null; then
		unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# pick DEFAULT... [ONLY]: the producers to run: ONLY (comma-separated) when
# given, else all of DEFAULT.
pick() {
	local only=${!#}
	if [ -n "$only" ]; then echo "${only//,/ }"; else echo "${@:1:$#-1}"; fi
}

gen_go() {
	cd "$here/go"
	local bin; bin=$(mktemp -d /tmp/culprit-libs-go-XXXXXX)
	for c in $(pick hclog charmlog gokit phuslu log15 apexlog gommon klog funcr golog zapdriver clog gozero "${1:-}"); do
		go build -trimpath -o "$bin/$c" "./cmd/$c"
		case $c in
		gozero) isolated "$bin/$c" >"$L/go-$c.log" 2>&1 ;; # logx writes errors and slow lines to stderr
		*) isolated "$bin/$c" >"$L/go-$c.log" ;;
		esac
	done
	rm -rf "$bin"
	cd "$here"
}

gen_node() {
	cd "$here/node"
	[ -d node_modules ] || npm install --no-audit --no-fund
	# Run from a fixed directory so stack paths do not depend on the checkout.
	local app=/tmp/orders-node
	rm -rf "$app" && mkdir -p "$app" && cp ./*.mjs "$app/" && ln -s "$here/node/node_modules" "$app/node_modules"
	for p in $(pick log4js tslog roarr bole logtape consola lambdalog ecswinston winstonlogstash gcpwinston powertools nestjs pinogcp bunyangcp expresswinston "${1:-}"); do
		case $p in
		# These write errors (and warnings) to stderr: merge the two.
		lambdalog | powertools | nestjs) isolated node "$app/$p.mjs" >"$L/node-$p.log" 2>&1 ;;
		*) ROARR_LOG=true isolated node "$app/$p.mjs" >"$L/node-$p.log" ;;
		esac
	done
	rm -rf "$app"
	cd "$here"
}

gen_python() {
	local app=/tmp/orders-python
	rm -rf "$app" && mkdir -p "$app" && cp "$here"/python/*.py "$app/"
	cd "$app"
	for p in $(pick loguru stdlib daiquiri eliot logzero logbook structlog-stdlib jsonlogger-gcp "${1:-}"); do
		local src=${p}_service.py
		case $p in
		stdlib) src=stdlib_json.py ;;
		structlog-stdlib | jsonlogger-gcp) src=${p//-/_}.py ;;
		esac
		if [ "$p" = logzero ]; then # logzero logs to stderr
			isolated /usr/bin/python3 -B "$src" >"$L/python-$p.log" 2>&1
		else
			isolated /usr/bin/python3 -B "$src" >"$L/python-$p.log"
		fi
	done
	rm -rf "$app"
	cd "$here"
}

gen_java() {
	local J=/usr/share/java app=/tmp/orders-java
	local CP="$J/log4j-api.jar:$J/log4j-core.jar:$J/jackson-core.jar:$J/jackson-databind.jar:$J/jackson-annotations.jar"
	CP="$CP:$J/jboss-logmanager.jar:$J/wildfly-common.jar:$J/javax.json.jar:$J/javax.json-api.jar"
	# Logback's producer runs with its own class path (SLF4J, Logback, the encoder).
	local LB="$J/slf4j-api.jar:$J/logback-classic.jar:$J/logback-core.jar:$J/logstash-logback-encoder.jar"
	rm -rf "$app" && mkdir -p "$app/classes"
	javac -g -d "$app/classes" -cp "$CP:$LB" "$here"/java/src/com/acme/orders/*.java
	jar cf "$app/orders.jar" -C "$app/classes" .
	cp "$here"/java/src/*.xml "$app/"
	cd "$app"
	for p in $(pick log4j2-json log4j2-gelf jboss logback "${1:-}"); do
		case $p in
		log4j2-*) isolated java -cp "orders.jar:$CP" -Dlog4j.configurationFile=$p.xml \
			com.acme.orders.Log4jService "$p" >"$L/java-$p.log" ;;
		jboss) isolated java -cp "orders.jar:$CP" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
			com.acme.orders.JbossService jboss >"$L/java-jboss.log" ;;
		logback) isolated java -cp "orders.jar:$LB:$J/jackson-core.jar:$J/jackson-databind.jar:$J/jackson-annotations.jar" \
			-Dlogback.configurationFile=logback-logstash.xml com.acme.orders.LogbackService logback >"$L/java-logback.log" ;;
		esac
	done
	rm -rf "$app"
	cd "$here"
}

gen_ruby() {
	local app=/tmp/orders-ruby
	rm -rf "$app" && mkdir -p "$app" && cp "$here"/ruby/*.rb "$app/"
	cd "$app"
	for p in $(pick logging logger console "${1:-}"); do
		isolated ruby "${p}_service.rb" >"$L/ruby-$p.log"
	done
	rm -rf "$app"
	cd "$here"
}

gen_php() {
	local app=/tmp/orders-php
	rm -rf "$app" && mkdir -p "$app" && cp "$here"/php/*.php "$app/"
	cd "$app"
	for p in $(pick json logstash gcp "${1:-}"); do
		isolated php service.php "$p" >"$L/php-monolog-$p.log"
	done
	rm -rf "$app"
	cd "$here"
}

gen_rust() {
	cd "$here/rust"
	cargo build --release --quiet # offline, from /usr/share/cargo/registry (.cargo/config.toml)
	isolated ./target/release/orders >"$L/rust-tracing.log"
	cd "$here"
}

draft() { /usr/bin/python3 -B "$here/draft_times.py" "$L"; }

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(go node python java ruby php rust draft)
for s in "${steps[@]}"; do
	only=
	[[ $s == *:* ]] && only=${s#*:}
	case ${s%%:*} in
	go) gen_go "$only" ;; node) gen_node "$only" ;; python) gen_python "$only" ;; java) gen_java "$only" ;;
	ruby) gen_ruby "$only" ;; php) gen_php "$only" ;; rust) gen_rust ;; draft) draft ;;
	*) echo "unknown step $s" >&2; exit 2 ;;
	esac
done
