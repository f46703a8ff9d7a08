#!/bin/sh
# `keyroom serve` from start to healthy on a built jar: the time from running ./keyroom serve until
# GET /health answers 200 (polled every 5 ms), with hyperfine; a first start (empty data directory:
# store created, migrations, master key generated) and a restart (the same data directory), each
# with the launcher's start-up cache for serve (made once before anything is measured) and
# without it (KEYROOM_STARTUP_CACHE=off).
# Usage: bench/serve.sh   (env: BENCH_RUNS=10 BENCH_PORT=18390)
# Results: printed, and kept in target/bench/serve.txt and .md
set -eu
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-10}
port=${BENCH_PORT:-18390}
command -v hyperfine >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
. ./.mvn/find-jdk.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cat > "$work/start.sh" <<SH
#!/bin/sh
# one start: serve in the background, wait for /health, stop it; \$2 is KEYROOM_STARTUP_CACHE
KEYROOM_DATA_DIR="\$1" KEYROOM_PORT=$port KEYROOM_LOG_LEVEL=warn KEYROOM_STARTUP_CACHE="\$2" \
  "$(pwd)/keyroom" serve > /dev/null 2>&1 &
pid=\$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/health"; do
  kill -0 \$pid 2>/dev/null || exit 1
  sleep 0.005
done
kill \$pid
wait \$pid || true
SH
chmod +x "$work/start.sh"
"$work/start.sh" "$work/kept" auto   # builds the jar if needed, makes serve's cache, and the
                                     # restart's data directory
mkdir -p target/bench
hyperfine -N --runs "$runs" --warmup 1 \
  --prepare "rm -rf $work/fresh" \
  -n "first start (empty data directory)" "$work/start.sh $work/fresh auto" \
  -n "restart (existing data directory)" "$work/start.sh $work/kept auto" \
  -n "first start, no start-up cache" "$work/start.sh $work/fresh off" \
  -n "restart, no start-up cache" "$work/start.sh $work/kept off" \
  --export-markdown target/bench/serve.md | tee target/bench/serve.txt
echo "$(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a target/bench/serve.txt
