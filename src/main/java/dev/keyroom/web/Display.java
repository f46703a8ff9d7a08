package dev.keyroom.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How times, kinds and amounts read on a page. */
public final class Display {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private Display() {}

  public static String time(long epochMillis) {
    return UTC.format(Instant.ofEpochMilli(epochMillis));
  }

  public static String time(Long epochMillis) {
    return epochMillis == null ? "—" : time(epochMillis.longValue());
  }

  /** "just now", "5 min ago", "3 h ago", "2 days ago". */
  public static String ago(long epochMillis, long now) {
    long s = Math.max(0, (now - epochMillis) / 1000);
    if (s < 60) return "just now";
    if (s < 3600) return (s / 60) + " min ago";
    if (s < 86_400) return (s / 3600) + " h ago";
    long d = s / 86_400;
    return d == 1 ? "yesterday" : d + " days ago";
  }

  /** Up to two letters standing for a provider: "Google Gemini" → "GG", "OpenAI" → "OA". */
  public static String initials(String displayName) {
    String[] words =
        java.util.Arrays.stream(displayName.replaceAll("\\(.*?\\)", " ").trim().split("\\s+"))
            .filter(w -> !w.isEmpty() && Character.isLetter(w.charAt(0)))
            .toArray(String[]::new);
    if (words.length == 0) {
      return "?";
    }
    if (words.length >= 2) {
      return ("" + words[0].charAt(0) + words[1].charAt(0)).toUpperCase(java.util.Locale.ROOT);
    }
    String w = words[0];
    StringBuilder caps = new StringBuilder();
    for (char c : w.toCharArray()) {
      if (Character.isUpperCase(c)) caps.append(c);
    }
    if (caps.length() >= 2) return caps.substring(0, 2);
    return w.substring(0, Math.min(2, w.length())).toUpperCase(java.util.Locale.ROOT);
  }

  /** A stable colour class (tile-0 … tile-5) for a provider's initials. */
  public static String tile(String kindId) {
    return "tile-" + Math.floorMod(kindId.hashCode(), 6);
  }

  /** A fingerprint shortened for reading: first 12 characters. */
  public static String shortFingerprint(String fp) {
    return fp == null ? "—" : fp.length() <= 16 ? fp : fp.substring(0, 16) + "…";
  }

  /** "••••abcd" from the vault's hint "…abcd"; all dots when the value was too short to hint. */
  public static String masked(String hint) {
    return hint == null ? "••••••••" : "••••" + (hint.startsWith("…") ? hint.substring(1) : hint);
  }

  /**
   * Nano-dollars as money: to the cent from a dollar up, else to six places ("$0.000870"); never
   * rounded to "$0.00" when something was spent. Null is "unpriced".
   */
  public static String usd(Long nanoUsd) {
    if (nanoUsd == null) {
      return "unpriced";
    }
    java.math.BigDecimal d = java.math.BigDecimal.valueOf(nanoUsd, 9);
    int scale = nanoUsd >= 1_000_000_000L ? 2 : 6;
    java.math.BigDecimal shown = d.setScale(scale, java.math.RoundingMode.HALF_UP);
    if (shown.signum() == 0 && nanoUsd > 0) {
      return "< $0.000001";
    }
    return "$" + shown.toPlainString();
  }

  public static String plural(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
