package dev.keyroom.web;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The fields of a form that failed validation, to show it again as it was filled in — without the
 * secret fields, which always come back empty.
 */
public record Posted(Map<String, String> fields) {
  public static final Posted EMPTY = new Posted(Map.of());

  static Posted of(Map<String, List<String>> form, Predicate<String> isSecret) {
    Map<String, String> kept = new TreeMap<>();
    form.forEach(
        (k, v) -> {
          if (!isSecret.test(k) && !k.equals(WebRouter.CSRF_FIELD) && !v.isEmpty()) {
            kept.put(k, v.get(0));
          }
        });
    return new Posted(kept);
  }

  public boolean has(String name) {
    return fields.containsKey(name);
  }

  public String get(String name) {
    return fields.getOrDefault(name, "");
  }

  public boolean is(String name, String value) {
    return value.equals(fields.get(name));
  }
}
