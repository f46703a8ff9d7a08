package dev.keyroom.logging;

import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback's throwable rendering for Keyroom's console ({@code %safeEx} in logback.xml): every
 * logged throwable, ours or a library's, is printed by {@link SafeTrace} — class names and frames,
 * messages only for Keyroom's own failures. A library that logs an exception quoting a header
 * therefore cannot put a key on the console.
 */
public final class SafeThrowableConverter extends ThrowableHandlingConverter {
  @Override
  public String convert(ILoggingEvent event) {
    IThrowableProxy t = event.getThrowableProxy();
    return t == null ? "" : SafeTrace.of(t);
  }
}
