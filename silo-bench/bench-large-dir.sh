#!/usr/bin/env bash
# A directory of COUNT small files, as a user meets it (docs/benchmarks.md, "Archive: ls of a directory
# of 100,000 files"): bin/silo put -r of a tree of COUNT files of 100 bytes with the client's heap bounded
# (CLIENT_HEAP, default 32m), while the server's memory is sampled (its resident set and its heap's old
# generation after each sample, from jstat); then, ROUNDS times in turn, bin/silo --version (the JVM
# alone), stat of the directory (connect and one call), ls --limit 1000 (the first page) and ls of it all
# (every line printed, to a file), each end to end from the shell. On SQLite, then on PostgreSQL when one
# answers at 127.0.0.1:5432 with database `test`.
# Usage: silo-bench/bench-large-dir.sh [COUNT] [ROUNDS]   (defaults 100000 5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
count="${1:-100000}"
rounds="${2:-5}"
client_heap="${CLIENT_HEAP:-32m}"
work="$(mktemp -d)"
trap 'silo_server_stop; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$silo" --version >/dev/null   # builds the jar and the start-up caches outside the figures
"$silo" ls --help >/dev/null
SILO_JAVA_OPTS=-Xmx$client_heap "$silo" put --help >/dev/null   # (a cache is made per set of JVM options)
java_home="$(silo_jdk)"
port=7471
export SILO_SERVER=127.0.0.1:$port

mkdir -p "$work/tree"
python3 - "$work/tree" "$count" <<'PY'
import os, sys
top, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(top, "f%06d" % i), "wb") as f:
        f.write(os.urandom(100))
PY
sync

start_server() { # $1: catalog URL or empty for SQLite
  rm -rf "$work/data"
  SILO_JAVA_OPTS=-Xmx256m silo_server_start "$work/data" $port "$work/server.log" ${1:+"catalog=$1"}
  "$silo" mkdir /big >/dev/null
}

# the server's java process (bin/silo execs java, so it is server_pid itself)
sample() { # prints: seconds since $1, resident MB, old generation used MB
  local rss ou
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$silo_server_pid/status" 2>/dev/null || echo "?")
  ou=$("$java_home/bin/jstat" -gc "$silo_server_pid" 2>/dev/null | awk 'NR == 2 { printf "%.0f", $8 / 1024 }' || echo "?")
  printf '%6.1f s  resident %5s MB  old gen %4s MB\n' "$(echo "$(date +%s.%N) - $1" | bc)" "$rss" "$ou"
}

# milliseconds one run takes, end to end; its output kept in $work/out (the last ls is counted)
ms() { local t0 t1; t0=$(date +%s%N); "$@" >"$work/out" 2>/dev/null || echo "FAILED: $*" >&2; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }

run_on() { # $1 label, $2 catalog URL or empty
  start_server "$2"
  echo "## $1: put -r of $count files of 100 bytes (client -Xmx$client_heap, server -Xmx256m)"
  local t0; t0=$(date +%s.%N)
  SILO_JAVA_OPTS=-Xmx$client_heap "$silo" put -r "$work/tree" /big/ --no-progress >"$work/put.out" 2>&1 &
  local put=$!
  while kill -0 $put 2>/dev/null; do sample "$t0"; sleep 5; done
  wait $put || { echo "put failed:" >&2; tail "$work/put.out" >&2; exit 1; }
  local t1; t1=$(date +%s.%N)
  sample "$t0"
  awk -v n="$count" -v s="$(echo "$t1 - $t0" | bc)" 'BEGIN { printf "put -r: %.1f s, %.0f files/s\n", s, n / s }'
  local v="" st="" first="" all=""
  for r in $(seq "$rounds"); do
    v+="$(ms "$silo" --version) "
    st+="$(ms "$silo" stat /big/tree) "
    first+="$(ms "$silo" ls /big/tree --limit 1000) "
    all+="$(ms "$silo" ls /big/tree) "
  done
  [[ $(wc -l <"$work/out") == $((count + 1)) ]] || echo "ls printed $(wc -l <"$work/out") lines, not $((count + 1))" >&2
  echo "--version         $(tr " " "\n" <<<"$v" | grep . | stats)"
  echo "stat              $(tr " " "\n" <<<"$st" | grep . | stats)"
  echo "ls --limit 1000   $(tr " " "\n" <<<"$first" | grep . | stats)"
  echo "ls (all $count)  $(tr " " "\n" <<<"$all" | grep . | stats)"
  silo_server_stop
}

echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run_on SQLite ""
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  schema="silo_bench_$$"
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
  run_on PostgreSQL "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema"
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA $schema CASCADE" >/dev/null
else
  echo "## PostgreSQL: skipped (nothing answers at 127.0.0.1:5432)"
fi
