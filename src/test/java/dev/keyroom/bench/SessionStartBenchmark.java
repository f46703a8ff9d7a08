package dev.keyroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.testing.BenchWorkroom;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP benchmark: session start plus environment retrieval for a workroom with 20 tools and 5
 * endpoints, on SQLite and PostgreSQL, end to end over HTTP on loopback. Not part of the test suite
 * (surefire excludes bench/); run it with bench/sessions.sh. Results go to stdout and to
 * target/bench/sessions-<store>.txt.
 */
class SessionStartBenchmark {
  @TempDir Path dir;

  /**
   * The stores to measure: {@code -Dbench.stores=sqlite,postgres} (the default) or one of them.
   * Only those are run, none skipped; a name that is not a store fails the run.
   */
  static java.util.List<String> stores() {
    java.util.List<String> stores =
        Arrays.stream(System.getProperty("bench.stores", "sqlite,postgres").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    for (String s : stores) {
      if (!s.equals("sqlite") && !s.equals("postgres")) {
        throw new IllegalArgumentException(
            "bench.stores: '" + s + "' is not a store; use sqlite, postgres or both");
      }
    }
    if (stores.isEmpty()) {
      throw new IllegalArgumentException("bench.stores: name at least one store");
    }
    return stores;
  }

  @ParameterizedTest
  @MethodSource("stores")
  void sessionStartPlusEnvironment(String store) throws Exception {
    int warmup = Integer.getInteger("bench.warmup", 200);
    int iterations = Integer.getInteger("bench.iterations", 1000);
    try (TestKeyroom k =
        "postgres".equals(store) ? TestKeyroom.postgres(dir) : TestKeyroom.sqlite(dir)) {
      BenchWorkroom room = BenchWorkroom.create(k, "bench");
      String workroom = room.workroomId();
      String service = room.serviceToken();
      String startBody = room.startBody();
      long[] total = new long[iterations];
      long[] start = new long[iterations];
      long[] env = new long[iterations];
      int variables = 0;
      var os =
          (com.sun.management.OperatingSystemMXBean)
              java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpuStart = 0;
      long wallStart = 0;
      for (int i = -warmup; i < iterations; i++) {
        if (i == 0) {
          cpuStart = os.getProcessCpuTime();
          wallStart = System.nanoTime();
        }
        long t0 = System.nanoTime();
        JsonNode s =
            json(k.post("/api/v1/workrooms/" + workroom + "/sessions", service, startBody), 201);
        long t1 = System.nanoTime();
        JsonNode e =
            json(
                k.get(
                    "/api/v1/sessions/" + s.get("id").asText() + "/environment",
                    s.get("sessionToken").asText()),
                200);
        long t2 = System.nanoTime();
        if (i >= 0) {
          total[i] = t2 - t0;
          start[i] = t1 - t0;
          env[i] = t2 - t1;
          variables = e.get("variables").size();
        }
      }
      double cpuMs = (os.getProcessCpuTime() - cpuStart) / 1e6 / iterations;
      double wallS = (System.nanoTime() - wallStart) / 1e9;
      String report =
          String.format(
              "store=%s iterations=%d warmup=%d variables=%d load-average=%.1f cpus=%d%n%s%n%s%n%s%n"
                  + "  CPU per start+environment (whole JVM: HTTP client and server): %.2f ms; throughput %.0f/s on one client%n",
              store,
              iterations,
              warmup,
              variables,
              os.getSystemLoadAverage(),
              os.getAvailableProcessors(),
              line("start+environment", total),
              line("start", start),
              line("environment", env),
              cpuMs,
              iterations / wallS);
      System.out.print(report);
      Path out = Path.of("target", "bench");
      Files.createDirectories(out);
      Files.writeString(out.resolve("sessions-" + store + ".txt"), report);
    }
  }

  private static JsonNode json(HttpResponse<String> res, int status) throws IOException {
    if (res.statusCode() != status) {
      throw new IllegalStateException("HTTP " + res.statusCode() + ": " + res.body());
    }
    return Json.MAPPER.readTree(res.body());
  }

  private static String line(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return String.format(
        "  %-18s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  mean %6.2f ms",
        what,
        ms(s, 0.50),
        ms(s, 0.90),
        ms(s, 0.99),
        s[s.length - 1] / 1e6,
        Arrays.stream(s).average().orElse(0) / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
