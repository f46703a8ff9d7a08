#!/bin/sh
# `keyroom serve` from start to healthy on a built jar: the time from starting the JVM until
# GET /health answers 200 (polled every 5 ms), with hyperfine; a first start (empty data directory:
# store created, migrations, master key generated) and a restart (the same data directory).
# Usage: bench/serve.sh   (env: BENCH_RUNS=10 BENCH_PORT=18390)
# Results: printed, and kept in target/bench/serve.txt and .md
set -eu
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-10}
port=${BENCH_PORT:-18390}
command -v hyperfine >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
[ -f target/keyroom.jar ] || ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package
. ./.mvn/find-jdk.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cat > "$work/start.sh" <<SH
#!/bin/sh
# one start: serve in the background, wait for /health, stop it
KEYROOM_DATA_DIR="\$1" KEYROOM_PORT=$port KEYROOM_LOG_LEVEL=warn \
  "$JAVA_HOME/bin/java" \${KEYROOM_JAVA_OPTS:-} -jar "$(pwd)/target/keyroom.jar" serve > /dev/null 2>&1 &
pid=\$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/health"; do
  kill -0 \$pid 2>/dev/null || exit 1
  sleep 0.005
done
kill \$pid
wait \$pid || true
SH
chmod +x "$work/start.sh"
"$work/start.sh" "$work/kept"   # the restart's data directory, created once
mkdir -p target/bench
hyperfine -N --runs "$runs" --warmup 1 \
  --prepare "rm -rf $work/fresh" \
  -n "first start (empty data directory)" "$work/start.sh $work/fresh" \
  -n "restart (existing data directory)" "$work/start.sh $work/kept" \
  --export-markdown target/bench/serve.md | tee target/bench/serve.txt
echo "$(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a target/bench/serve.txt
