package dev.keyroom.usage;

import dev.keyroom.spend.Pricing;
import dev.keyroom.store.Database;
import dev.keyroom.store.Identifiers;
import dev.keyroom.store.Rows;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/** Usage rows: written in batches, read back as totals grouped by one dimension. */
public final class UsageStore {
  /** The dimensions usage can be grouped by, and the column each reads. */
  public enum GroupBy {
    PROVIDER("provider"),
    WORKROOM("workroom_id"),
    USER("user_id"),
    CREDENTIAL("credential_id"),
    SKILL("skill"),
    MODEL("model");

    final String column;

    GroupBy(String column) {
      this.column = column;
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Totals of one group. {@code key} is null for rows without that dimension (no skill named).
   * {@code costNanoUsd} sums the priced requests only ({@code costUsd} is the same in dollars);
   * {@code unpricedRequests} counts the others, which are never counted as free.
   */
  public record Totals(
      String key,
      long requests,
      long errors,
      long inputTokens,
      long cachedInputTokens,
      long cacheWriteTokens,
      long outputTokens,
      long totalTokens,
      long characters,
      double credits,
      long requestBytes,
      long responseBytes,
      long costNanoUsd,
      String costUsd,
      long unpricedRequests,
      String bucket) {}

  /** Nano-dollars as a decimal dollar amount, e.g. 465000 → "0.000465000". */
  public static String dollars(long nanoUsd) {
    return java.math.BigDecimal.valueOf(nanoUsd, 9).toPlainString();
  }

  /** One proxied request, as the per-request detail shows it (paths carry no query string). */
  public record Request(
      long at,
      String provider,
      String workroomId,
      String sessionId,
      String userId,
      String skill,
      String credentialId,
      Integer credentialVersion,
      String method,
      String path,
      int status,
      String outcome,
      long latencyMs,
      long requestBytes,
      long responseBytes,
      Long inputTokens,
      Long outputTokens,
      Long characters,
      Double credits,
      String model,
      Long cachedInputTokens,
      Long costNanoUsd) {}

  private final Database db;
  private final Pricing pricing;

  /** Rows are priced with {@code pricing} as they are written. */
  public UsageStore(Database db, Pricing pricing) {
    this.db = db;
    this.pricing = pricing;
  }

  /**
   * Inserts the rows as one JDBC batch on {@code h}'s connection, inside its transaction. Bound by
   * position with plain JDBC: the usage writer's hottest statement, where binding two dozen named
   * parameters per row through Jdbi cost more than SQLite's own work.
   */
  void insertAll(Handle h, List<UsageRecord> records) {
    try (PreparedStatement insert = h.getConnection().prepareStatement(INSERT)) {
      for (UsageRecord r : records) {
        UsageUnits u = r.units();
        int i = 1;
        insert.setString(i++, Identifiers.random("use"));
        insert.setString(i++, r.tenant().value());
        insert.setLong(i++, r.at());
        insert.setString(i++, r.workroomId());
        insert.setString(i++, r.sessionId());
        insert.setString(i++, r.userId());
        insert.setString(i++, r.skill());
        insert.setString(i++, r.provider());
        insert.setString(i++, r.credentialId());
        insert.setInt(i++, r.credentialVersion());
        insert.setString(i++, r.method());
        insert.setString(i++, r.path());
        insert.setInt(i++, r.status());
        insert.setString(i++, r.outcome());
        insert.setLong(i++, r.requestBytes());
        insert.setLong(i++, r.responseBytes());
        insert.setLong(i++, r.latencyMs());
        insert.setObject(i++, u.inputTokens(), Types.BIGINT);
        insert.setObject(i++, u.outputTokens(), Types.BIGINT);
        insert.setObject(i++, u.totalTokens(), Types.BIGINT);
        insert.setObject(i++, u.characters(), Types.BIGINT);
        insert.setObject(i++, u.credits(), Types.DOUBLE);
        insert.setString(i++, u.model());
        insert.setObject(i++, u.cachedInputTokens(), Types.BIGINT);
        insert.setObject(i++, u.cacheWriteTokens(), Types.BIGINT);
        insert.setObject(i, pricing.of(r).nanoUsd(), Types.BIGINT);
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (SQLException e) {
      // by class only: a driver's message can quote what it was given
      throw new IllegalStateException(
          "usage rows could not be inserted: " + e.getClass().getName() + " " + e.getSQLState(), e);
    }
  }

  private static final String INSERT =
      "INSERT INTO usage_records (id, tenant_id, at, workroom_id, session_id, user_id, skill,"
          + " provider, credential_id, credential_version, method, path, status, outcome,"
          + " request_bytes, response_bytes, latency_ms, input_tokens, output_tokens, total_tokens,"
          + " characters, credits, model, cached_input_tokens, cache_write_tokens, cost_nano_usd)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * The newest requests of one group in {@code [from, to)}: those whose {@code groupBy} column
   * equals {@code key}, or is empty when {@code key} is null. At most {@code limit}, newest first.
   */
  public List<Request> requests(
      TenantId tenant, long from, long to, GroupBy groupBy, String key, int limit) {
    String sql =
        "SELECT * FROM usage_records WHERE tenant_id = :t AND at >= :from AND at < :to AND "
            + (key == null ? groupBy.column + " IS NULL" : groupBy.column + " = :k")
            + " ORDER BY at DESC, id LIMIT :limit";
    return db.jdbi()
        .withHandle(
            h -> {
              var q =
                  h.createQuery(sql)
                      .bind("t", tenant.value())
                      .bind("from", from)
                      .bind("to", to)
                      .bind("limit", limit);
              if (key != null) {
                q.bind("k", key);
              }
              return q.map(
                      (rs, ctx) ->
                          new Request(
                              rs.getLong("at"),
                              rs.getString("provider"),
                              rs.getString("workroom_id"),
                              rs.getString("session_id"),
                              rs.getString("user_id"),
                              rs.getString("skill"),
                              rs.getString("credential_id"),
                              rs.getObject("credential_version") == null
                                  ? null
                                  : rs.getInt("credential_version"),
                              rs.getString("method"),
                              rs.getString("path"),
                              rs.getInt("status"),
                              rs.getString("outcome"),
                              rs.getLong("latency_ms"),
                              rs.getLong("request_bytes"),
                              rs.getLong("response_bytes"),
                              Rows.nullableLong(rs, "input_tokens"),
                              Rows.nullableLong(rs, "output_tokens"),
                              Rows.nullableLong(rs, "characters"),
                              rs.getObject("credits") == null ? null : rs.getDouble("credits"),
                              rs.getString("model"),
                              Rows.nullableLong(rs, "cached_input_tokens"),
                              Rows.nullableLong(rs, "cost_nano_usd")))
                  .list();
            });
  }

  /**
   * Totals per group for {@code [from, to)}. When {@code onlyUser} is set, only that user's
   * requests count (a member sees their own usage; admins and the platform see the tenant's).
   */
  public List<Totals> totals(
      TenantId tenant, long from, long to, GroupBy groupBy, UserId onlyUser) {
    return totals(tenant, from, to, groupBy, onlyUser, 0);
  }

  /**
   * As {@link #totals(TenantId, long, long, GroupBy, UserId)}, and with {@code intervalMillis} &gt;
   * 0 per time bucket too (buckets start at multiples of the interval since the epoch, UTC), oldest
   * bucket first.
   */
  public List<Totals> totals(
      TenantId tenant, long from, long to, GroupBy groupBy, UserId onlyUser, long intervalMillis) {
    String col = groupBy.column;
    boolean buckets = intervalMillis > 0;
    String sql =
        "SELECT "
            + (buckets ? "(at / " + intervalMillis + ") * " + intervalMillis + " AS b, " : "")
            + col
            + " AS k, COUNT(*) AS requests,"
            + " SUM(CASE WHEN outcome = 'ok' THEN 0 ELSE 1 END) AS errors,"
            + " COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens,"
            + " COALESCE(SUM(cached_input_tokens), 0) AS cached_input_tokens,"
            + " COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens,"
            + " COALESCE(SUM(cost_nano_usd), 0) AS cost_nano_usd,"
            + " SUM(CASE WHEN cost_nano_usd IS NULL THEN 1 ELSE 0 END) AS unpriced,"
            + " COALESCE(SUM(total_tokens), 0) AS total_tokens, COALESCE(SUM(characters), 0) AS characters,"
            + " COALESCE(SUM(credits), 0) AS credits, COALESCE(SUM(request_bytes), 0) AS request_bytes,"
            + " COALESCE(SUM(response_bytes), 0) AS response_bytes"
            + " FROM usage_records WHERE tenant_id = :t AND at >= :from AND at < :to"
            + (onlyUser == null ? "" : " AND user_id = :u")
            + " GROUP BY "
            + (buckets ? "b, " : "")
            + col
            + (buckets ? " ORDER BY b, requests DESC, k" : " ORDER BY requests DESC, k");
    return db.jdbi()
        .withHandle(
            h -> {
              var q =
                  h.createQuery(sql).bind("t", tenant.value()).bind("from", from).bind("to", to);
              if (onlyUser != null) {
                q.bind("u", onlyUser.value());
              }
              return q.map(
                      (rs, ctx) ->
                          new Totals(
                              rs.getString("k"),
                              rs.getLong("requests"),
                              rs.getLong("errors"),
                              rs.getLong("input_tokens"),
                              rs.getLong("cached_input_tokens"),
                              rs.getLong("cache_write_tokens"),
                              rs.getLong("output_tokens"),
                              rs.getLong("total_tokens"),
                              rs.getLong("characters"),
                              rs.getDouble("credits"),
                              rs.getLong("request_bytes"),
                              rs.getLong("response_bytes"),
                              rs.getLong("cost_nano_usd"),
                              dollars(rs.getLong("cost_nano_usd")),
                              rs.getLong("unpriced"),
                              buckets
                                  ? java.time.Instant.ofEpochMilli(rs.getLong("b")).toString()
                                  : null))
                  .list();
            });
  }
}
