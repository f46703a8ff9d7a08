package dev.keyroom.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.testing.TestUsage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage per hour or day, and the same rows as a CSV download that no spreadsheet runs. */
class UsageOverTimeAndCsvTest {
  @TempDir Path dir;

  static UsageRecord use(TenantId t, String at, String model) {
    return TestUsage.record(
        t,
        Instant.parse(at).toEpochMilli(),
        "openai",
        "POST",
        "ok",
        new UsageUnits(1000L, 500L, 1500L, null, null, 200L, null, model));
  }

  @Test
  void rowsPerDayAndPerHour_andACsvOfTheSameRows() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId t = acme.tenant().id();
      String token = acme.adminToken().token();
      UsageRecorder usage = k.keyroom.usage();
      usage.record(use(t, "2026-12-02T10:15:00Z", "gpt-4o-mini-2024-07-18"));
      usage.record(use(t, "2026-12-02T10:45:00Z", "gpt-4o-mini-2024-07-18"));
      usage.record(use(t, "2026-12-02T11:05:00Z", "=HYPERLINK(\"http://x\")"));
      usage.record(use(t, "2026-12-03T09:00:00Z", "gpt-4o-mini-2024-07-18"));
      k.awaitUsageRows(t, 4);
      String window = "from=2026-12-02&to=2026-12-04";

      JsonNode days = json(k.get("/api/v1/usage?" + window + "&groupBy=model&interval=day", token));
      assertThat(days.get("interval").asText()).isEqualTo("day");
      JsonNode rows = days.get("rows");
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0).get("bucket").asText()).isEqualTo("2026-12-02T00:00:00Z");
      assertThat(rows.get(0).get("key").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
      assertThat(rows.get(0).get("requests").asLong()).isEqualTo(2);
      assertThat(rows.get(0).get("costNanoUsd").asLong()).isEqualTo(870_000L);
      assertThat(rows.get(1).get("bucket").asText()).isEqualTo("2026-12-02T00:00:00Z");
      assertThat(rows.get(1).get("unpricedRequests").asLong()).isEqualTo(1);
      assertThat(rows.get(2).get("bucket").asText()).isEqualTo("2026-12-03T00:00:00Z");

      JsonNode hours = json(k.get("/api/v1/usage?" + window + "&interval=hour", token));
      assertThat(hours.get("rows"))
          .extracting(r -> r.get("bucket").asText() + " " + r.get("requests").asLong())
          .containsExactly(
              "2026-12-02T10:00:00Z 2", "2026-12-02T11:00:00Z 1", "2026-12-03T09:00:00Z 1");
      assertThat(
              json(k.get("/api/v1/usage?" + window, token))
                  .get("rows")
                  .get(0)
                  .get("bucket")
                  .isNull())
          .isTrue();

      HttpResponse<String> csv =
          k.get("/api/v1/usage?" + window + "&groupBy=model&interval=day&format=csv", token);
      assertThat(csv.statusCode()).isEqualTo(200);
      assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
      assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
      String[] lines = csv.body().split("\r\n");
      assertThat(lines).hasSize(4);
      assertThat(lines[0])
          .startsWith("bucket,model,requests,errors,")
          .endsWith(",cost_usd,unpriced_requests");
      assertThat(lines[1])
          .isEqualTo(
              "2026-12-02T00:00:00Z,\"gpt-4o-mini-2024-07-18\",2,0,2000,400,0,1000,3000,0,0,20,40,0.000870000,0");
      // a model name an upstream chose is never a formula in a spreadsheet
      assertThat(lines[2]).startsWith("2026-12-02T00:00:00Z,\"'=HYPERLINK(\"\"http://x\"\")\",1,");
    }
  }

  @Test
  void aBadIntervalOrFormatOrTooManyBucketsIsRefusedNamingTheField() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      String token = acme.adminToken().token();
      for (String[] c :
          new String[][] {
            {"interval=week", "interval", "must be hour or day"},
            {"format=xml", "format", "must be json or csv"},
            {"interval=hour&from=2020-01-01&to=2026-01-01", "interval", "more than 2200 buckets"}
          }) {
        HttpResponse<String> r = k.get("/api/v1/usage?" + c[0], token);
        assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
        assertThat(r.body()).as(c[0]).contains(c[1] + ": ").contains(c[2]);
      }
    }
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }
}
