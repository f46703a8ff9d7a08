package dev.keyroom.leak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

class PostgresLeakTest extends LeakSuite {
  @Override
  TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir);
  }

  /** Every row of every table, plus a pg_dump of the database when pg_dump is installed. */
  @Override
  String storeDump() {
    StringBuilder out = new StringBuilder();
    List<String> tables =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                        .mapTo(String.class)
                        .list());
    assertThat(tables)
        .contains(
            "credentials", "credential_versions", "audit_events", "api_tokens", "tenant_keys");
    for (String t : tables) {
      List<java.util.Map<String, Object>> rows =
          k.keyroom
              .db()
              .jdbi()
              .withHandle(h -> h.createQuery("SELECT * FROM " + t).mapToMap().list());
      out.append(t).append(": ").append(rows.toString()).append('\n');
    }
    out.append(pgDump());
    return out.toString();
  }

  private String pgDump() {
    Matcher m =
        Pattern.compile("jdbc:postgresql://[^/]+/([A-Za-z0-9_]+)")
            .matcher(k.keyroom.config().databaseUrl());
    if (!m.find()) {
      return "";
    }
    try {
      Process p =
          new ProcessBuilder(
                  "pg_dump",
                  "-h",
                  "localhost",
                  "-p",
                  Integer.toString(TestDatabases.postgres().getPort()),
                  "-U",
                  "postgres",
                  "--no-password",
                  m.group(1))
              .redirectErrorStream(true)
              .start();
      byte[] dump = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "";
      }
      String text = new String(dump, StandardCharsets.UTF_8);
      assertThat(text).contains("COPY public.credential_versions");
      Files.writeString(Path.of("target", "leak-pg_dump.sql"), text);
      return text;
    } catch (IOException e) {
      // pg_dump is not installed on this machine: the table-by-table dump above stands alone.
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
