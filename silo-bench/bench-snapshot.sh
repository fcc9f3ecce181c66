#!/usr/bin/env bash
# Block snapshots as a user meets them (docs/benchmarks.md, "Block snapshots"), from the shell, the CLI's
# JVM start included, next to the peer in the same run. One image `bench` of SIZE_MIB MiB (1 GiB),
# filled with random bytes over NBD (qemu-img convert -n), then, round after round:
#   point 1 (the image as it is):
#     silo:  bin/silo disk snapshot bench                         (full: the first snapshot of the round)
#     peer:  qemu-img convert nbd://.../bench file.raw, then bin/silo put file.raw /peer/rR-1.raw
#   1% of the image rewritten with random bytes over NBD (qemu-io write -s: 10 places of SIZE/1024,
#   1 MiB each for 1 GiB; other places each round)
#   point 2:
#     silo:  bin/silo disk snapshot bench                         (incremental: the blocks written)
#     peer:  the same convert and put again (a copy has no incremental)
#   then bin/silo disk restore bench@2 r2, timed (and bin/silo disk snapshots bench, a short command,
#   as the CLI's floor), checked with qemu-img compare against the image (the
#   check untimed), and r2 and both snapshots removed (rm-snapshot, newest first: the next round's
#   snapshot is full again and numbered 1).
# Which side goes first alternates by round; `sync` (untimed) before each timed step. Bytes stored: the
# snapshot's `stored` from `silo disk snapshots bench --json`, the peer's `size` from `silo stat --json`.
# Usage: silo-bench/bench-snapshot.sh [ROUNDS] [SIZE_MIB]   (defaults 3 1024; SKIP_BUILD=1 to use the
#        jars as built). It builds (a Maven build): on a shared machine run it under the build lock,
#        flock /tmp/mvn.lock silo-bench/bench-snapshot.sh
# Needs qemu-img and qemu-io (qemu-utils), and python3 (for the JSON). The server is bin/silo server with its
# defaults (SQLite catalog, directory volumes, two movers) on a fresh data directory under $TMPDIR (or
# /tmp), so the figures are for the disk that holds it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds="${1:-3}"
size_mib="${2:-1024}"
work="$(mktemp -d)"
trap 'silo_server_stop; rm -rf "$work"' EXIT
for tool in qemu-img qemu-io python3; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install qemu-utils python3)" >&2; exit 1; }
done

jdk="$(silo_jdk)"
bench_build
"$silo" --version >/dev/null   # builds the jar if the sources changed, and the start-up caches,
"$silo" put --help >/dev/null  # outside the figures (docs/architecture.md, "The launcher")

# ports of this script only (the other scripts use 7450-7497)
wire_port=7500 nbd_port=7501
silo_server_start "$work/data" $wire_port "$work/server.log" nbd.port=$nbd_port
export SILO_SERVER=127.0.0.1:$wire_port
uri="nbd://127.0.0.1:$nbd_port"
size=$((size_mib * 1024 * 1024))
block=65536
chunk=$(( size / 1024 / block * block )); ((chunk >= block)) || chunk=$block   # 1 MiB for 1 GiB
stride=$(( size / 10 / block * block ))

results="$work/results"   # ROUND KEY VALUE
: >"$results"
record() { echo "$1 $2 $3" >>"$results"; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
# logged CMD...: CMD with its output in $work/out (wall_ms throws away only what is left on stdout)
logged() { "$@" >"$work/out" 2>&1; }
# timed CMD...: wall milliseconds of CMD from the shell; on failure its output, and the run ends
timed() {
  local ms
  sync
  ms=$(wall_ms logged "$@") || { echo "FAILED: $*" >&2; cat "$work/out" >&2; exit 1; }
  echo "$ms"
}
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[int(sys.argv[1])][sys.argv[2]])" "$@"; }

# silo_side R POINT: bin/silo disk snapshot bench, timed; its bytes stored and the server's own time
silo_side() {
  local ms list
  ms=$(timed "$silo" disk snapshot bench)
  list=$("$silo" disk snapshots bench --json)
  local n=$(($2 - 1))
  record "$1" "snap$2-s" "$(secs "$ms")"
  record "$1" "snap$2-stored" "$(json_field "$n" stored <<<"$list")"
  record "$1" "snap$2-server-s" "$(secs "$(json_field "$n" tookMs <<<"$list")")"
  record "$1" "snap$2-kind" "$( [[ $(json_field "$n" parent <<<"$list") == 0 ]] && echo full || echo incremental)"
  echo "  round $1 point $2  silo disk snapshot   $(secs "$ms") s"
}

# peer_side R POINT: qemu-img convert of the image to a file, then bin/silo put of the file
peer_side() {
  local conv put
  rm -f "$work/file.raw"
  conv=$(timed qemu-img convert -f raw -O raw "$uri/bench" "$work/file.raw")
  put=$(timed "$silo" put "$work/file.raw" "/peer/r$1-$2.raw" --no-progress)
  record "$1" "peer$2-convert-s" "$(secs "$conv")"
  record "$1" "peer$2-put-s" "$(secs "$put")"
  record "$1" "peer$2-s" "$(secs $((conv + put)))"
  record "$1" "peer$2-stored" "$("$silo" stat "/peer/r$1-$2.raw" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')"
  echo "  round $1 point $2  peer convert + put   $(secs "$conv") + $(secs "$put") s"
  rm -f "$work/file.raw"
}

point() { # R POINT: both sides, the order alternating by round
  if (($1 % 2)); then silo_side "$1" "$2"; peer_side "$1" "$2"; else peer_side "$1" "$2"; silo_side "$1" "$2"; fi
}

# change R: 10 places of $chunk random bytes (each its own), other places each round, over NBD
change() {
  local i cmds=()
  for i in $(seq 0 9); do
    head -c "$chunk" /dev/urandom >"$work/chunk$i"
    cmds+=(-c "write -q -s $work/chunk$i $(( i * stride + ($1 - 1) * chunk )) $chunk")
  done
  qemu-io -f raw "${cmds[@]}" -c flush "$uri/bench"
  rm -f "$work"/chunk*
}

machine_line "$jdk"
echo "# $(qemu-img --version | head -n1), $(df --output=fstype "$work" | tail -1) at $work, image $size_mib MiB, $rounds round(s)"
"$silo" disk create bench --size "${size_mib}M" >/dev/null
head -c "$size" /dev/urandom >"$work/random.raw"
qemu-img convert -n -f raw -O raw "$work/random.raw" "$uri/bench"
rm -f "$work/random.raw"
"$silo" mkdir /peer >/dev/null

for r in $(seq "$rounds"); do
  point "$r" 1
  change "$r"
  point "$r" 2
  ms=$(timed "$silo" disk restore bench@2 r2)
  record "$r" restore-s "$(secs "$ms")"
  if qemu-img compare -f raw -F raw "$uri/r2" "$uri/bench" >"$work/out" 2>&1; then same=identical; else same="DIFFERENT: $(head -c 300 "$work/out")"; fi
  record "$r" restore-check "$same"
  echo "  round $r  silo disk restore bench@2 r2   $(secs "$ms") s; qemu-img compare r2 bench: $same"
  ms=$(timed "$silo" disk snapshots bench)
  record "$r" list-s "$(secs "$ms")"
  "$silo" disk rm r2 >/dev/null
  "$silo" disk rm-snapshot bench@2 >/dev/null
  "$silo" disk rm-snapshot bench@1 >/dev/null
done

# the table: each figure's median over the rounds, then the rounds' figures
val() { awk -v r="$1" -v k="$2" '$1 == r && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$results"; }
med() { awk -v k="$1" '$2 == k { print $3 }' "$results" | median | awk '{ printf($1 == int($1) ? "%d" : "%.2f", $1) }'; }
each() { local r out=""; for r in $(seq "$rounds"); do out+="${out:+ / }$(val "$r" "$1")"; done; echo "$out"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo
echo "| point | silo disk snapshot: s (median) | rounds | server's own s | bytes stored | peer convert + put: s (median) | rounds (convert + put) | bytes stored | peer s / silo s |"
echo "|---|---:|---|---:|---:|---:|---|---:|---:|"
for p in 1 2; do
  conv_put=""
  for r in $(seq "$rounds"); do conv_put+="${conv_put:+ / }$(val "$r" "peer$p-convert-s")+$(val "$r" "peer$p-put-s")"; done
  echo "| $p: $(val 1 "snap$p-kind") | $(med "snap$p-s") | $(each "snap$p-s") | $(med "snap$p-server-s") | $(mib "$(med "snap$p-stored")") | $(med "peer$p-s") | $conv_put | $(mib "$(med "peer$p-stored")") | $(awk -v a="$(med "peer$p-s")" -v b="$(med "snap$p-s")" 'BEGIN { printf "%.2f", a / b }') |"
done
echo "| restore bench@2 r2 | $(med restore-s) | $(each restore-s) | | | | | | |"
echo "| (the CLI's floor: disk snapshots bench) | $(med list-s) | $(each list-s) | | | | | | |"
echo
echo "restore checks (qemu-img compare r2 bench): $(each restore-check)"
echo "# commands: bin/silo disk snapshot bench; qemu-img convert -f raw -O raw $uri/bench \$W/file.raw;"
echo "#   bin/silo put \$W/file.raw /peer/rR-P.raw --no-progress; bin/silo disk restore bench@2 r2;"
echo "#   qemu-img compare -f raw -F raw $uri/r2 $uri/bench   (server: wire.port=$wire_port nbd.port=$nbd_port)"
