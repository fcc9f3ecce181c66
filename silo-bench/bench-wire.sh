#!/usr/bin/env bash
# Message layer request/reply rate and latency on loopback, windows 1 and 64, next to a plain C UDP
# echo measured in the same run (docs/benchmarks.md). Usage: silo-bench/bench-wire.sh [SECONDS]
# (SKIP_BUILD=1 to use the jars as built)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$bench_root"
seconds="${1:-10}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

java_home="$(silo_jdk)"
java="$java_home/bin/java"
bench_build
gcc -O2 -o "$work/echo_server" "$root/silo-bench/src/main/c/echo_server.c"

silo_port=7450 echo_port=7451
"$work/echo_server" $echo_port &
silo_server_start "$work/data" $silo_port "$work/server.log"

bench="$java --enable-native-access=ALL-UNNAMED -cp $root/silo-bench/target/silo-bench.jar"
echo "# $(date -u +%F) $(nproc) cores, $(uname -r), $($java -version 2>&1 | head -n1)"
for w in 1 64; do
  $bench org.silo.bench.wire.WireLoad 127.0.0.1:$silo_port $w "$seconds" 32
  $bench org.silo.bench.wire.EchoLoad 127.0.0.1:$echo_port $w "$seconds" 66
done
"$root/bin/silo" status --server 127.0.0.1:$silo_port | grep -i replyCache
