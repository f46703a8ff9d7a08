#!/bin/sh
# CLI start-up benchmark with hyperfine: `keyroom git-credential get` (git's request on stdin, a live
# session against a running `keyroom serve`), `keyroom --help`, `keyroom whoami` and
# `keyroom secrets list`, side by side with a hello-world JVM on the same JDK and `git --version`.
# Usage: bench/cli.sh [CHECKOUT]   the checkout whose ./keyroom is measured (default: this one)
#   env: BENCH_RUNS=30 BENCH_WARMUP=5 BENCH_PORT=18290 BENCH_NAME=cli
# Results: printed, and kept in target/bench/$BENCH_NAME.txt (with the load average before and
# after), .md and .json (hyperfine's exports).
set -eu
cd "$(dirname "$0")/.."
out_dir=$(pwd)/target/bench
checkout=$(cd "${1:-.}" && pwd)
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-5}
port=${BENCH_PORT:-18290}
name=${BENCH_NAME:-cli}
command -v hyperfine >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
. ./.mvn/find-jdk.sh

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

k="$checkout/keyroom"
"$k" --version > /dev/null   # builds the jar (and the start-up cache) before anything is measured
KEYROOM_DATA_DIR="$work/data" KEYROOM_PORT=$port KEYROOM_LOG_LEVEL=warn "$k" serve > "$work/serve.out" 2> "$work/serve.err" &
server=$!
url="http://127.0.0.1:$port"
i=0
until curl -fsS "$url/health" > /dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 240 ] && { echo "keyroom serve did not start"; cat "$work/serve.err"; exit 1; }
  sleep 0.5
done
admin=$(grep -o 'kr_u_[A-Za-z0-9_-]*' "$work/serve.out" | head -1)
api() { curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' "$@"; }
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
me=$(api "$url/api/v1/me" | grep -o '"user":{"id":"[^"]*"' | cut -d'"' -f6)
api -X POST "$url/api/v1/me/integrations" \
  -d '{"kind":"git-token","name":"bench","value":"ghp_benchNotARealToken0123456789","hosts":["github.com"]}' > /dev/null
room=$(api -X POST "$url/api/v1/workrooms" -d '{"name":"bench","tools":[{"kind":"git-token"}]}' | field id)
api -X POST "$url/api/v1/workrooms/$room/members" -d "{\"userId\":\"$me\"}" > /dev/null
started=$(api -X POST "$url/api/v1/workrooms/$room/sessions")
printf 'protocol=https\nhost=github.com\n\n' > "$work/git-request"
cat > "$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
"$JAVA_HOME/bin/javac" -d "$work" "$work/Hello.java"

# the environment `keyroom run` gives git (session) and a person's token for whoami and secrets
export KEYROOM_URL="$url" KEYROOM_SESSION_ID="$(echo "$started" | field id)"
export KEYROOM_SESSION_TOKEN="$(echo "$started" | field sessionToken)" KEYROOM_TOKEN="$admin"
export KEYROOM_CONFIG="$work/no-config.json"
[ "$("$k" git-credential get < "$work/git-request" | head -1)" = "username=x-access-token" ] \
  || { echo "git-credential did not answer"; exit 1; }

mkdir -p "$out_dir"
txt="$out_dir/$name.txt"
{
  echo "bench/cli.sh $checkout — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1),"
  echo "$(git --version), $(hyperfine --version); runs $runs, warm-up $warmup"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$txt"
hyperfine --style basic -w "$warmup" -r "$runs" --export-json "$out_dir/$name.json" --export-markdown "$out_dir/$name.md" \
  -n 'git --version' 'git --version' \
  -n 'java Hello (same JDK, client flags)' "$JAVA_HOME/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -cp $work Hello" \
  -n 'keyroom git-credential get' "$k git-credential get < $work/git-request" \
  -n 'keyroom --help' "$k --help" \
  -n 'keyroom whoami' "$k whoami" \
  -n 'keyroom secrets list' "$k secrets list" 2>&1 | tee -a "$txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$txt"
