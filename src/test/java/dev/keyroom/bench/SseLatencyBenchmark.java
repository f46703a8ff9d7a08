package dev.keyroom.bench;

import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long an SSE event takes to cross the proxy: a local upstream (in this JVM) writes events at a
 * steady pace, each carrying {@code System.nanoTime()} at the moment it was written; a client (in
 * this JVM too, so the clocks are one) reads them off a raw socket and records the difference, for
 * the upstream directly, through nginx ({@code proxy_buffering off}, when {@code bench.nginx} names
 * its port, see bench/sse.sh) and through Keyroom's proxy, in one run. Keyroom's added latency per
 * event is its figure minus the direct one. Not part of the test suite (surefire excludes bench/);
 * results go to stdout and target/bench/sse.txt.
 */
class SseLatencyBenchmark {
  @TempDir Path dir;

  @Test
  void eventsCrossTheProxyAsTheyArrive() throws Exception {
    int events = Integer.getInteger("bench.events", 2000);
    int intervalMs = Integer.getInteger("bench.intervalMs", 5);
    int warmup = Integer.getInteger("bench.warmupStreams", 3);
    int upstreamPort = Integer.getInteger("bench.upstreamPort", 0);
    String nginx = System.getProperty("bench.nginx", "");
    try (Upstream up = new Upstream(upstreamPort, events, intervalMs)) {
      try (TestKeyroom k =
          TestKeyroom.start(
              TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
                  .withUpstream("gemini", "http://127.0.0.1:" + up.port()),
              UnaryOperator.identity())) {
        Tenancy.Founded t = k.tenant("bench");
        CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
        CredentialId key =
            new CredentialId(
                k.keyroom
                    .vault()
                    .create(
                        scope,
                        "gemini",
                        "bench",
                        SecretValue.ofUtf8("bench-real-key-0123456789abcdefghij"),
                        "bench")
                    .id());
        Workroom w =
            k.keyroom
                .workrooms()
                .create(t.tenant().id(), "bench", List.of(new Workroom.Tool("gemini", key)), "b");
        k.addMember(t.tenant().id(), w.id(), t.admin().id());
        Sessions.Started s =
            k.keyroom
                .sessions()
                .start(t.tenant().id(), w.id(), t.admin().id(), StartedBy.SELF, "b");
        String placeholder =
            k.keyroom.sessions().placeholders(t.tenant().id(), s.session().id()).get("gemini");
        int keyroomPort = java.net.URI.create(k.url()).getPort();
        String path = "/v1beta/models/m:streamGenerateContent?alt=sse";

        Map<String, Target> targets = new java.util.LinkedHashMap<>();
        targets.put("direct", new Target(up.port(), path, null));
        if (!nginx.isBlank()) {
          targets.put("nginx", new Target(Integer.parseInt(nginx), "/proxy/gemini" + path, null));
        }
        targets.put("keyroom", new Target(keyroomPort, "/proxy/gemini" + path, placeholder));
        for (int i = 0; i < warmup; i++) {
          for (Target target : targets.values()) {
            read(target); // JIT and connections, not measured
          }
        }
        StringBuilder report = new StringBuilder();
        report.append(
            String.format(
                "SSE event latency, upstream write to client read (same JVM clock): %d events per"
                    + " stream, one every %d ms, %d warm-up streams per path; %d cores, load"
                    + " average %.1f%n",
                events,
                intervalMs,
                warmup,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage()));
        for (Map.Entry<String, Target> e : targets.entrySet()) {
          long[] lat = read(e.getValue());
          Arrays.sort(lat);
          report.append(
              String.format(
                  "  %-8s p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  max %7.3f ms"
                      + "  (%d events)%n",
                  e.getKey(),
                  q(lat, 0.50),
                  q(lat, 0.90),
                  q(lat, 0.99),
                  q(lat, 0.999),
                  lat[lat.length - 1] / 1e6,
                  lat.length));
        }
        System.out.print(report);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("sse.txt"), report.toString());
      }
    }
  }

  record Target(int port, String path, String placeholder) {}

  /** One stream read to its end: the latency of each event, in nanoseconds. */
  private static long[] read(Target target) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), target.port())) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(30_000);
      OutputStream o = s.getOutputStream();
      o.write(
          ("GET "
                  + target.path()
                  + " HTTP/1.1\r\nHost: 127.0.0.1:"
                  + target.port()
                  + "\r\nAccept: text/event-stream\r\n"
                  + (target.placeholder() == null
                      ? ""
                      : "x-goog-api-key: " + target.placeholder() + "\r\n")
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      o.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      List<Long> latencies = new ArrayList<>();
      String line;
      String status = in.readLine();
      if (status == null || !status.contains(" 200 ")) {
        throw new IllegalStateException(target + " answered " + status);
      }
      while ((line = in.readLine()) != null) {
        int at = line.indexOf("\"t\":");
        if (line.startsWith("data: ") && at > 0) {
          long now = System.nanoTime();
          int end = line.indexOf('}', at);
          latencies.add(now - Long.parseLong(line.substring(at + 4, end)));
          if (line.contains("\"last\":true")) {
            break;
          }
        }
      }
      return latencies.stream().mapToLong(Long::longValue).toArray();
    }
  }

  private static double q(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  /**
   * A provider's streaming endpoint: answers every request with {@code events} SSE events in
   * chunked encoding, one every {@code intervalMs}, each stamped with {@code System.nanoTime()}
   * just before it is written; the last also carries Gemini-shaped usage.
   */
  static final class Upstream implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    Upstream(int port, int events, int intervalMs) throws IOException {
      server = new ServerSocket(port, 128, InetAddress.getLoopbackAddress());
      acceptor =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (!server.isClosed()) {
                      try {
                        Socket c = server.accept();
                        Thread.ofPlatform().daemon().start(() -> serve(c, events, intervalMs));
                      } catch (IOException e) {
                        return;
                      }
                    }
                  });
    }

    int port() {
      return server.getLocalPort();
    }

    private static void serve(Socket c, int events, int intervalMs) {
      try (c) {
        c.setTcpNoDelay(true);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          // the request's head; the body is empty
        }
        OutputStream o = c.getOutputStream();
        o.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        o.flush();
        long next = System.nanoTime();
        for (int i = 0; i < events; i++) {
          next += TimeUnit.MILLISECONDS.toNanos(intervalMs);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          boolean last = i == events - 1;
          String event =
              "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]}}],"
                  + (last
                      ? "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":"
                          + events
                          + "},\"last\":true,"
                      : "")
                  + "\"t\":"
                  + System.nanoTime()
                  + "}\n\n";
          byte[] b = event.getBytes(StandardCharsets.UTF_8);
          o.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          o.write(b);
          o.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          o.flush();
        }
        o.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        o.flush();
      } catch (IOException | InterruptedException e) {
        // the client went away
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
