package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.testing.TestUsage;
import dev.keyroom.usage.UsageUnits;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Usage page shows what calls cost, and counts unpriced calls apart, never as free. */
class UsagePageShowsCostTest {
  @TempDir Path dir;

  @Test
  void costPerGroupAndPerRequest_andUnpricedCallsCountedApart() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId t = acme.tenant().id();
      long now = System.currentTimeMillis();
      // 1000 prompt tokens (200 cached) and 500 output tokens of gpt-4o-mini: $0.000435 each
      UsageUnits priced =
          new UsageUnits(1000L, 500L, 1500L, null, null, 200L, null, "gpt-4o-mini-2024-07-18");
      UsageUnits unknown = new UsageUnits(10L, 5L, 15L, null, null, null, null, "gpt-unknown-1");
      for (UsageUnits u : List.of(priced, priced, unknown)) {
        k.keyroom.usage().record(TestUsage.record(t, now, "openai", "POST", "ok", u));
      }
      k.awaitUsageRows(t, 3);

      WebSession web = WebSession.admin(k, acme);
      String page = web.page("/usage?period=24h&by=provider", 200);
      String table = page.substring(page.indexOf("id=\"usage-table\""));
      assertThat(table).contains(">Cost<").contains("$0.000870").contains("+ 1 unpriced");
      assertThat(page).contains("3 requests").contains("$0.000870 and 1 unpriced");

      String byModel = web.page("/usage?period=24h&by=model&detail=gpt-unknown-1", 200);
      assertThat(byModel).contains("gpt-4o-mini-2024-07-18").contains("gpt-unknown-1");
      String requests = byModel.substring(byModel.indexOf("id=\"requests-table\""));
      assertThat(requests).contains("gpt-unknown-1 · unpriced");
      String priceDetail =
          web.page("/usage?period=24h&by=model&detail=gpt-4o-mini-2024-07-18", 200);
      assertThat(priceDetail.substring(priceDetail.indexOf("id=\"requests-table\"")))
          .contains("gpt-4o-mini-2024-07-18 · $0.000435");
    }
  }

  @Test
  void moneyIsShownToTheCentFromADollar_andNeverAsZeroWhenSomethingWasSpent() {
    assertThat(Display.usd(null)).isEqualTo("unpriced");
    assertThat(Display.usd(0L)).isEqualTo("$0.000000");
    assertThat(Display.usd(1L)).isEqualTo("< $0.000001");
    assertThat(Display.usd(435_000L)).isEqualTo("$0.000435");
    assertThat(Display.usd(12_345_678_901L)).isEqualTo("$12.35");
  }
}
