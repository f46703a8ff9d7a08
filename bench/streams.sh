#!/bin/sh
# Long streams: N concurrent SSE streams (default 2000), each lasting S seconds (default 30) with one
# event per second from a slow local upstream, through nginx and through Keyroom's proxy, one after
# the other in one run. For each proxy: peak resident memory above its idle size (sampled every
# second from /proc), CPU time used during the run, and both per stream; the streams completed.
# wrk holds the connections (-c N, --timeout past the stream's length).
# Usage: bench/streams.sh   (env: BENCH_STREAMS=2000 BENCH_SECONDS=30 BENCH_BASE_PORT=18280 BENCH_LOG_LEVEL=warn;
#                              BENCH_KEEP=1 keeps the work directory with Keyroom's log)
# Results: printed, and kept in target/bench/streams.txt (raw wrk output in target/bench/streams-*.wrk)
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_STREAMS:-2000}
S=${BENCH_SECONDS:-30}
BASE=${BENCH_BASE_PORT:-18280}
UP=$((BASE + 1)); NGX=$((BASE + 2)); KR=$((BASE + 3))
KEY="bench-real-key-0123456789abcdefghij"
if ! command -v wrk >/dev/null 2>&1 || ! command -v nginx >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null
fi
[ -f target/keyroom.jar ] || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
. ./.mvn/find-jdk.sh
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
up_pid=""; kr_pid=""; ngx_started=""
cleanup() {
  [ -n "$kr_pid" ] && kill "$kr_pid" 2>/dev/null && wait "$kr_pid" 2>/dev/null || true
  [ -n "$up_pid" ] && kill "$up_pid" 2>/dev/null || true
  [ -n "$ngx_started" ] && nginx -p "$work" -c "$work/nginx.conf" -s quit 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

# the slow upstream: every request gets S events, one a second, then the stream ends and the
# connection is closed, which the answer says (Connection: close): without it a client that keeps
# connections for reuse (Keyroom's does; nginx here opens one per request) would send later
# requests on connections this server has closed
cat > "$work/upstream.py" <<PY
import asyncio
async def serve(reader, writer):
    try:
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for i in range($S):
            await asyncio.sleep(1)
            last = i == $S - 1
            usage = ',"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":%d}' % (i + 1) if last else ""
            data = ('data: {"candidates":[{"content":{"parts":[{"text":"x"}]}}]%s}\n\n' % usage).encode()
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", $UP, backlog=4096)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
python3 "$work/upstream.py" & up_pid=$!

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  server {
    listen 127.0.0.1:$NGX backlog=4096;
    location /proxy/gemini/ {
      proxy_pass http://127.0.0.1:$UP/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header x-goog-api-key "$KEY";
      proxy_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf"
ngx_started=1

KEYROOM_DATA_DIR="$work/keyroom" KEYROOM_PORT=$KR KEYROOM_LOG_LEVEL=${BENCH_LOG_LEVEL:-warn} KEYROOM_UPSTREAM_GEMINI="http://127.0.0.1:$UP" \
KEYROOM_PROXY_MAX_CONCURRENT_PER_SESSION=$((N + 300)) KEYROOM_PROXY_MAX_CONCURRENT_PER_TENANT=$((N + 300)) \
  "$JAVA_HOME/bin/java" ${KEYROOM_JAVA_OPTS:--Xmx512m} -jar target/keyroom.jar serve > "$work/serve.out" 2> "$work/serve.err" &
kr_pid=$!
i=0
until curl -fsS "http://127.0.0.1:$KR/health" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 120 ] && { echo "keyroom did not start"; cat "$work/serve.err"; exit 1; }
  sleep 0.5
done
admin=$(grep -o 'kr_u_[A-Za-z0-9_-]*' "$work/serve.out" | head -1)
api() { curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' "$@"; }
secret=$(api -X POST "http://127.0.0.1:$KR/api/v1/secrets" -d "{\"kind\":\"gemini\",\"name\":\"bench\",\"value\":\"$KEY\"}" \
  | grep -o '"id":"cred_[a-z0-9]*"' | head -1 | cut -d'"' -f4)
room=$(api -X POST "http://127.0.0.1:$KR/api/v1/workrooms" -d "{\"name\":\"bench\",\"tools\":[{\"kind\":\"gemini\",\"secretId\":\"$secret\"}]}" \
  | grep -o '"id":"[a-z]*_[a-z0-9]*"' | head -1 | cut -d'"' -f4)
me=$(api "http://127.0.0.1:$KR/api/v1/me" | grep -o '"user":{"id":"[^"]*"' | cut -d'"' -f6)
api -X POST "http://127.0.0.1:$KR/api/v1/workrooms/$room/members" -d "{\"userId\":\"$me\"}" > /dev/null
started=$(api -X POST "http://127.0.0.1:$KR/api/v1/workrooms/$room/sessions")
session=$(echo "$started" | grep -o '"id":"[a-z]*_[a-z0-9]*"' | head -1 | cut -d'"' -f4)
stoken=$(echo "$started" | grep -o 'kr_sess_[A-Za-z0-9_-]*' | head -1)
ph=$(curl -fsS -H "Authorization: Bearer $stoken" "http://127.0.0.1:$KR/api/v1/sessions/$session/environment?format=dotenv" \
  | grep -o 'kr_ph_gemini_[A-Za-z0-9_-]*' | head -1)
[ -n "$ph" ] || { echo "could not obtain a placeholder"; exit 1; }
# warm-up: a few hundred short-lived streams through Keyroom (JIT, thread and buffer pools)
wrk -t2 -c200 -d$((S + 5))s --timeout $((S + 30))s -H "x-goog-api-key: $ph" \
  "http://127.0.0.1:$KR/proxy/gemini/v1beta/models/m:streamGenerateContent" > /dev/null 2>&1 || true

nginx_pid=$(pgrep -f "nginx: worker process" | head -1)
ticks=$(getconf CLK_TCK)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
mkdir -p target/bench
out=target/bench/streams.txt
: > "$out"
measure() { # name pid url
  base_rss=$(rss "$2"); base_cpu=$(cpu "$2"); peak=$base_rss
  wrk -t2 -c"$N" -d$((S + 2))s --timeout $((S + 30))s -H "x-goog-api-key: $ph" "$3" > "target/bench/streams-$1.wrk" 2>&1 &
  w=$!
  while kill -0 $w 2>/dev/null; do
    r=$(rss "$2"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 1
  done
  wait $w || true
  used=$(( $(cpu "$2") - base_cpu ))
  done_streams=$(awk '/requests in/ {print $1}' "target/bench/streams-$1.wrk")
  errors=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' "target/bench/streams-$1.wrk")
  awk -v n="$N" -v s="$S" -v name="$1" -v base="$base_rss" -v peak="$peak" -v used="$used" -v ticks="$ticks" -v done="$done_streams" -v errs="$errors" 'BEGIN {
    cpu = used / ticks;
    printf "%-8s idle RSS %7.1f MB  peak %7.1f MB  +%6.1f MB = %6.1f KB per stream  CPU %6.2f s = %6.3f ms per stream-second  streams completed %s %s\n",
      name, base / 1024, peak / 1024, (peak - base) / 1024, (peak - base) / n, cpu, cpu * 1000 / (n * s), done, errs
  }' | tee -a "$out"
}
echo "$N concurrent streams, $S s each, one event a second; $(nproc) cores, $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), nginx $(nginx -v 2>&1 | cut -d/ -f2), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)" | tee -a "$out"
measure nginx "$nginx_pid" "http://127.0.0.1:$NGX/proxy/gemini/v1beta/models/m:streamGenerateContent"
measure keyroom "$kr_pid" "http://127.0.0.1:$KR/proxy/gemini/v1beta/models/m:streamGenerateContent"
echo "keyroom JVM options: ${KEYROOM_JAVA_OPTS:--Xmx512m}; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
