#!/usr/bin/env bash
# Where a data path spends its CPU: async-profiler (Maven Central's tools.profiler:async-profiler, its
# linux-x64 agent) on the server and, for the CLI's paths, on the client, while one path runs twice
# (a warm-up, then again: the profile covers both, and the JIT's share is printed apart so that a warm
# server's picture can be read off the rest). docs/benchmarks.md, "Where the time goes", holds what it found.
#
# Usage: silo-bench/profile.sh PATH...    PATH: put get ping wire blockhead nbd-read nbd-write (default: all)
#   put, get   bin/silo put/get of 1 GiB (server and CLI profiled)
#   ping       bin/silo ping --count 200000 --window 64 (server and CLI)
#   wire       WireLoad, PING window 64, 3 s (server)
#   blockhead  BlockheadLoad 512-byte READ, window 16, 3 s (server)
#   nbd-read, nbd-write   fio 4k random, QD 32, 3 s (server)
# For each profile it prints the CPU by kind (JIT, GC, kernel send/receive/file/waits, Java by package)
# and the ten hottest frames, and keeps the collapsed stacks (flame graph input: flamegraph.pl, or
# speedscope) in $OUT (default /tmp/silo-profiles). Run it on a quiet machine, under the build lock:
#   flock /tmp/mvn.lock silo-bench/profile.sh put get
# Needs: python3 (the summary), fio (nbd rows), gcc is not needed. SKIP_BUILD=1 uses the jars as built.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

paths=("$@")
(( ${#paths[@]} )) || paths=(put get ping wire blockhead nbd-read nbd-write)
for p in "${paths[@]}"; do
  case "$p" in
    put|get|ping|wire|blockhead|nbd-read|nbd-write) ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [put|get|ping|wire|blockhead|nbd-read|nbd-write]...  (not '$p')" >&2; exit 2 ;;
  esac
done
out="${OUT:-/tmp/silo-profiles}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'silo_server_stop; rm -rf "$work"' EXIT

# the agent: Maven Central's jar holds linux-x64/libasyncProfiler.so
ap_version=4.1
agent="$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/linux-x64/libasyncProfiler.so"
if [[ ! -f "$agent" ]]; then
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:$ap_version:jar:linux-x64 -DoutputDirectory="$work/ap" >&2
  mkdir -p "${agent%/*}"
  (cd "$work/ap" && unzip -q -o async-profiler-$ap_version-linux-x64.jar linux-x64/libasyncProfiler.so && cp linux-x64/libasyncProfiler.so "$agent")
fi
prof() { echo "-agentpath:$agent=start,event=cpu,interval=1ms,file=$1"; }

jdk="$(silo_jdk)"
bench_build
benchjar="$bench_root/silo-bench/target/silo-bench.jar"
bench="$jdk/bin/java --enable-native-access=ALL-UNNAMED -cp $benchjar"
port=7480 nbd_port=7481 bh_port=7482
export SILO_SERVER=127.0.0.1:$port

summary() { # summary FILE: CPU by kind, then the hottest frames
  python3 - "$1" <<'EOF'
import sys, collections
kinds, leaves, total = collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(' ')
    n = int(n); total += n
    fr = stack.split(';'); leaf = fr[-1]
    if 'CompileBroker' in stack: k = 'JIT compiler threads'
    elif 'GCTaskThread' in stack or 'WorkerThread::run' in stack or fr[0].startswith('G1') or 'VM_Operation' in stack: k = 'GC and VM operations'
    elif leaf.endswith('_[k]'):
        if any(x in stack for x in ('sendmsg', 'sendto', 'sendmmsg', 'tcp_sendmsg', 'udp_send')): k = 'kernel: send'
        elif any(x in stack for x in ('recvmsg', 'recvfrom', 'recvmmsg', 'tcp_recvmsg', 'udp_recv')): k = 'kernel: receive'
        elif any(x in stack for x in ('pread', 'pwrite', 'vfs_read', 'vfs_write', 'filemap', 'ext4', 'fsync')): k = 'kernel: file reads and writes'
        elif any(x in stack for x in ('epoll', 'futex', 'schedule', 'finish_task_switch')): k = 'kernel: waits and wake-ups (epoll, futex)'
        else: k = 'kernel: other'
    else:
        java = [x for x in fr if '/' in x and not x.endswith('_[k]')]
        k = 'Java: ' + '/'.join(java[-1].split('/')[:3]) if java else 'native: ' + leaf[:40]
    kinds[k] += n; leaves[leaf] += n
print(f'  {total} samples of 1 ms CPU')
for k, v in kinds.most_common(14): print(f'  {100 * v / total:5.1f}%  {k}')
print('  hottest frames:')
for k, v in leaves.most_common(10): print(f'  {100 * v / total:5.1f}%  {k[:110]}')
EOF
}

# one server per path, profiled from its start; then the path's load twice
start_server() {
  rm -rf "$work/data"
  SILO_SERVER_JAVA_OPTS="$(prof "$out/server-$1.collapsed")" silo_server_start "$work/data" $port "$work/server.log" \
      nbd.port=$nbd_port blockhead.port=$bh_port
}
image() {
  "$silo" disk create bench --size 64M >/dev/null
  dd if=/dev/urandom of="$work/data/images/bench" bs=1M count=64 conv=notrunc status=none
}
# The CLI's profile gets a start-up cache of its own (SILO_JAVA_OPTS is part of a cache's name): made
# by a first, unprofiled-for-us run of the same command's --help.
cli_profiled() { local f="$1"; shift; SILO_JAVA_OPTS="$(prof "$f")" "$silo" "$1" --help >/dev/null; SILO_JAVA_OPTS="$(prof "$f")" "$silo" "$@"; }

for p in "${paths[@]}"; do
  echo "== $p"
  start_server "$p"
  case "$p" in
    put|get)
      head -c 1G /dev/urandom >"$work/big"
      "$silo" mkdir /bench >/dev/null
      "$silo" put "$work/big" /bench/warm --no-progress >/dev/null
      "$silo" get /bench/warm "$work/back" --no-progress >/dev/null && rm -f "$work/back"
      if [[ $p == put ]]; then
        cli_profiled "$out/cli-put.collapsed" put "$work/big" /bench/big --no-progress >/dev/null
      else
        cli_profiled "$out/cli-get.collapsed" get /bench/warm "$work/back" --no-progress >/dev/null
      fi ;;
    ping)
      "$silo" ping --count 200000 --window 64 --json >/dev/null
      cli_profiled "$out/cli-ping.collapsed" ping --count 200000 --window 64 --json ;;
    wire) for i in 1 2; do $bench org.silo.bench.wire.WireLoad 127.0.0.1:$port 64 3 32; done ;;
    blockhead) image; for i in 1 2; do $bench org.silo.bench.block.BlockheadLoad 127.0.0.1 $bh_port read 3 bench; done ;;
    nbd-read|nbd-write)
      image
      for i in 1 2; do
        fio --name=t --ioengine=nbd --uri=nbd://127.0.0.1:$nbd_port/bench --rw=rand${p#nbd-} --bs=4k --iodepth=32 \
            --time_based --runtime=3 --ramp_time=1 --output-format=terse --terse-version=3 | cut -d';' -f8,49
      done ;;
  esac
  silo_server_stop
  echo "-- server ($out/server-$p.collapsed)"; summary "$out/server-$p.collapsed"
  if [[ -f "$out/cli-$p.collapsed" ]]; then echo "-- CLI ($out/cli-$p.collapsed)"; summary "$out/cli-$p.collapsed"; fi
done
