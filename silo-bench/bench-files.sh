#!/usr/bin/env bash
# The file access service next to nginx, in the same run (docs/benchmarks.md, "File access service"):
# 4 KiB files read by open+read+close with 16 clients (silo: FilesLoad; nginx: wrk with 16 connections),
# then a 1 GiB file read by oob-xfer (silo: FilesLoad oob; nginx: curl).
# Usage: silo-bench/bench-files.sh [SECONDS] [ROUNDS]   (SKIP_BUILD=1 to use the jars as built;
#        LOOKUP=0 to run the server with files.lookup-cache=0, the catalog asked at every open)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$bench_root"
seconds="${1:-10}"
rounds="${2:-2}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
for tool in nginx wrk curl; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install nginx wrk curl)" >&2; exit 1; }
done

java_home="$(silo_jdk)"
java="$java_home/bin/java"
bench_build

silo_port=7460 www_port=7461
silo_server_start "$work/data" $silo_port "$work/server.log" files.lookup-cache="${LOOKUP:-1s}"

chmod 755 "$work"   # nginx's workers (user nobody) read the files
mkdir -p "$work/www" "$work/nginx"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$www_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf"

bench="$java -cp $root/silo-bench/target/silo-bench.jar"
count=1000
"$root/bin/silo" mkdir /bench --server 127.0.0.1:$silo_port
$bench org.silo.bench.files.FilesLoad setup 127.0.0.1:$silo_port $count 4096 "$work/www"
cat >"$work/random.lua" <<LUA
math.randomseed(os.time())
request = function() return wrk.format("GET", "/f" .. math.random(0, $count - 1)) end
LUA

echo "# $(date -u '+%F %H:%M') $(nproc) cores, $(uname -r), $($java -version 2>&1 | head -n1), $(nginx -v 2>&1)"
echo "## 4 KiB files, 16 clients, ${seconds} s each (files.lookup-cache=${LOOKUP:-1s})"
for r in $(seq "$rounds"); do
  $bench org.silo.bench.files.FilesLoad small 127.0.0.1:$silo_port 16 "$seconds" $count
  wrk -t2 -c16 -d"${seconds}s" --latency -s "$work/random.lua" http://127.0.0.1:$www_port/ \
    | grep -E "^ +50%|^ +99%|Requests/sec|requests in" | tr -s ' ' | paste -sd ' ' | sed 's/^/nginx+wrk: /'
done

echo "## 1 GiB by oob-xfer"
head -c 1G /dev/urandom >"$work/www/big"
"$root/bin/silo" file cp "file:$work/www/big" /bench/big --server 127.0.0.1:$silo_port
for r in $(seq 3); do
  $bench org.silo.bench.files.FilesLoad oob 127.0.0.1:$silo_port /bench/big 1
  curl -s -o /dev/null -w 'nginx+curl: {"bytes":%{size_download},"seconds":%{time_total},"MBps":%{speed_download}}\n' \
    http://127.0.0.1:$www_port/big | awk -F'"MBps":' '{split($2,a,"}"); printf "%s\"MBps\":%.0f}\n", $1, a[1]/1e6}'
done
