# Shell functions the silo-bench scripts share; sourced, not run:
#   source "$(dirname "$0")/lib.sh"
# Sets bench_root (the checkout) and silo (its bin/silo). Every process a function starts is ended by its
# own pid (silo_server_stop, or the caller's trap); nothing is ended by name.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
silo="$bench_root/bin/silo"
silo_server_pid=""

# The JDK that bin/silo runs on (its own java_major and find_jdk, so both always agree).
silo_jdk() {
  bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" "$0"); min_major=21; find_jdk' "$silo"
}

# silo.jar and silo-bench.jar, unless SKIP_BUILD=1. On a shared machine run the whole script under
# the build lock (flock /tmp/mvn.lock SCRIPT): this is a Maven build.
bench_build() {
  [[ "${SKIP_BUILD:-}" == 1 ]] && return 0
  (cd "$bench_root" && mvn -B -q -Dstyle.color=never -DskipTests -pl silo-cli,silo-bench -am package)
}

# silo_server_start DATA WIRE_PORT LOG [KEY=VALUE...]: bin/silo server on a data directory with the
# message layer on WIRE_PORT and every other port off (0) unless a KEY=VALUE sets it (later --set wins);
# returns once it answers a ping, or exits with its log. The pid is in silo_server_pid. SILO_SERVER_JAVA_OPTS,
# when set, is the server's SILO_JAVA_OPTS alone (not the pings').
silo_server_start() {
  local data="$1" port="$2" log="$3" kv i
  shift 3
  local args=(server --data "$data" --set wire.port="$port" --set blockhead.port=0 --set nbd.port=0
              --set control.port=0 --set console.port=0)
  for kv in "$@"; do args+=(--set "$kv"); done
  SILO_JAVA_OPTS="${SILO_SERVER_JAVA_OPTS:-${SILO_JAVA_OPTS:-}}" "$silo" "${args[@]}" >"$log" 2>&1 &
  silo_server_pid=$!
  for i in $(seq 120); do
    "$silo" ping --server "127.0.0.1:$port" --count 1 --timeout 1s >/dev/null 2>&1 && return 0
    if ! kill -0 "$silo_server_pid" 2>/dev/null || [[ $i == 120 ]]; then
      echo "the silo server did not start:" >&2; cat "$log" >&2; exit 1
    fi
    sleep 0.5
  done
}

silo_server_stop() {
  if [[ -n $silo_server_pid ]]; then
    kill "$silo_server_pid" 2>/dev/null || true
    wait "$silo_server_pid" 2>/dev/null || true
  fi
  silo_server_pid=""
}

# wait_tcp PORT: until something accepts on 127.0.0.1:PORT (a peer server starting), at most 15 s.
wait_tcp() {
  local i
  for i in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# wall_ms CMD...: milliseconds of wall clock CMD takes, its output thrown away; CMD's exit status.
wall_ms() {
  local t0 t1 rc=0
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || rc=$?
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
  return $rc
}

# median: the median of the numbers on standard input, one a line (the mean of the middle two if even).
median() {
  sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print m}'
}

# stats: milliseconds on standard input, one a line -> "median X s (min, max, n)".
stats() {
  sort -n | awk '{a[NR]=$1} END {printf "median %.3f s (min %.3f, max %.3f, n=%d)\n", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000, NR}'
}

# One line about the machine and the JDK, for the head of a report.
machine_line() {
  echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, $(uname -r), $("$1/bin/java" -version 2>&1 | head -n1), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
