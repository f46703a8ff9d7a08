#!/bin/sh
# SSE event latency through the proxy, side by side with the upstream directly and with nginx
# (proxy_buffering off), in one run: each event is stamped by a local upstream when written and
# timed when a raw-socket client reads it (one JVM, one clock). See SseLatencyBenchmark.
# Usage: bench/sse.sh   (env: BENCH_EVENTS=2000 BENCH_INTERVAL_MS=5 BENCH_BASE_PORT=18180)
# Results: printed, and kept in target/bench/sse.txt
set -eu
cd "$(dirname "$0")/.."
BASE=${BENCH_BASE_PORT:-18180}
UP=$((BASE + 1)); NGX=$((BASE + 2))
command -v nginx >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }
work=$(mktemp -d)
cleanup() {
  nginx -p "$work" -c "$work/nginx.conf" -s quit 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  server {
    listen 127.0.0.1:$NGX;
    location /proxy/gemini/ {
      proxy_pass http://127.0.0.1:$UP/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header x-goog-api-key "bench-real-key-0123456789abcdefghij";
      proxy_buffering off;
    }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf"
./mvnw -q -B test -Dtest=SseLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.upstreamPort="$UP" -Dbench.nginx="$NGX" \
  -Dbench.events="${BENCH_EVENTS:-2000}" -Dbench.intervalMs="${BENCH_INTERVAL_MS:-5}" -DtrimStackTrace=false
cat target/bench/sse.txt
