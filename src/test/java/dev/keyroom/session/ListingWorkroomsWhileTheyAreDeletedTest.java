package dev.keyroom.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing workrooms while an admin deletes some answers 200 every time: a workroom deleted between
 * reading the list and reading its members is left out or shown without members, never a 404 for
 * the whole list (found by a full run: `keyroom workrooms delete` of one name failed with "no
 * workroom with that id" while another delete ran).
 */
class ListingWorkroomsWhileTheyAreDeletedTest {
  @TempDir Path dir;

  @Test
  void everyListAnswers200WhileWorkroomsAreDeleted() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      String admin = acme.adminToken().token();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Workroom w =
            k.keyroom.workrooms().create(acme.tenant().id(), "room-" + i, List.of(), "test");
        k.addMember(acme.tenant().id(), w.id(), acme.admin().id());
        ids.add(w.id().value());
      }
      AtomicBoolean deleting = new AtomicBoolean(true);
      CompletableFuture<Void> deletes =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (String id : ids) {
                    assertThat(
                            k.send("DELETE", "/api/v1/workrooms/" + id, admin, null).statusCode())
                        .isEqualTo(200);
                  }
                } finally {
                  deleting.set(false);
                }
              });
      List<Integer> statuses = new ArrayList<>();
      while (deleting.get()) {
        HttpResponse<String> r = k.get("/api/v1/workrooms", admin);
        statuses.add(r.statusCode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      deletes.join();
      assertThat(statuses).isNotEmpty();
      assertThat(k.get("/api/v1/workrooms", admin).body()).doesNotContain("room-");
    }
  }
}
