package dev.keyroom.testing;

import dev.keyroom.tenancy.TenantId;
import dev.keyroom.usage.UsageRecord;
import dev.keyroom.usage.UsageUnits;

/** Usage records for tests that write or price usage without a proxied call. */
public final class TestUsage {
  private TestUsage() {}

  /** One request of {@code provider} at {@code at}, with placeholder workroom, session and key. */
  public static UsageRecord record(
      TenantId tenant, long at, String provider, String method, String outcome, UsageUnits units) {
    return new UsageRecord(
        tenant,
        at,
        "wr_none",
        "ses_none",
        null,
        null,
        provider,
        "cred_none",
        1,
        method,
        "/v1/call",
        200,
        outcome,
        10,
        20,
        5,
        units);
  }
}
