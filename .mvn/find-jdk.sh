# Sourced by ./keyroom and ./mvnw: point JAVA_HOME at a JDK >= 21.
# Order: $JAVA_HOME if it is >= 21, then /usr/lib/jvm/temurin-25-jdk-amd64,
# then any /usr/lib/jvm/* that is >= 21. Fails with a clear message otherwise.
keyroom_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n1
}
keyroom_find_jdk() {
  # (no glob: ./mvnw runs with set -f)
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 2>/dev/null | sort -r); do
    candidate="${candidate%/}"
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(keyroom_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      JAVA_HOME="$candidate"; export JAVA_HOME
      return 0
    fi
  done
  echo "keyroom: no JDK 21 or newer found (looked at \$JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/temurin-25-jdk-amd64 and /usr/lib/jvm/*)." >&2
  echo "keyroom: install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it." >&2
  return 1
}
keyroom_find_jdk || exit 1
