package dev.keyroom.spend;

import java.util.Arrays;
import java.util.Optional;

/** What a provider bills by. Prices are quoted in micro-dollars per million of the unit. */
public enum PriceUnit {
  /** Prompt tokens read fresh (not from the provider's prompt cache). */
  INPUT_TOKEN("input_token"),
  /** Prompt tokens read from the provider's prompt cache. */
  CACHED_INPUT_TOKEN("cached_input_token"),
  /** Prompt tokens written to the provider's prompt cache (Anthropic bills these apart). */
  CACHE_WRITE_TOKEN("cache_write_token"),
  /** Generated tokens, reasoning included. */
  OUTPUT_TOKEN("output_token"),
  /** Characters of text, where a provider bills by the character (text to speech). */
  CHARACTER("character"),
  /** A provider's own credits. */
  CREDIT("credit"),
  /** The request itself, whatever it consumed. */
  REQUEST("request");

  private final String wire;

  PriceUnit(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<PriceUnit> fromWire(String s) {
    return Arrays.stream(values()).filter(u -> u.wire.equals(s)).findFirst();
  }

  static String names() {
    return String.join(", ", Arrays.stream(values()).map(PriceUnit::wire).toList());
  }
}
