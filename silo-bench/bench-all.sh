#!/usr/bin/env bash
# Every row of issue 14's table in one run, each Silo figure next to its peer's, measured in pairs
# (peer, then Silo, then the next pair...), and one table of ratios at the end (docs/benchmarks.md,
# "All paths against their peers"):
#   1. NBD 4k random read and write, QD 32, fio's nbd engine, on one image (256 MiB of random bytes):
#      Silo's NBD server (bin/silo server) against nbdkit's file plugin, Debian's nbd-server and qemu-nbd
#      serving the same file;
#   2. bin/silo put of 1 GiB and bin/silo get of it back, wall clock from the shell, each against
#      dd bs=1M conv=fsync of the same file on the same disk;
#   3. the message layer's PING, windows 64 and 1 (WireLoad) against the C recvmmsg echo driven by the
#      same Java Netty client (EchoLoad); bin/silo ping --count 200000 --window 64 against the C echo
#      driven by a C client with 64 in flight (echo_client.c);
#   4. Blockhead 512-byte READ, window 16 (BlockheadLoad) against the C echo answering 516 bytes;
#   5. bin/silo --version and bin/silo ls / against a Java hello world (the JVM's floor).
# Each row runs once cold (its first pair: reported apart) and then ROUNDS times warm; a row's ratio is
# Silo / peer as speeds (for a time: the peer's seconds over Silo's), the median of the warm rounds'
# pairs, with their min-max. About 10 minutes with the default 3 rounds (plus a build when needed).
#
# Usage: silo-bench/bench-all.sh [--quick] [ROUNDS]
#   --quick   tiny sizes, 1 round: checks that every row works, in about two minutes; no figures
#   ROUNDS    warm rounds per row (default 3)
#   SKIP_BUILD=1 uses the jars as built. On a shared machine run it under the build lock, as it builds
#   and should not be disturbed:   flock /tmp/mvn.lock silo-bench/bench-all.sh
# Needs: gcc, fio, nbdkit, qemu-nbd (qemu-utils) and nbd-server (Debian's nbd-server package, which
# .ci/run does not install as no test uses it). A missing peer's rows are skipped with a message.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

quick=0
rounds=3
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) [[ "$a" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [--quick] [ROUNDS]   (ROUNDS: a positive whole number, not '$a')" >&2; exit 2; }
       rounds="$a" ;;
  esac
done
if (( quick )); then
  rounds=1 image_mib=64 fio_runtime=1 fio_ramp=0 big=16M wire_seconds=1 ping_count=2000 bh_seconds=1 start_runs=1
else
  image_mib=256 fio_runtime=3 fio_ramp=1 big=1G wire_seconds=3 ping_count=200000 bh_seconds=3 start_runs=3
fi

work="$(mktemp -d)"
peer_pids=()
cleanup() {
  local p
  for p in "${peer_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  silo_server_stop
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)

jdk="$(silo_jdk)"
java="$jdk/bin/java"
command -v gcc >/dev/null || { echo "needs gcc for the C peers (apt-get install gcc)" >&2; exit 1; }
bench_build
gcc -O2 -o "$work/echo_server" "$bench_root/silo-bench/src/main/c/echo_server.c"
gcc -O2 -o "$work/echo_client" "$bench_root/silo-bench/src/main/c/echo_client.c"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/Hello.java"
"$jdk/bin/javac" -d "$work" "$work/Hello.java"
"$silo" --version >/dev/null   # builds the jar if the sources changed, and the start-up caches,
"$silo" put --help >/dev/null  # outside the figures (docs/architecture.md, "The launcher")
benchjar="$bench_root/silo-bench/target/silo-bench.jar"
bench="$java --enable-native-access=ALL-UNNAMED -cp $benchjar"

# ports of this script only (other bench scripts use 7450-7470)
wire_port=7490 nbd_port=7491 bh_port=7492 nbdkit_port=7493 nbdserver_port=7494 qemu_port=7495
echo_port=7496 bh_echo_port=7497
silo_server_start "$work/data" $wire_port "$work/server.log" nbd.port=$nbd_port blockhead.port=$bh_port
export SILO_SERVER=127.0.0.1:$wire_port

rows="$work/rows"       # KEY <tab> LABEL <tab> UNIT <tab> SILO COMMAND <tab> PEER COMMAND, in table order
results="$work/results" # KEY ROUND silo|peer VALUE   (round 0: cold)
: >"$rows"; : >"$results"
notes=()
# row KEY LABEL UNIT SILO-CMD PEER-CMD; UNIT "s" is a time (lower is better), anything else a rate
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }
shown() { echo "${1//$work/\$W}"; }   # a command as printed: the temporary directory as $W

# measure KEY ROUND SIDE PARSE CMD: runs CMD (a command line, through eval) and records its figure:
#   PARSE fio-read|fio-write: IOPS from fio's terse output; cps: "callsPerSecond" of a JSON line;
#   ops: "ops/s=" of BlockheadLoad; mbps:BYTES: BYTES over the wall clock; secs: the wall clock.
# A command that fails is recorded as failed, its output shown, and the run goes on.
measure() {
  local key="$1" round="$2" side="$3" parse="$4" cmd="$5" t0 t1 ms v=""
  t0=$(date +%s%N)
  if ! eval "$cmd" >"$work/out" 2>&1; then
    echo "  FAILED ($key $side, round $round): $(shown "$cmd")" >&2; tail -n 20 "$work/out" >&2
    echo "$key $round $side fail" >>"$results"; return 0
  fi
  t1=$(date +%s%N); ms=$(( (t1 - t0) / 1000000 ))
  case "$parse" in
    fio-read) v=$(grep '^3;' "$work/out" | cut -d';' -f8) ;;
    fio-write) v=$(grep '^3;' "$work/out" | cut -d';' -f49) ;;
    cps) v=$(sed -n 's/.*"callsPerSecond":\([0-9.]*\).*/\1/p' "$work/out" | tail -n1) ;;
    ops) v=$(sed -n 's/.*ops\/s=\([0-9.]*\).*/\1/p' "$work/out" | tail -n1) ;;
    mbps:*) v=$(awk -v b="${parse#mbps:}" -v ms="$ms" 'BEGIN { printf "%.1f", b / 1e6 / (ms / 1000) }') ;;
    secs) v=$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }') ;;
  esac
  [[ -n "$v" ]] || { echo "  no figure in the output of $(shown "$cmd"):" >&2; tail -n 5 "$work/out" >&2; v=fail; }
  echo "$key $round $side $v" >>"$results"
  printf '  %-26s round %d  %-4s %s\n' "$key" "$round" "$side" "$v"
}

machine_line "$jdk"
echo "# $rounds warm round(s) after a cold one$( ((quick)) && echo ', --quick: tiny sizes, not figures'); W=$work"

# ---- 1. NBD: fio against Silo and each peer, the same file ----------------------------------------
image="$work/data/images/bench"
"$silo" disk create bench --size "${image_mib}M" >/dev/null
dd if=/dev/urandom of="$image" bs=1M count="$image_mib" conv=notrunc,fsync status=none
declare -A nbd_uri=([silo]="nbd://127.0.0.1:$nbd_port/bench")
peers=()
if ! command -v fio >/dev/null; then
  notes+=("NBD rows skipped: fio is missing (apt-get install fio)")
else
  if command -v nbdkit >/dev/null; then
    nbdkit -f -i 127.0.0.1 -p $nbdkit_port file file="$image" >"$work/nbdkit.log" 2>&1 &
    peer_pids+=($!)
    if wait_tcp $nbdkit_port; then peers+=(nbdkit); nbd_uri[nbdkit]="nbd://127.0.0.1:$nbdkit_port/bench"
    else notes+=("nbdkit skipped: it did not start"); fi
  else notes+=("nbdkit skipped: not installed (apt-get install nbdkit)"); fi
  if command -v nbd-server >/dev/null; then
    printf '[generic]\n  port = %s\n  listenaddr = 127.0.0.1\n[bench]\n  exportname = %s\n' \
      $nbdserver_port "$image" >"$work/nbd-server.conf"
    # it forks into the background (its -d would serve one client only): its pid from its pid file
    nbd-server -C "$work/nbd-server.conf" -p "$work/nbd-server.pid" >"$work/nbd-server.log" 2>&1 || true
    if wait_tcp $nbdserver_port && [[ -s "$work/nbd-server.pid" ]]; then
      peer_pids+=("$(cat "$work/nbd-server.pid")")
      peers+=(nbd-server); nbd_uri[nbd-server]="nbd://127.0.0.1:$nbdserver_port/bench"
    else notes+=("nbd-server skipped: it did not start ($(head -c 200 "$work/nbd-server.log"))"); fi
  else notes+=("nbd-server skipped: not installed (apt-get install nbd-server)"); fi
  if command -v qemu-nbd >/dev/null; then
    qemu-nbd -f raw -x bench -b 127.0.0.1 -p $qemu_port -t "$image" >"$work/qemu-nbd.log" 2>&1 &
    peer_pids+=($!)
    if wait_tcp $qemu_port; then peers+=(qemu-nbd); nbd_uri[qemu-nbd]="nbd://127.0.0.1:$qemu_port/bench"
    else notes+=("qemu-nbd skipped: it did not start"); fi
  else notes+=("qemu-nbd skipped: not installed (apt-get install qemu-utils)"); fi
fi
fio_cmd() { # URI RW
  echo "fio --name=t --ioengine=nbd --uri=$1 --rw=$2 --bs=4k --iodepth=32 --time_based --runtime=$fio_runtime --ramp_time=$fio_ramp --output-format=terse --terse-version=3"
}
for rw in randread randwrite; do
  for p in "${peers[@]}"; do
    row "nbd-$rw-$p" "NBD 4k $rw QD32 vs $p" IOPS "$(fio_cmd "${nbd_uri[silo]}" $rw)" "$(fio_cmd "${nbd_uri[$p]}" $rw)"
  done
done
if (( ${#peers[@]} )); then
  echo "## 1. NBD, ${image_mib} MiB image, ${fio_runtime} s per run"
  for r in $(seq 0 "$rounds"); do
    for rw in randread randwrite; do
      for p in "${peers[@]}"; do
        measure "nbd-$rw-$p" "$r" peer "fio-${rw#rand}" "$(fio_cmd "${nbd_uri[$p]}" $rw)"
        measure "nbd-$rw-$p" "$r" silo "fio-${rw#rand}" "$(fio_cmd "${nbd_uri[silo]}" $rw)"
      done
    done
  done
fi
for p in "${peer_pids[@]}"; do kill "$p" 2>/dev/null || true; done   # idle peers off for the rest
peer_pids=()

# ---- 2. put and get of one big file from the shell, against dd on the same disk -------------------
echo "## 2. put and get of $big"
head -c "$big" /dev/urandom >"$work/big"
bytes=$(stat -c %s "$work/big")
mkdir -p "$work/back"
"$silo" mkdir /bench >/dev/null
dd_cmd="dd if=$work/big of=$work/dd.out bs=1M conv=fsync"
put_cmd() { echo "$silo put $work/big /bench/big$1 --no-progress"; }
get_cmd() { echo "$silo get /bench/big$1 $work/back/big --no-progress"; }
row put "bin/silo put $big vs dd" MB/s "$(put_cmd N)" "$dd_cmd"
row get "bin/silo get $big vs dd" MB/s "$(get_cmd N)" "$dd_cmd"
for r in $(seq 0 "$rounds"); do
  rm -f "$work/dd.out"; sync
  measure put "$r" peer "mbps:$bytes" "$dd_cmd"
  sync
  measure put "$r" silo "mbps:$bytes" "$(put_cmd "$r")"
  rm -f "$work/dd.out"; sync
  measure get "$r" peer "mbps:$bytes" "$dd_cmd"
  sync
  measure get "$r" silo "mbps:$bytes" "$(get_cmd "$r")"
  if [[ -f "$work/back/big" ]] && ! cmp -s "$work/big" "$work/back/big"; then
    echo "  get gave other bytes than were put (round $r)" >&2; sed -i "s/^get $r silo .*/get $r silo fail/" "$results"
  fi
  rm -f "$work/back/big" "$work/dd.out"
  "$silo" rm "/bench/big$r" >/dev/null 2>&1 || true
done

# ---- 3. the message layer: PING against the C echo ------------------------------------------------
echo "## 3. message layer, ${wire_seconds} s per load run; ping --count $ping_count"
"$work/echo_server" $echo_port >/dev/null 2>&1 &
peer_pids+=($!)
for w in 64 1; do
  row "wire-w$w" "PING window $w (Java client) vs C echo" calls/s \
    "$bench org.silo.bench.wire.WireLoad 127.0.0.1:$wire_port $w $wire_seconds 32" \
    "$bench org.silo.bench.wire.EchoLoad 127.0.0.1:$echo_port $w $wire_seconds 66"
done
ping_silo="$silo ping --count $ping_count --window 64 --json"
ping_peer="$work/echo_client 127.0.0.1 $echo_port $ping_count 64 66"
row ping "bin/silo ping --window 64 vs C client + echo" calls/s "$ping_silo" "$ping_peer"
for r in $(seq 0 "$rounds"); do
  for w in 64 1; do
    measure "wire-w$w" "$r" peer cps "$bench org.silo.bench.wire.EchoLoad 127.0.0.1:$echo_port $w $wire_seconds 66"
    measure "wire-w$w" "$r" silo cps "$bench org.silo.bench.wire.WireLoad 127.0.0.1:$wire_port $w $wire_seconds 32"
  done
  measure ping "$r" peer cps "$ping_peer"
  measure ping "$r" silo cps "$ping_silo"
done

# ---- 4. Blockhead 512-byte READ, window 16, against the C echo answering 516 bytes ----------------
echo "## 4. Blockhead READ, ${bh_seconds} s per run"
"$work/echo_server" $bh_echo_port 516 >/dev/null 2>&1 &
peer_pids+=($!)
bh_silo="$bench org.silo.bench.block.BlockheadLoad 127.0.0.1 $bh_port read $bh_seconds bench"
bh_peer="$bench org.silo.bench.block.BlockheadLoad 127.0.0.1 $bh_echo_port read $bh_seconds --raw"
row blockhead "Blockhead 512 B READ window 16 vs C echo" ops/s "$bh_silo" "$bh_peer"
for r in $(seq 0 "$rounds"); do
  measure blockhead "$r" peer ops "$bh_peer"
  measure blockhead "$r" silo ops "$bh_silo"
done
for p in "${peer_pids[@]}"; do kill "$p" 2>/dev/null || true; done
peer_pids=()

# ---- 5. the CLI's start, against a JVM that prints hello ------------------------------------------
echo "## 5. CLI start, the median of $start_runs run(s) per round"
hello="$java -cp $work Hello"
row version "bin/silo --version vs java Hello" s "$silo --version" "$hello"
row ls "bin/silo ls / vs java Hello" s "$silo ls /" "$hello"
for r in $(seq 0 "$rounds"); do
  : >"$work/t.hello"; : >"$work/t.version"; : >"$work/t.ls"
  for i in $(seq "$start_runs"); do
    wall_ms $hello >>"$work/t.hello" || true
    wall_ms "$silo" --version >>"$work/t.version" || echo fail >>"$work/t.version"
    wall_ms "$silo" ls / >>"$work/t.ls" || echo fail >>"$work/t.ls"
  done
  for k in version ls; do
    for side in peer silo; do
      f="$work/t.$k"; [[ $side == peer ]] && f="$work/t.hello"
      if grep -q fail "$f"; then v=fail; else v=$(median <"$f" | awk '{ printf "%.3f", $1 / 1000 }'); fi
      echo "$k $r $side $v" >>"$results"
      printf '  %-26s round %d  %-4s %s\n' "$k" "$r" "$side" "$v"
    done
  done
done

# ---- the table ------------------------------------------------------------------------------------
echo
echo "## Silo / peer (as speeds: above 1 Silo is faster), median of $rounds warm round(s) (min-max), and the cold first pair"
awk -F'\t' -v rounds="$rounds" '
  function num(x) { return x ~ /^[0-9.]+$/ && x + 0 > 0 }
  function med(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function fmt(v, unit) { return unit == "s" ? sprintf("%.3f s", v) : (v >= 1000 ? sprintf("%.0f", v) : sprintf("%.1f", v)) }
  FILENAME == ARGV[1] { split($0, f, " "); val[f[1], f[2], f[3]] = f[4]; next }
  {
    key = $1; unit = $3; n = 0; ns = 0; np = 0
    for (r = 1; r <= rounds; r++) {
      s = val[key, r, "silo"]; p = val[key, r, "peer"]
      if (num(s)) S[++ns] = s
      if (num(p)) P[++np] = p
      if (num(s) && num(p)) R[++n] = unit == "s" ? p / s : s / p
    }
    ratio = "failed"
    if (n) { lo = hi = R[1]; for (i = 2; i <= n; i++) { if (R[i] < lo) lo = R[i]; if (R[i] > hi) hi = R[i] }
             ratio = sprintf("%.2f (%.2f-%.2f)", med(R, n), lo, hi) }
    s0 = val[key, 0, "silo"]; p0 = val[key, 0, "peer"]
    cold = num(s0) && num(p0) ? sprintf("%.2f", unit == "s" ? p0 / s0 : s0 / p0) : "failed"
    printf "| %-44s | %12s | %12s | %-7s | %-18s | %6s |\n", $2, ns ? fmt(med(S, ns), unit) : "-", np ? fmt(med(P, np), unit) : "-", unit, ratio, cold
  }
  BEGIN {
    printf "| %-44s | %12s | %12s | %-7s | %-18s | %6s |\n", "row", "silo", "peer", "unit", "silo/peer", "cold"
    printf "|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------------", "-------------:", "-------------:", "---------", "--------------------", "-------:"
  }' "$results" "$rows"
for n in "${notes[@]}"; do echo "# $n"; done

echo
echo "## Commands (W: the temporary directory, removed at the end; N: the round)"
while IFS=$'\t' read -r key label unit scmd pcmd; do
  echo "$label"
  echo "  silo: $(shown "$scmd")"
  echo "  peer: $(shown "$pcmd")"
done <"$rows"
echo "# image and peers: silo disk create bench --size ${image_mib}M, then ${image_mib} MiB of random bytes into \$W/data/images/bench;"
echo "#   nbdkit -f -i 127.0.0.1 -p $nbdkit_port file file=\$W/data/images/bench"
echo "#   nbd-server -C \$W/nbd-server.conf  ([generic] port = $nbdserver_port, listenaddr = 127.0.0.1; [bench] exportname = \$W/data/images/bench)"
echo "#   qemu-nbd -f raw -x bench -b 127.0.0.1 -p $qemu_port -t \$W/data/images/bench"
echo "#   \$W/echo_server $echo_port (and $bh_echo_port 516): silo-bench/src/main/c/echo_server.c; \$W/echo_client: echo_client.c"
echo "# server: bin/silo server --data \$W/data --set wire.port=$wire_port --set nbd.port=$nbd_port --set blockhead.port=$bh_port (control, console off)"
echo "# took $(( $(date +%s) - started )) s"
