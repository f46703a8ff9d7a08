package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * A command against a running server (URL and token as {@code secrets} finds them): prints the
 * API's JSON with {@code --json}, a table for people otherwise.
 */
abstract class RemoteCommand extends ServerOptions implements Callable<Integer> {
  @Option(names = "--json", description = "print the server's JSON answer instead of a table")
  boolean json;

  /** Prints {@code data} as JSON when asked for, otherwise runs {@code human}. */
  void emit(JsonNode data, Runnable human) {
    if (json) {
      try {
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(data));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      human.run();
    }
  }

  static String path(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? "-" : v.asText();
  }

  static String time(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? "-" : Instant.ofEpochMilli(v.asLong()).toString();
  }

  /** A plain text table: columns as wide as their widest cell. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    Table row(String... cells) {
      rows.add(cells);
      return this;
    }

    void print() {
      int[] width = new int[rows.get(0).length];
      for (String[] r : rows) {
        for (int i = 0; i < r.length; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
          line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
        }
        System.out.println(line.toString().stripTrailing());
      }
    }
  }
}
