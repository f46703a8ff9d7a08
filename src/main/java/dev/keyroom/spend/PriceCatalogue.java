package dev.keyroom.spend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.app.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prices as data: the catalogue shipped with Keyroom ({@code prices/prices.json}) with an
 * operator's prices file laid over it. Every amount is an integer (micro-dollars per million
 * units); costs are exact and rounded up to the nano-dollar once, per request.
 *
 * <p>Which rate prices a request: among the provider's rates effective on the request's day (UTC)
 * whose model pattern matches, the most specific pattern (a name beats any pattern, a longer
 * pattern a shorter one), then the highest prompt-length tier the request exceeds, then the latest
 * effective date. An operator's file replaces every shipped rate of the same provider, model
 * pattern and tier, and adds the rest.
 */
public final class PriceCatalogue {
  static final String RESOURCE = "/prices/prices.json";
  static final String SHIPPED = "catalogue";
  static final long MAX_MICRO_USD_PER_MILLION = 1_000_000_000_000L; // $1,000,000 per million units
  private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@*-]{1,128}");
  private static final Pattern URL = Pattern.compile("https://[^\\s\"<>]{1,300}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  /**
   * $1,000,000: a request beyond is unpriced, so that sums of costs stay far inside what the stores
   * can add up.
   */
  private static final BigDecimal MAX_NANO_USD_PER_REQUEST =
      BigDecimal.valueOf(1_000_000_000_000_000L);

  private final Map<String, List<Rate>> byProvider;

  private PriceCatalogue(List<Rate> rates) {
    Map<String, List<Rate>> m = new LinkedHashMap<>();
    for (Rate r : rates) {
      m.computeIfAbsent(r.provider(), k -> new ArrayList<>()).add(r);
    }
    m.replaceAll((k, v) -> List.copyOf(v));
    this.byProvider = Map.copyOf(m);
  }

  /**
   * The shipped catalogue, with {@code operatorFile} laid over it when not null. {@code providers}
   * are the provider ids a rate may name (the catalog's proxied kinds).
   */
  public static PriceCatalogue load(Set<String> providers, Path operatorFile) {
    List<Rate> rates;
    try (InputStream in = PriceCatalogue.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the price catalogue " + RESOURCE + " is missing");
      }
      rates =
          parse(
              new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
              SHIPPED,
              providers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (operatorFile == null) {
      return new PriceCatalogue(rates);
    }
    String text;
    try {
      text = Files.readString(operatorFile);
    } catch (IOException e) {
      throw new Config.ConfigException(
          "prices file "
              + operatorFile
              + " cannot be read (KEYROOM_PRICES_FILE): "
              + e.getClass().getSimpleName());
    }
    List<Rate> operator = parse(text, "file " + operatorFile, providers);
    Set<String> replaced = new HashSet<>();
    operator.forEach(r -> replaced.add(r.tierKey()));
    List<Rate> all =
        new ArrayList<>(rates.stream().filter(r -> !replaced.contains(r.tierKey())).toList());
    all.addAll(operator);
    return new PriceCatalogue(all);
  }

  /** Parses a prices document; a mistake is a {@link Config.ConfigException} naming the field. */
  static List<Rate> parse(String text, String origin, Set<String> providers) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw invalid(origin, "(document)", "must be JSON: {\"prices\": [ … ]}");
    }
    if (root == null || !root.isObject() || !root.path("prices").isArray()) {
      throw invalid(origin, "prices", "must be a list of rates");
    }
    List<Rate> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int i = 0;
    for (JsonNode e : root.get("prices")) {
      String at = "prices[" + i++ + "]";
      if (!e.isObject()) {
        throw invalid(origin, at, "must be an object");
      }
      for (Iterator<String> names = e.fieldNames(); names.hasNext(); ) {
        String n = names.next();
        if (!Set.of(
                "provider",
                "model",
                "effective",
                "inputTokensAbove",
                "microUsdPerMillion",
                "source",
                "note")
            .contains(n)) {
          throw invalid(origin, at + "." + n, "is not a field of a rate");
        }
      }
      String provider = text(e, "provider");
      if (provider == null || !providers.contains(provider)) {
        throw invalid(
            origin,
            at + ".provider",
            "must be a proxied provider: "
                + String.join(", ", providers.stream().sorted().toList()));
      }
      String model = text(e, "model");
      if (model == null || !MODEL.matcher(model).matches()) {
        throw invalid(
            origin,
            at + ".model",
            "must be a model name or pattern: 1-128 letters, digits, '.', '_', ':', '/', '@', '-' or '*'");
      }
      LocalDate effective;
      try {
        effective = LocalDate.parse(String.valueOf(text(e, "effective")));
      } catch (DateTimeParseException x) {
        throw invalid(origin, at + ".effective", "must be a date, YYYY-MM-DD");
      }
      long above = 0;
      if (e.has("inputTokensAbove")) {
        JsonNode a = e.get("inputTokensAbove");
        if (!a.isIntegralNumber() || !a.canConvertToLong() || a.asLong() < 1) {
          throw invalid(
              origin, at + ".inputTokensAbove", "must be a whole number of tokens, at least 1");
        }
        above = a.asLong();
      }
      String source = text(e, "source");
      if (source == null || !URL.matcher(source).matches()) {
        throw invalid(
            origin,
            at + ".source",
            "must be the https URL of the provider page the prices were checked against");
      }
      JsonNode per = e.get("microUsdPerMillion");
      if (per == null || !per.isObject() || per.isEmpty()) {
        throw invalid(
            origin,
            at + ".microUsdPerMillion",
            "must map units to prices; units are " + PriceUnit.names());
      }
      Map<PriceUnit, Long> prices = new EnumMap<>(PriceUnit.class);
      for (Iterator<Map.Entry<String, JsonNode>> it = per.fields(); it.hasNext(); ) {
        var p = it.next();
        String field = at + ".microUsdPerMillion." + p.getKey();
        PriceUnit unit =
            PriceUnit.fromWire(p.getKey())
                .orElseThrow(
                    () -> invalid(origin, field, "is not a unit; units are " + PriceUnit.names()));
        JsonNode v = p.getValue();
        if (!v.isIntegralNumber()
            || !v.canConvertToLong()
            || v.asLong() < 0
            || v.asLong() > MAX_MICRO_USD_PER_MILLION) {
          throw invalid(
              origin,
              field,
              "must be a whole number of micro-dollars per million units, 0 to "
                  + MAX_MICRO_USD_PER_MILLION
                  + " (no fractions: $0.15 per million is 150000)");
        }
        prices.put(unit, v.asLong());
      }
      Rate r = new Rate(provider, model, effective, above, prices, source, origin);
      if (!seen.add(r.tierKey() + "\u0000" + effective)) {
        throw invalid(
            origin,
            at,
            "repeats the provider, model, inputTokensAbove and effective date of an earlier rate");
      }
      out.add(r);
    }
    return out;
  }

  private static String text(JsonNode e, String field) {
    JsonNode n = e.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  private static Config.ConfigException invalid(String origin, String field, String rule) {
    return new Config.ConfigException("prices (" + origin + "): " + field + " " + rule);
  }

  /** Every rate, shipped and the operator's, grouped by provider. */
  public Map<String, List<Rate>> rates() {
    return byProvider;
  }

  /** The rate for {@code model} of {@code provider} on {@code day}, for a prompt of that length. */
  public Optional<Rate> rate(String provider, String model, LocalDate day, long inputTokens) {
    String name = model == null ? "" : model;
    return byProvider.getOrDefault(provider, List.of()).stream()
        .filter(r -> !r.effective().isAfter(day))
        .filter(r -> matches(r.model(), name))
        .filter(r -> r.inputTokensAbove() == 0 || inputTokens > r.inputTokensAbove())
        .max(
            Comparator.comparingInt((Rate r) -> specificity(r.model()))
                .thenComparingLong(Rate::inputTokensAbove)
                .thenComparing(Rate::effective)
                .thenComparing(Rate::model, Comparator.reverseOrder()));
  }

  /**
   * What a request consumed, priced. A unit consumed without a price makes the request unpriced
   * (never free); a rate without a {@code request} price bills nothing per request.
   */
  public Cost cost(String provider, String model, Instant at, Map<PriceUnit, BigDecimal> used) {
    long prompt =
        used.getOrDefault(PriceUnit.INPUT_TOKEN, BigDecimal.ZERO)
            .add(used.getOrDefault(PriceUnit.CACHED_INPUT_TOKEN, BigDecimal.ZERO))
            .add(used.getOrDefault(PriceUnit.CACHE_WRITE_TOKEN, BigDecimal.ZERO))
            .longValue();
    LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate();
    Optional<Rate> found = rate(provider, model, day, prompt);
    if (found.isEmpty()) {
      return Cost.unpriced(
          model == null
              ? "the " + provider + " answer named no model, and no rate covers every model"
              : "no price for " + provider + " model " + model);
    }
    Rate r = found.get();
    BigDecimal micro = BigDecimal.ZERO;
    for (var u : used.entrySet()) {
      if (u.getValue().signum() <= 0) {
        continue;
      }
      Long price = r.microUsdPerMillion().get(u.getKey());
      if (price == null) {
        if (u.getKey() == PriceUnit.REQUEST) {
          continue;
        }
        return Cost.unpriced(
            "no price for " + u.getKey().wire() + " of " + provider + " model " + r.model());
      }
      micro = micro.add(u.getValue().multiply(BigDecimal.valueOf(price)));
    }
    // micro-dollars per million units × units = pico-dollars; a thousand of them a nano-dollar
    BigDecimal nanos = micro.divide(THOUSAND, 0, RoundingMode.CEILING);
    if (nanos.compareTo(MAX_NANO_USD_PER_REQUEST) > 0) {
      return Cost.unpriced("the cost is beyond $1,000,000 for one request");
    }
    return Cost.priced(nanos.longValue(), r);
  }

  static boolean matches(String pattern, String name) {
    int star = pattern.indexOf('*');
    if (star < 0) {
      return pattern.equals(name);
    }
    String[] parts = pattern.split("\\*", -1);
    if (!name.startsWith(parts[0])) {
      return false;
    }
    int pos = parts[0].length();
    for (int i = 1; i < parts.length - 1; i++) {
      int found = name.indexOf(parts[i], pos);
      if (found < 0) {
        return false;
      }
      pos = found + parts[i].length();
    }
    String last = parts[parts.length - 1];
    return name.length() - last.length() >= pos && name.endsWith(last);
  }

  /** A name beats any pattern; a pattern with more fixed characters beats one with fewer. */
  static int specificity(String pattern) {
    return pattern.indexOf('*') < 0
        ? Integer.MAX_VALUE
        : (int) pattern.chars().filter(c -> c != '*').count();
  }
}
