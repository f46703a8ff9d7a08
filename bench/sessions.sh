#!/bin/sh
# Session start + environment retrieval over HTTP (20 tools, 5 endpoints), SQLite and PostgreSQL.
# Usage: bench/sessions.sh [iterations] [warmup]   (results also in target/bench/sessions-*.txt)
set -eu
cd "$(dirname "$0")/.."
./mvnw -q -B test -Dtest=SessionStartBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.iterations="${1:-1000}" -Dbench.warmup="${2:-200}" -DtrimStackTrace=false
cat target/bench/sessions-sqlite.txt target/bench/sessions-postgres.txt
