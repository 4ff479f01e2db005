package io.glint.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Domain events: each committed change is announced once, after the fact; listeners cannot break it")
class DomainEventsTest extends ApiTestBase {
  private final List<DomainEvent> seen = Collections.synchronizedList(new ArrayList<>());
  private final Consumer<DomainEvent> listener = seen::add;

  @AfterEach
  void stopListening() {
    server.server().events().unsubscribe(listener); // the shared server outlives this class
  }

  @Test
  @DisplayName("create, update, tag, upload (upload + activate), member add/update/delete, deactivate, delete")
  void lifecycle() {
    server.server().events().subscribe(listener);
    String id = alice.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
    alice.patch("/v2/images/" + id, new JsonArray().add(new JsonObject().put("op", "add").put("path", "/x")
        .put("value", "y")));
    alice.send("PUT", "/v2/images/" + id + "/tags/t", "", "application/json");
    assertEquals(204, alice.upload(id, Bytes.random(1000, 1)).status());
    assertEquals(200, alice.post("/v2/images/" + id + "/members", new JsonObject().put("member", "project-b"))
        .status());
    assertEquals(200, bob.send("PUT", "/v2/images/" + id + "/members/project-b",
        new JsonObject().put("status", "accepted").encode(), "application/json").status());
    assertEquals(204, alice.delete("/v2/images/" + id + "/members/project-b").status());
    assertEquals(204, admin.send("POST", "/v2/images/" + id + "/actions/deactivate", "", "application/json")
        .status());
    assertEquals(404, bob.delete("/v2/images/" + id).status(), "a refused change announces nothing");
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    List<String> types = seen.stream().filter(e -> id.equals(e.imageId())).map(e -> e.type().wireName()).toList();
    // An upload is announced as Glance's notifier does: the save in saving, prepare, upload, activate, the save.
    assertEquals(List.of("image.create", "image.update", "image.update", "image.update", "image.prepare",
        "image.upload", "image.activate", "image.update", "image.member.create", "image.member.update",
        "image.member.delete", "image.deactivate", "image.delete"), types);
    DomainEvent created = seen.get(0);
    assertEquals("project-a", created.actor().owner());
    assertTrue(created.subject() instanceof io.glint.image.Image);
    DomainEvent deleted = seen.stream().filter(e -> e.type() == EventType.IMAGE_DELETE).findFirst().orElseThrow();
    assertTrue(deleted.subject() instanceof io.glint.image.Image image && image.id().equals(id),
        "the deleted image, as it was: " + deleted.subject());
    DomainEvent memberGone = seen.stream().filter(e -> e.type() == EventType.IMAGE_MEMBER_DELETE).findFirst()
        .orElseThrow();
    assertTrue(memberGone.subject() instanceof io.glint.member.Member, "the removed member: " + memberGone.subject());
  }

  @Test
  @DisplayName("a listener that throws is logged and skipped: the others still hear, the caller is unaffected")
  void failingListener() {
    DomainEvents events = new DomainEvents();
    List<String> heard = new ArrayList<>();
    events.subscribe(e -> {
      throw new IllegalStateException("broken listener");
    });
    events.subscribe(e -> heard.add(e.type().wireName()));
    events.publish(DomainEvent.of(EventType.IMAGE_CREATE, "i", null, null));
    assertEquals(List.of("image.create"), heard);
  }
}
