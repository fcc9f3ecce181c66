#!/usr/bin/env bash
# One server against two on one PostgreSQL catalog (docs/benchmarks.md, "Cluster: one server and two on one PostgreSQL catalog"),
# as users meet it: CLIENTS clients at once, each a bin/silo put -r of FILES files of 4 KiB, then each a
# get -r of them back (checked with diff -r, not timed); then each a put of one file of BIG, and a get
# of it. The same movers in both: MOVERS in-process movers on the one server, MOVERS/2 on each of two.
# With two servers, half the clients name srv1 first and half srv2 (--server a,b and b,a).
# Usage: silo-bench/bench-cluster.sh [CLIENTS] [FILES] [BIG] [MOVERS]   (defaults 4 1000 256M 2)
# Needs PostgreSQL at 127.0.0.1:5432, database test, user postgres (trust); a schema of its own is made
# and dropped. On a shared machine run it under the build lock: flock /tmp/mvn.lock silo-bench/bench-cluster.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
clients="${1:-4}"
files="${2:-1000}"
big="${3:-256M}"
movers="${4:-2}"
work="$(mktemp -d)"
schema="bench_cluster_$$"
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null; rm -rf "$work"' EXIT
"$silo" --version >/dev/null   # builds the jar if the sources changed, outside the figures
pg="jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema"

python3 - "$work/tree" "$files" <<'PY'
import os, sys
top, n = sys.argv[1], int(sys.argv[2])
os.makedirs(top, exist_ok=True)
for i in range(n):
    with open(os.path.join(top, "f%05d" % i), "wb") as f:
        f.write(os.urandom(4096))
PY
head -c "$(numfmt --from=iec "$big")" /dev/urandom > "$work/big"
sync
bytes=$(stat -c %s "$work/big")

now() { date +%s.%N; }

start() { # $1: how many servers
  stop_all
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null
  rm -rf "$work"/data* "$work"/back*
  local n="$1" each=$((movers / $1)) i
  for i in $(seq "$n"); do
    silo_server_start "$work/data$i" $((7480 + i)) "$work/server$i.log" "catalog=$pg" "archive.movers=$each"
    pids+=("$silo_server_pid")
    silo_server_pid=""
  done
  "$silo" mkdir /bench --server 127.0.0.1:7481 >/dev/null
}

servers_for() { # $1: client number, $2: how many servers -> its --server list
  if [[ $2 == 1 || $(($1 % 2)) == 1 ]]; then echo "127.0.0.1:7481,127.0.0.1:7482"; else echo "127.0.0.1:7482,127.0.0.1:7481"; fi
}

timed() { # $1: label, $2: units done, $3: unit, rest: one command per client, run at once
  local label="$1" units="$2" unit="$3"; shift 3
  local t0 t1 c mine=()
  t0=$(now)
  for c in "$@"; do bash -c "$c" >/dev/null & mine+=($!); done
  for c in "${mine[@]}"; do wait "$c" || { echo "a client failed: $label" >&2; exit 1; }; done
  t1=$(now)
  awk -v l="$label" -v n="$units" -v s="$(echo "$t1 - $t0" | bc)" -v u="$unit" \
    'BEGIN { printf "%-34s %9.1f %s  (%6.2f s)\n", l, n / s, u, s }'
}

run_on() { # $1: how many servers
  local n="$1" c cmds
  start "$n"
  [[ $n == 1 ]] && only="127.0.0.1:7481" || only=""
  cmds=(); for c in $(seq "$clients"); do cmds+=("'$silo' put -r '$work/tree' /bench/c$c --no-progress --server ${only:-$(servers_for "$c" "$n")}"); done
  timed "$n server(s): put -r small" $((clients * files)) files/s "${cmds[@]}"
  cmds=(); for c in $(seq "$clients"); do mkdir -p "$work/back$c"; cmds+=("'$silo' get -r /bench/c$c '$work/back$c' --no-progress --server ${only:-$(servers_for "$c" "$n")}"); done
  timed "$n server(s): get -r small" $((clients * files)) files/s "${cmds[@]}"
  for c in $(seq "$clients"); do diff -r "$work/tree" "$work/back$c/c$c" >/dev/null || { echo "get -r gave other bytes" >&2; exit 1; }; done
  cmds=(); for c in $(seq "$clients"); do cmds+=("'$silo' put '$work/big' /bench/big$c --no-progress --server ${only:-$(servers_for "$c" "$n")}"); done
  timed "$n server(s): put big" $((clients * bytes / 1000000)) MB/s "${cmds[@]}"
  cmds=(); for c in $(seq "$clients"); do cmds+=("'$silo' get /bench/big$c '$work/big.back$c' --no-progress --server ${only:-$(servers_for "$c" "$n")}"); done
  timed "$n server(s): get big" $((clients * bytes / 1000000)) MB/s "${cmds[@]}"
  for c in $(seq "$clients"); do cmp -s "$work/big" "$work/big.back$c" || { echo "get gave other bytes" >&2; exit 1; }; rm -f "$work/big.back$c"; done
}

echo "# $(date -u '+%F %H:%M') $(nproc) cores, $clients clients, $files files of 4 KiB each, $big each, $movers movers in all, PostgreSQL catalog"
run_on 1
run_on 2
