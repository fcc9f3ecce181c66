#!/usr/bin/env bash
# How long short CLI commands take, as a shell user sees them: bin/silo --version and bin/silo ls /
# against a running bin/silo server, each with the start-up cache and with SILO_AOT=0, alternating,
# RUNS times; prints the median and the range of the wall clock (docs/benchmarks.md, "CLI start").
# A JVM that prints "hello" is the floor. Usage: silo-bench/bench-start.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-9}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$root/bin/silo" --version >/dev/null # builds the jar and the cache if needed, outside the figures
java_home="$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$0"); min_major=21; find_jdk' "$root/bin/silo")"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/Hello.java"
"$java_home/bin/javac" -d "$work" "$work/Hello.java"

port=7452
"$root/bin/silo" server --data "$work/data" --set wire.port=$port --set blockhead.port=0 --set nbd.port=0 \
  --set control.port=0 --set console.port=0 >"$work/server.log" 2>&1 &
for i in $(seq 60); do
  "$root/bin/silo" status --server 127.0.0.1:$port >/dev/null 2>&1 && break
  if [[ $i == 60 ]]; then echo "the silo server did not start:" >&2; cat "$work/server.log" >&2; exit 1; fi
  sleep 1
done

# seconds one run of "$@" takes, wall clock, output thrown away
wall() {
  local t0 t1
  t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.3f s (min %.3f, max %.3f, n=%d)\n", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000, NR}'; }

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
