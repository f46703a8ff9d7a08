# Sourced by ./keyroom and ./mvnw: point JAVA_HOME at a JDK >= 21 and set $major to its feature
# version. Order: $JAVA_HOME if it is >= 21, then /usr/lib/jvm/temurin-25-jdk-amd64, then any
# /usr/lib/jvm/* that is >= 21. Fails with a clear message otherwise.
# The version comes from the JDK's `release` file (JAVA_VERSION="25.0.3"): no JVM is started just
# to learn it (that cost as much as the command itself); only a JDK without the file is asked.

# Sets $major to the feature version of the JDK at $1 (empty when it cannot be told), and $jdk_id
# to its path, runtime version and implementor (what ./keyroom's start-up cache is made for).
keyroom_java_major() {
  major=""
  jdk_id="$1"
  if [ -r "$1/release" ]; then
    while IFS= read -r keyroom_line || [ -n "$keyroom_line" ]; do
      case $keyroom_line in
        JAVA_VERSION=*)
          major=${keyroom_line#JAVA_VERSION=}
          major=${major#\"}
          major=${major%%[!0-9]*} ;;
        JAVA_RUNTIME_VERSION=*|IMPLEMENTOR=*)
          jdk_id="$jdk_id ${keyroom_line#*=}" ;;
      esac
    done < "$1/release"
  fi
  if [ -z "$major" ]; then
    major=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n1)
  fi
  case $major in
    1) major=8 ;; # "1.8.0_…": too old either way
  esac
}

# Uses $1 when it is a JDK >= 21.
keyroom_try_jdk() {
  keyroom_candidate="${1%/}"
  [ -n "$keyroom_candidate" ] && [ -x "$keyroom_candidate/bin/java" ] && [ -x "$keyroom_candidate/bin/javac" ] || return 1
  keyroom_java_major "$keyroom_candidate"
  if [ -n "$major" ] && [ "$major" -ge 21 ]; then
    JAVA_HOME="$keyroom_candidate"; export JAVA_HOME
    return 0
  fi
  return 1
}

keyroom_find_jdk() {
  keyroom_try_jdk "${JAVA_HOME:-}" && return 0
  keyroom_try_jdk /usr/lib/jvm/temurin-25-jdk-amd64 && return 0
  # (no glob: ./mvnw runs with set -f)
  for keyroom_jdk in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 2>/dev/null | sort -r); do
    keyroom_try_jdk "$keyroom_jdk" && return 0
  done
  echo "keyroom: no JDK 21 or newer found (looked at \$JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/temurin-25-jdk-amd64 and /usr/lib/jvm/*)." >&2
  echo "keyroom: install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it." >&2
  return 1
}
keyroom_find_jdk || exit 1
