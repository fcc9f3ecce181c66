#!/usr/bin/env bash
# Small files as a user meets them (docs/benchmarks.md, "Archive: small files"): a tree of COUNT files of
# 4 KiB, and in the same run, round after round,
#   cp -r of it followed by sync                 (the yardstick)
#   bin/silo put -r of it into the archive        (end to end: the CLI's JVM start included)
#   bin/silo get -r of it back, then checked with diff -r (not timed)
# on a server with the SQLite catalog and then on one with PostgreSQL (skipped when none answers at
# 127.0.0.1:5432 with database `test`), and last CLIENTS clients putting COUNT/CLIENTS files each at once.
# Usage: silo-bench/bench-small-files.sh [COUNT] [ROUNDS] [CLIENTS]   (defaults 10000 3 16)
# The server is bin/silo server with its defaults (two movers, aggregation below 64 MiB) on a fresh data
# directory under $TMPDIR (or /tmp), so the figures are for the disk that holds it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
count="${1:-10000}"
rounds="${2:-3}"
clients="${3:-16}"
work="$(mktemp -d)"
trap 'silo_server_stop; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$silo" --version >/dev/null   # builds the jar if the sources changed, outside the figures,
"$silo" put --help >/dev/null  # and the start-up caches (docs/architecture.md, "The launcher")
port=7470
export SILO_SERVER=127.0.0.1:$port

# the tree: COUNT files of 4 KiB, in directories of 1,000 (as an instrument writes them), random bytes
mkdir -p "$work/tree"
python3 - "$work/tree" "$count" <<'PY'
import os, sys
top, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(top, "d%03d" % (i // 1000))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        f.write(os.urandom(4096))
PY
sync

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%8.0f files/s  (%6.2f s)", n / s, s }'; }

start_server() { # $1: catalog URL or empty for SQLite
  rm -rf "$work/data"
  local settings=()
  [[ -n $1 ]] && settings+=("catalog=$1")
  silo_server_start "$work/data" $port "$work/server.log" "${settings[@]}"
  "$silo" mkdir /bench >/dev/null
}

rounds_on() { # $1: label
  for r in $(seq "$rounds"); do
    rm -rf "$work/cp" "$work/back"; mkdir -p "$work/back"; sync
    t0=$(now); cp -r "$work/tree" "$work/cp"; sync; t1=$(now)
    echo "$1 round $r  cp -r + sync   $(rate "$count" "$(echo "$t1 - $t0" | bc)")"
    t0=$(now); "$silo" put -r "$work/tree" "/bench/r$r" --no-progress >/dev/null; t1=$(now)
    echo "$1 round $r  silo put -r    $(rate "$count" "$(echo "$t1 - $t0" | bc)")"
    t0=$(now); "$silo" get -r "/bench/r$r" "$work/back" --no-progress >/dev/null; t1=$(now)
    echo "$1 round $r  silo get -r    $(rate "$count" "$(echo "$t1 - $t0" | bc)")"
    diff -r "$work/tree" "$work/back/r$r" >/dev/null || { echo "get -r gave other bytes than were put" >&2; exit 1; }
  done
}

many_clients() { # $1: label
  local each=$((count / clients))
  mkdir -p "$work/many"
  for c in $(seq "$clients"); do
    mkdir -p "$work/many/c$c"
    find "$work/tree" -type f | sed -n "1,${each}p" | xargs cp -t "$work/many/c$c"   # sed reads to the end: no SIGPIPE under pipefail
  done
  sync
  t0=$(now)
  for c in $(seq "$clients"); do
    "$silo" put -r "$work/many/c$c" "/bench/many" --no-progress >/dev/null &
  done
  wait $(jobs -p | grep -v "^$silo_server_pid$")
  t1=$(now)
  echo "$1 $clients clients x $each files, silo put -r   $(rate $((clients * each)) "$(echo "$t1 - $t0" | bc)")"
}

echo "# $(date -u '+%F %H:%M') $(nproc) cores, $(uname -r), $count files of 4 KiB, $(df --output=fstype "$work" | tail -1) at $work"
start_server ""
"$silo" mkdir /bench/many >/dev/null
rounds_on "sqlite"
many_clients "sqlite"
silo_server_stop

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  schema="bench_$$"
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE SCHEMA $schema" 2>/dev/null \
    || { echo "# postgresql: cannot create a schema (psql missing or refused): skipped"; exit 0; }
  trap 'silo_server_stop; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA $schema CASCADE" 2>/dev/null; rm -rf "$work"' EXIT
  start_server "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema"
  "$silo" mkdir /bench/many >/dev/null
  rounds_on "postgresql"
  many_clients "postgresql"
  silo_server_stop
else
  echo "# postgresql: nothing answers at 127.0.0.1:5432: skipped"
fi
