package dev.keyroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Forwards one output stream of the child to the launcher's own, masked. Bytes are forwarded as
 * soon as they are read, except a tail that could still become a masked form (a value written in
 * two pieces, or straddling a read); that tail is held until more output decides it, the stream
 * ends, or the child has been quiet for {@link #QUIET} — so a prompt without a newline is never
 * held back longer than that.
 */
final class MaskedOutput {
  static final Duration QUIET = Duration.ofMillis(300);

  private final OutputMasker.Stream masker;
  private final OutputStream to;
  private final ScheduledExecutorService timer;
  private long generation;

  MaskedOutput(OutputMasker masker, OutputStream to, ScheduledExecutorService timer) {
    this.masker = masker.stream();
    this.to = to;
    this.timer = timer;
  }

  /** Forwards until the child closes its end; returns when everything read has been written. */
  void pump(InputStream in) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        forward(buf, n);
      }
    } catch (IOException e) {
      // the child's end is gone (it was killed); what was read is flushed below
    }
    flush(-1);
  }

  private void forward(byte[] buf, int n) {
    synchronized (this) {
      write(masker.accept(buf, n));
      if (masker.holding()) {
        long scheduled = ++generation;
        timer.schedule(() -> flush(scheduled), QUIET.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Releases the held tail, unless more output arrived since this flush was scheduled. */
  private synchronized void flush(long scheduled) {
    if (scheduled >= 0 && scheduled != generation) {
      return;
    }
    generation++;
    write(masker.flush());
  }

  private void write(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    synchronized (to) {
      try {
        to.write(bytes);
        to.flush();
      } catch (IOException e) {
        // the launcher's own output is closed; nothing can be forwarded any more
        return;
      }
    }
  }
}
