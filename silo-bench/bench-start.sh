#!/usr/bin/env bash
# How long short CLI commands take, as a shell user sees them: bin/silo --version and bin/silo ls /
# against a running bin/silo server, each with the start-up cache and with SILO_AOT=0, alternating,
# RUNS times; prints the median and the range of the wall clock (docs/benchmarks.md, "CLI start").
# A JVM that prints "hello" is the floor. Usage: silo-bench/bench-start.sh [RUNS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$bench_root"
runs="${1:-9}"
work="$(mktemp -d)"
trap 'silo_server_stop; rm -rf "$work"' EXIT

"$silo" --version >/dev/null # builds the jar and the cache if needed, outside the figures
java_home="$(silo_jdk)"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/Hello.java"
"$java_home/bin/javac" -d "$work" "$work/Hello.java"

port=7452
silo_server_start "$work/data" $port "$work/server.log"

# milliseconds one run of "$@" takes, wall clock, output thrown away, a failure timed all the same
wall() { wall_ms "$@" || true; }

echo "# $(date -u +%F) $(nproc) cores, $(uname -r), $("$java_home/bin/java" -version 2>&1 | head -n1)"
declare -A t
for name in version version-nocache ls ls-nocache hello; do t[$name]=""; done
for i in $(seq "$runs"); do
  t[version]+="$(wall "$root/bin/silo" --version) "
  t[version-nocache]+="$(SILO_AOT=0 wall "$root/bin/silo" --version) "
  t[ls]+="$(wall "$root/bin/silo" ls / --server 127.0.0.1:$port) "
  t[ls-nocache]+="$(SILO_AOT=0 wall "$root/bin/silo" ls / --server 127.0.0.1:$port) "
  t[hello]+="$(wall "$java_home/bin/java" -cp "$work" Hello) "
done
for name in version version-nocache ls ls-nocache hello; do
  printf '%-16s ' "$name"; tr ' ' '\n' <<<"${t[$name]}" | grep . | stats
done
