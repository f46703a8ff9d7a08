package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code keyroom run --workroom NAME}: finds the workroom among those the user can see, starts a
 * session in it with the user's own token, hands the session to the launcher, and ends the session
 * when the launcher returns — normally, by an exception, or when the JVM is shut down by SIGINT or
 * SIGTERM (a shutdown hook). The session is ended exactly once. On a shutdown the hook then waits
 * (bounded) for the launcher to stop the command: ending the session is what tells the launcher to
 * stop it, and the JVM must not exit before it has.
 */
final class WorkroomRun {
  /** A session this run started; the token is the session's own, shown once by the server. */
  record Started(String url, String sessionId, String token) {
    @Override
    public String toString() {
      return "Started[url=" + url + ", sessionId=" + sessionId + ", token=[REDACTED]]";
    }
  }

  /** What runs while the session lives: the launcher. */
  interface Body {
    int run(Started session) throws IOException, InterruptedException;
  }

  private final ApiClient api;
  private final PrintStream err;
  private final Duration shutdownWait;

  /** {@code shutdownWait}: how long a shutdown waits for the launcher to stop the command. */
  WorkroomRun(ApiClient api, PrintStream err, Duration shutdownWait) {
    this.api = api;
    this.err = err;
    this.shutdownWait = shutdownWait;
  }

  int run(String workroom, Body body) throws IOException, InterruptedException {
    String id = find(workroom);
    JsonNode s = api.call("POST", "/api/v1/workrooms/" + id + "/sessions", Map.of());
    Started started = new Started(api.url(), s.get("id").asText(), s.get("sessionToken").asText());
    AtomicBoolean ended = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("keyroom-end-session")
                .unstarted(
                    () -> {
                      end(started, ended);
                      try {
                        if (!finished.await(shutdownWait.toMillis(), TimeUnit.MILLISECONDS)) {
                          err.println(
                              "keyroom: the command had not stopped "
                                  + shutdownWait.toSeconds()
                                  + " s after the session ended");
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    try {
      return body.run(started);
    } finally {
      end(started, ended);
      finished.countDown();
    }
  }

  /**
   * The workroom's id: by exact name, else by id; otherwise a failure naming the workrooms the user
   * can see.
   */
  private String find(String workroom) {
    List<String> names = new ArrayList<>();
    String byId = null;
    for (JsonNode w : api.get("/api/v1/workrooms").path("workrooms")) {
      String name = w.path("name").asText();
      if (name.equals(workroom)) {
        return w.get("id").asText();
      }
      if (w.path("id").asText().equals(workroom)) {
        byId = workroom;
      }
      names.add(ApiClient.printable(name));
    }
    if (byId != null) {
      return byId;
    }
    throw new Failures.CliException(
        Main.FAILED,
        "no workroom named '"
            + ApiClient.printable(workroom)
            + "' that you can see; "
            + (names.isEmpty()
                ? "you are not a member of any workroom (an admin adds you)"
                : "yours: " + String.join(", ", names)));
  }

  private void end(Started started, AtomicBoolean ended) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      api.call("DELETE", "/api/v1/sessions/" + started.sessionId(), null, Duration.ofSeconds(5));
    } catch (ApiClient.Refused r) {
      if (r.status != 404 && r.status != 409) { // already ended elsewhere: nothing left to end
        err.println(
            "keyroom: could not end session "
                + started.sessionId()
                + ": "
                + r.getMessage()
                + "; end it with DELETE /api/v1/sessions/"
                + started.sessionId());
      }
    } catch (Failures.CliException e) {
      err.println(
          "keyroom: could not end session "
              + started.sessionId()
              + ": "
              + e.getMessage()
              + "; it ends when it expires or an admin ends it");
    }
  }
}
