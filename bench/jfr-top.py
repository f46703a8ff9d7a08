#!/usr/bin/env python3
"""Where the CPU went, from a JFR recording: the methods most often on top of the stack (self) and
the code most often anywhere on it (total), from jdk.ExecutionSample events.
Usage: bench/jfr-top.py RECORDING.jfr [N]   (needs the JDK's `jfr` tool: JAVA_HOME/bin or PATH)"""
import collections
import os
import re
import subprocess
import sys

recording = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
jfr = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jfr")
if not os.path.exists(jfr):
    jfr = "jfr"
text = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", recording],
                      check=True, capture_output=True, text=True).stdout
frame = re.compile(r"^\s{4}([\w$.<>]+)\(")
samples = []
current = None
for line in text.splitlines():
    if line.startswith("jdk.ExecutionSample"):
        current = []
        samples.append(current)
    elif current is not None:
        m = frame.match(line)
        if m:
            current.append(m.group(1))
n = len(samples)
selfs = collections.Counter(s[0] for s in samples if s)
# "total": each sample counts once per group of code it passes through
groups = {
    "proxy (dev.keyroom.proxy)": "dev.keyroom.proxy.",
    "usage metering (dev.keyroom.usage)": "dev.keyroom.usage.",
    "audit (dev.keyroom.audit)": "dev.keyroom.audit.",
    "Jetty client (upstream side)": "org.eclipse.jetty.client.",
    "Jetty server and I/O": "org.eclipse.jetty.server.",
    "Jetty servlet (ee10)": "org.eclipse.jetty.ee10.",
    "Javalin": "io.javalin.",
    "JDBC / SQLite": "org.sqlite.",
    "Jdbi": "org.jdbi.",
    "logging (logback, slf4j)": "ch.qos.logback.",
    "Tink (crypto)": "com.google.crypto.tink.",
    "JDK crypto (SHA, AES)": "sun.security.",
    "socket I/O (sun.nio.ch)": "sun.nio.ch.",
}
totals = collections.Counter()
for s in samples:
    for name, prefix in groups.items():
        if any(f.startswith(prefix) for f in s):
            totals[name] += 1
print(f"{n} execution samples in {recording}")
print(f"\nself (top of stack), top {top}:")
for f, c in selfs.most_common(top):
    print(f"  {100.0 * c / n:5.1f} %  {f}")
print("\ntotal (anywhere on the stack), by code:")
for name, c in totals.most_common():
    print(f"  {100.0 * c / n:5.1f} %  {name}")
