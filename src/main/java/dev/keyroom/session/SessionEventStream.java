package dev.keyroom.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keyroom.api.Json;
import dev.keyroom.error.KeyroomException;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@code GET /api/v1/sessions/{id}/events} as server-sent events. Each event is written and
 * flushed at once. The stream also re-reads the session every few seconds (an end recorded on
 * another node, or expiry) and sends a keep-alive comment, which counts as use of the session.
 */
final class SessionEventStream {
  static final long RECHECK_MS = 3_000;

  private final Sessions sessions;
  private final SessionEvents events;
  private final EventStreamLimits limits;

  SessionEventStream(Sessions sessions, SessionEvents events, EventStreamLimits limits) {
    this.sessions = sessions;
    this.events = events;
    this.limits = limits;
  }

  void serve(Context ctx, SessionInfo session) throws IOException {
    try (EventStreamLimits.Place place = limits.take(session)) {
      stream(ctx, session);
    }
  }

  private void stream(Context ctx, SessionInfo session) throws IOException {
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType("text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Accel-Buffering", "no");
    OutputStream out = res.getOutputStream();
    try (SessionEvents.Subscription sub = events.subscribe(session.id())) {
      write(
          out,
          new SessionEvents.Event(
              "ready",
              Map.of("sessionId", session.id().value(), "expiresAt", session.expiresAt())));
      long lastCheck = System.currentTimeMillis();
      while (!events.isClosed()) {
        SessionEvents.Event e = sub.queue().poll(250, TimeUnit.MILLISECONDS);
        if (e != null) {
          write(out, e);
          if (SessionEvents.ENDED.equals(e.type())) {
            return;
          }
          continue;
        }
        if (System.currentTimeMillis() - lastCheck >= RECHECK_MS) {
          lastCheck = System.currentTimeMillis();
          SessionInfo now = sessions.get(session.tenant(), session.id());
          try {
            sessions.requireLive(now);
          } catch (KeyroomException ended) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("sessionId", session.id().value());
            data.put("reason", now.endReason() == null ? "expired" : now.endReason());
            write(out, new SessionEvents.Event(SessionEvents.ENDED, data));
            return;
          }
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(OutputStream out, SessionEvents.Event e) throws IOException {
    String data;
    try {
      data = Json.MAPPER.writeValueAsString(e.data());
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("event data is not serialisable");
    }
    out.write(("event: " + e.type() + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
