package dev.keyroom.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log line (formatted message plus any stack trace) for leak scans. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<String> lines = new ArrayList<>();

  public static LogCapture begin() {
    LogCapture c = new LogCapture();
    c.setName("test-capture");
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    c.setContext(root.getLoggerContext());
    c.start();
    root.addAppender(c);
    return c;
  }

  @Override
  protected synchronized void append(ILoggingEvent e) {
    StringBuilder sb =
        new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
    if (e.getThrowableProxy() != null) {
      sb.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
    }
    lines.add(sb.toString());
  }

  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  public synchronized String all() {
    return String.join("\n", lines);
  }

  @Override
  public void close() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(this);
    stop();
  }
}
