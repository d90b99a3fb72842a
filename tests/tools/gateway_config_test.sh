#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vexfs-gateway settings: the config file, Qdrant's environment variables
# and flags, in that order of precedence; bad files refused with the line.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
gw=${VEXFS_GATEWAY:-$top/gateway/vexfs-gateway}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 failed=0

say() { # say OK DESCRIPTION [DIAG FILE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3"
		failed=1
	fi
}

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

# start ARGS...: run the gateway in the background; $port is where it listens.
start() {
	: >"$tmp/log" # never read the previous run's port
	"$gw" "$@" >"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 400); do
		port=$(sed -nE 's/.*listening on http:\/\/[^ ]*:([0-9]+) .*/\1/p' "$tmp/log")
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	local rc=$?
	pid=
	return $rc
}

code() { # code CURL-ARGS...: the HTTP status
	curl -s -o "$tmp/body" -w '%{http_code}' "$@"
}

echo "TAP version 13"
[ -x "$gw" ] || { echo "not ok 1 - $gw is built"; exit 1; }

p1=$(free_port)
cat >"$tmp/gw.conf" <<EOF
# a comment line, then settings with both spellings of keys
host = 127.0.0.1
port = $p1   # trailing comment
threads=1
api_key = "file secret"
read-only-api-key = reader
max-body = 2K
backend = embedded
data = $tmp/img
data-size = 64M
shutdown_timeout = 3
EOF
start --config "$tmp/gw.conf"
say $? "starts from a config file" "$tmp/log"
[ "$port" = "$p1" ]
say $? "port comes from the file ($port)" "$tmp/log"
grep -q "backend embedded on $tmp/img" "$tmp/log" && grep -q "made a new" "$tmp/log"
say $? "backend and data from the file; the image is made" "$tmp/log"
[ "$(code "http://127.0.0.1:$port/collections")" = 403 ]
say $? "api key from the file is required (403 without it)" "$tmp/body"
[ "$(code -H 'api-key: file secret' "http://127.0.0.1:$port/collections")" = 200 ]
say $? "quoted value with a space is the key (200 with it)" "$tmp/body"
[ "$(code -X PUT -H 'api-key: reader' -H 'content-type: application/json' \
	-d '{"vectors":{"size":2,"distance":"Dot"}}' "http://127.0.0.1:$port/collections/x")" = 403 ]
say $? "read-only key from the file may not write (403)" "$tmp/body"
head -c 3000 /dev/zero | tr '\0' ' ' >"$tmp/big"
[ "$(code -X POST -H 'api-key: file secret' -H 'content-type: application/json' \
	--data-binary @"$tmp/big" "http://127.0.0.1:$port/collections/x/points/search")" = 413 ]
say $? "max-body 2K from the file: a 3000-byte body is 413" "$tmp/body"
stop
say $? "SIGTERM: exit 0"

# Flags beat the environment, which beats the file.
p2=$(free_port) p3=$(free_port)
QDRANT__SERVICE__HTTP_PORT=$p2 start --config "$tmp/gw.conf"
[ "$port" = "$p2" ]
say $? "QDRANT__SERVICE__HTTP_PORT overrides the file ($port)" "$tmp/log"
stop
QDRANT__SERVICE__HTTP_PORT=$p2 start --config "$tmp/gw.conf" --port "$p3"
[ "$port" = "$p3" ]
say $? "--port overrides the environment ($port)" "$tmp/log"
stop
QDRANT__SERVICE__API_KEY=envkey start --config "$tmp/gw.conf" --port 0
[ "$(code -H 'api-key: envkey' "http://127.0.0.1:$port/collections")" = 200 ] &&
	[ "$(code -H 'api-key: file secret' "http://127.0.0.1:$port/collections")" = 403 ]
say $? "QDRANT__SERVICE__API_KEY overrides the file's key" "$tmp/body"
stop
start --config "$tmp/gw.conf" --port 0 --api-key ''
[ "$(code "http://127.0.0.1:$port/collections")" = 403 ] &&
	[ "$(code -H 'api-key: reader' "http://127.0.0.1:$port/collections")" = 200 ]
say $? "--api-key '' leaves the read-only key from the file in force" "$tmp/body"
stop
QDRANT__SERVICE__HOST=127.0.0.1 QDRANT__SERVICE__MAX_REQUEST_SIZE_MB=1 \
	start --backend none --port 0 --threads 1
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' >"$tmp/big"
[ "$(code -X POST -H 'content-type: application/json' --data-binary @"$tmp/big" \
	"http://127.0.0.1:$port/collections/x/points/search")" = 413 ]
say $? "QDRANT__SERVICE__MAX_REQUEST_SIZE_MB=1 limits bodies to 1 MiB" "$tmp/body"
stop

# Bad settings: exit 2 and say where.
refused() { # refused DESCRIPTION PATTERN ARGS...
	local desc=$1 pat=$2
	shift 2
	"$@" >"$tmp/log" 2>&1
	local rc=$?
	[ $rc = 2 ] && grep -q -- "$pat" "$tmp/log"
	say $? "$desc (exit $rc)" "$tmp/log"
}
printf 'port = 1\nbogus = 3\n' >"$tmp/bad1.conf"
refused "unknown key: refused with file and line" "bad1.conf:2: unknown key 'bogus'" "$gw" --config "$tmp/bad1.conf"
printf '\nthreads = many\n' >"$tmp/bad2.conf"
refused "bad value: refused with file and line" "bad2.conf:2: invalid value for 'threads'" "$gw" --config "$tmp/bad2.conf"
printf 'just words\n' >"$tmp/bad3.conf"
refused "a line without '=' is refused" "bad3.conf:1: expected key = value" "$gw" --config "$tmp/bad3.conf"
printf 'threads # = 2\n' >"$tmp/bad4.conf"
refused "a '=' inside a comment does not make a setting" "bad4.conf:1: expected key = value" "$gw" --config "$tmp/bad4.conf"
refused "a missing config file is refused" "No such file" "$gw" --config "$tmp/none.conf"
refused "a bad environment value is refused" "QDRANT__SERVICE__HTTP_PORT" env QDRANT__SERVICE__HTTP_PORT=70000 "$gw"
refused "--backend embedded without --data is refused" "needs --data" "$gw" --backend embedded
refused "a bad --max-body is refused" "max-body" "$gw" --max-body 12Q
echo "1..$n"
exit $failed
