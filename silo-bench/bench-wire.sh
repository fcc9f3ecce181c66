#!/usr/bin/env bash
# Message layer request/reply rate and latency on loopback, windows 1 and 64, next to a plain C UDP
# echo measured in the same run (docs/benchmarks.md). Usage: silo-bench/bench-wire.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-10}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

java_home="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$0"); min_major=21; find_jdk' "$root/bin/silo")"
java="$java_home/bin/java"
(cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests -pl silo-cli,silo-bench -am package)
gcc -O2 -o "$work/echo_server" "$root/silo-bench/src/main/c/echo_server.c"

silo_port=7450 echo_port=7451
"$root/bin/silo" server --data "$work/data" --set wire.port=$silo_port --set blockhead.port=0 --set nbd.port=0 --set control.port=0 --set console.port=0 \
  >"$work/server.log" 2>&1 &
"$work/echo_server" $echo_port &
for i in $(seq 30); do
  "$root/bin/silo" ping --server 127.0.0.1:$silo_port --count 1 --timeout 1s >/dev/null 2>&1 && break
  if [[ $i == 30 ]]; then echo "the silo server did not start:" >&2; cat "$work/server.log" >&2; exit 1; fi
done

bench="$java --enable-native-access=ALL-UNNAMED -cp $root/silo-bench/target/silo-bench.jar"
echo "# $(date -u +%F) $(nproc) cores, $(uname -r), $($java -version 2>&1 | head -n1)"
for w in 1 64; do
  $bench org.silo.bench.wire.WireLoad 127.0.0.1:$silo_port $w "$seconds" 32
  $bench org.silo.bench.wire.EchoLoad 127.0.0.1:$echo_port $w "$seconds" 66
done
"$root/bin/silo" status --server 127.0.0.1:$silo_port | grep -i replyCache
