package io.glint.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestRabbit;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Notifications on a real RabbitMQ (Debian's rabbitmq-server, started by the suite on random ports), read with a
 * plain AMQP client from the queues oslo.messaging's rabbit driver declares: envelope, routing and Glance's
 * payloads for a create / upload / download / update / delete sequence, the ERROR upload, a broker stopped in the
 * middle of a sequence, and disabled_notifications.
 */
@DisplayName("Notifications: oslo.messaging's envelope and Glance's payloads on RabbitMQ")
class NotificationsTest extends ApiTestBase {
  private static final String INFO = "notifications.info";
  private static final String ERROR = "notifications.error";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Set<String> IMAGE_FIELDS = new TreeSet<>(List.of("id", "name", "status", "created_at",
      "updated_at", "min_disk", "min_ram", "protected", "checksum", "owner", "disk_format", "container_format", "size",
      "virtual_size", "is_public", "visibility", "properties", "tags", "deleted", "deleted_at"));

  private static TestRabbit rabbit;
  private static TestServer glint;
  private Api api;

  @BeforeAll
  static void start() throws Exception {
    rabbit = TestRabbit.start();
    Map<String, String> settings = new HashMap<>();
    settings.put("oslo_messaging_notifications.driver", "messagingv2");
    // Several hosts: the first refuses connections, the publisher fails over to the second.
    settings.put("oslo_messaging_notifications.transport_url",
        "rabbit://guest:guest@127.0.0.1:1,guest:guest@127.0.0.1:" + rabbit.port() + "/");
    settings.put("oslo_messaging_rabbit.amqp_durable_queues", "true");
    settings.put("oslo_messaging_rabbit.rabbit_retry_interval", "0.2");
    settings.put("oslo_messaging_rabbit.rabbit_retry_backoff", "0.2");
    settings.put("oslo_messaging_rabbit.rabbit_interval_max", "1");
    settings.put("image_size_cap", "1048576");
    glint = TestServer.start(settings);
  }

  @AfterAll
  static void stop() throws Exception {
    if (glint != null) {
      glint.close();
    }
    if (rabbit != null) {
      rabbit.close();
    }
  }

  @BeforeEach
  void caller() throws Exception {
    api = Api.as(glint, "project-a", "member");
    rabbit.purge(INFO);
    rabbit.purge(ERROR);
  }

  /** One notification as a consumer decodes it: the message inside the envelope. */
  private record Received(TestRabbit.Message raw, JsonObject message) {
    String type() {
      return message.getString("event_type");
    }

    JsonObject payload() {
      return message.getJsonObject("payload");
    }
  }

  private static List<Received> take(String queue, int count) throws Exception {
    List<Received> out = new ArrayList<>();
    for (TestRabbit.Message m : rabbit.take(queue, count, WAIT)) {
      JsonObject envelope = new JsonObject(m.body());
      assertEquals("2.0", envelope.getString("oslo.version"), m.body());
      assertEquals(Set.of("oslo.version", "oslo.message"), envelope.fieldNames(), m.body());
      out.add(new Received(m, new JsonObject(envelope.getString("oslo.message"))));
    }
    return out;
  }

  private static List<String> types(List<Received> received) {
    return received.stream().map(Received::type).toList();
  }

  @Test
  @DisplayName("create, upload, download, update, delete: each event with the envelope, routing and payload")
  void lifecycle() throws Exception {
    byte[] data = Bytes.random(100_000, 41);
    JsonObject image = api.create(new JsonObject().put("name", "notified").put("disk_format", "raw")
        .put("container_format", "bare").put("tags", new JsonArray().add("t1")).put("color", "blue"));
    String id = image.getString("id");
    assertEquals(204, api.upload(id, data).status());
    assertEquals(200, api.download(id, Map.of()).status());
    assertEquals(200, api.patch("/v2/images/" + id, new JsonArray().add(new JsonObject().put("op", "replace")
        .put("path", "/name").put("value", "renamed"))).status());
    assertEquals(204, api.delete("/v2/images/" + id).status());

    List<Received> got = take(INFO, 9);
    List<String> types = new ArrayList<>(types(got));
    assertTrue(types.remove("image.send"), "image.send among " + types);
    assertEquals(List.of("image.create", "image.update", "image.prepare", "image.upload", "image.activate",
        "image.update", "image.update", "image.delete"), types);

    for (Received r : got) {
      assertEquals("glance", r.raw().exchange());
      assertEquals(INFO, r.raw().routingKey());
      assertEquals("application/json", r.raw().contentType());
      JsonObject m = r.message();
      assertEquals("INFO", m.getString("priority"));
      assertTrue(m.getString("publisher_id").startsWith("image."), m.encode());
      assertEquals(m.getString("message_id"), UUID.fromString(m.getString("message_id")).toString());
      assertTrue(m.getString("timestamp").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}"), m.encode());
      assertNotNull(m.getString("_unique_id"));
    }

    JsonObject created = got.get(0).payload();
    assertEquals(IMAGE_FIELDS, new TreeSet<>(created.fieldNames()));
    assertEquals(id, created.getString("id"));
    assertEquals("notified", created.getString("name"));
    assertEquals("queued", created.getString("status"));
    assertEquals("project-a", created.getString("owner"));
    assertEquals("shared", created.getString("visibility"));
    assertEquals(false, created.getBoolean("is_public"));
    assertEquals(new JsonObject().put("color", "blue"), created.getJsonObject("properties"));
    assertEquals(new JsonArray().add("t1"), created.getJsonArray("tags"));
    assertEquals(false, created.getBoolean("deleted"));
    assertTrue(created.containsKey("deleted_at") && created.getValue("deleted_at") == null);
    assertTrue(created.getString("created_at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));

    Map<String, JsonObject> byType = new LinkedHashMap<>();
    got.forEach(r -> byType.putIfAbsent(r.type(), r.payload()));
    JsonObject prepare = byType.get("image.prepare");
    assertEquals("saving", prepare.getString("status"));
    assertEquals(new JsonArray(), prepare.getJsonArray("os_glance_importing_to_stores"));
    assertEquals(new JsonArray(), prepare.getJsonArray("os_glance_failed_import"));
    JsonObject upload = byType.get("image.upload");
    assertEquals("active", upload.getString("status"));
    assertEquals(data.length, upload.getLong("size"));
    assertEquals(Bytes.md5(data), upload.getString("checksum"));
    assertEquals("active", byType.get("image.activate").getString("status"));

    JsonObject send = byType.get("image.send");
    assertEquals(data.length, send.getLong("bytes_sent"));
    assertEquals(id, send.getString("image_id"));
    assertEquals("project-a", send.getString("owner_id"));
    assertEquals("project-a", send.getString("receiver_tenant_id"));
    assertEquals("user-of-project-a", send.getString("receiver_user_id"));
    assertEquals("127.0.0.1", send.getString("destination_ip"));

    JsonObject renamed = got.get(got.size() - 2).type().equals("image.update") ? got.get(got.size() - 2).payload()
        : got.get(got.size() - 3).payload();
    assertEquals("renamed", renamed.getString("name"));
    JsonObject deleted = got.get(got.size() - 1).payload();
    assertEquals("image.delete", got.get(got.size() - 1).type());
    assertEquals(id, deleted.getString("id"));
    assertEquals("deleted", deleted.getString("status"));
    assertEquals(true, deleted.getBoolean("deleted"));
    assertNotNull(deleted.getString("deleted_at"));
    for (Received r : got) {
      assertFalse(r.payload().containsKey("locations"), "locations are never sent: " + r.message().encode());
    }
    assertEquals(0, glint.server().notifier().dropped());
  }

  @Test
  @DisplayName("a failed upload: image.upload with ERROR priority on notifications.error, a message as payload")
  void uploadError() throws Exception {
    String id = api.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
    assertEquals(413, api.uploadChunked(id, Bytes.random(1_500_000, 42)).status());
    List<Received> errors = take(ERROR, 1);
    assertEquals(1, errors.size());
    Received r = errors.get(0);
    assertEquals(ERROR, r.raw().routingKey());
    assertEquals("image.upload", r.type());
    assertEquals("ERROR", r.message().getString("priority"));
    String message = r.message().getString("payload");
    assertTrue(message.startsWith("Failed to upload image data for image " + id), message);
    assertEquals(List.of("image.create", "image.update", "image.prepare"), types(take(INFO, 3)));
  }

  @Test
  @DisplayName("members: image.member.create / update / delete with Glance's member payload")
  void members() throws Exception {
    String id = api.create(new JsonObject().put("visibility", "shared")).getString("id");
    assertEquals(200, api.post("/v2/images/" + id + "/members", new JsonObject().put("member", "project-b"))
        .status());
    Api bob = Api.as(glint, "project-b", "member");
    assertEquals(200, bob.send("PUT", "/v2/images/" + id + "/members/project-b",
        new JsonObject().put("status", "accepted").encode(), "application/json").status());
    assertEquals(204, api.delete("/v2/images/" + id + "/members/project-b").status());
    List<Received> got = take(INFO, 4);
    assertEquals(List.of("image.create", "image.member.create", "image.member.update", "image.member.delete"),
        types(got));
    JsonObject updated = got.get(2).payload();
    assertEquals(Set.of("image_id", "member_id", "status", "created_at", "updated_at", "deleted", "deleted_at"),
        updated.fieldNames());
    assertEquals(id, updated.getString("image_id"));
    assertEquals("project-b", updated.getString("member_id"));
    assertEquals("accepted", updated.getString("status"));
    assertEquals(false, updated.getBoolean("deleted"));
    JsonObject removed = got.get(3).payload();
    assertEquals(true, removed.getBoolean("deleted"));
    assertNotNull(removed.getString("deleted_at"));
  }

  @Test
  @DisplayName("RabbitMQ down for 30 s mid-sequence (25 s stopped, then restarting): no API call fails or waits, no event lost")
  void brokerRestart() throws Exception {
    String before = api.create(new JsonObject().put("name", "before")).getString("id");
    // Wait until the broker confirmed it (it is then in the durable queue).
    awaitPending(0);
    rabbit.stop();
    long stoppedAt = System.nanoTime();
    List<String> ids = new ArrayList<>();
    byte[] data = Bytes.random(50_000, 43);
    long slowest = 0;
    java.util.concurrent.CompletableFuture<Void> restarted = null;
    // Calls for 25 s with the broker down, then on while it restarts (its start takes several seconds more).
    while (restarted == null || !restarted.isDone()) {
      long t0 = System.nanoTime();
      String id = api.create(new JsonObject().put("name", "during").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      assertEquals(204, api.upload(id, data).status());
      assertEquals(200, api.patch("/v2/images/" + id, new JsonArray().add(new JsonObject().put("op", "add")
          .put("path", "/color").put("value", "red"))).status());
      assertEquals(204, api.delete("/v2/images/" + id).status());
      slowest = Math.max(slowest, System.nanoTime() - t0);
      ids.add(id);
      if (restarted == null && System.nanoTime() - stoppedAt > Duration.ofSeconds(25).toNanos()) {
        assertFalse(glint.server().notifier().brokerConnected());
        assertEquals(ids.size() * 8, glint.server().notifier().pending(), "events waiting while the broker is down");
        restarted = java.util.concurrent.CompletableFuture.runAsync(() -> {
          try {
            rabbit.restart();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }
      Thread.sleep(1000);
    }
    restarted.join();
    long outage = Duration.ofNanos(System.nanoTime() - stoppedAt).toSeconds();
    assertTrue(outage >= 25, "outage of " + outage + " s");
    assertTrue(Duration.ofNanos(slowest).toMillis() < 3000,
        "a sequence of 4 calls took " + Duration.ofNanos(slowest).toMillis() + " ms while the broker was down");
    int expected = 1 + ids.size() * 8; // create; then create, update, prepare, upload, activate, update, update, delete
    awaitPending(0);
    assertTrue(glint.server().notifier().brokerConnected());

    Map<String, Received> unique = new LinkedHashMap<>(); // at least once: a resent batch may repeat a message
    for (Received r : take(INFO, expected, Duration.ofSeconds(10))) {
      unique.putIfAbsent(r.message().getString("message_id"), r);
    }
    assertEquals(expected, unique.size(), "events after the restart: " + types(new ArrayList<>(unique.values())));
    List<Received> all = new ArrayList<>(unique.values());
    assertEquals(before, all.get(0).payload().getString("id"));
    for (String id : ids) {
      List<String> ofImage = all.stream().filter(r -> id.equals(r.payload().getString("id"))).map(Received::type)
          .toList();
      assertEquals(List.of("image.create", "image.update", "image.prepare", "image.upload", "image.activate",
          "image.update", "image.update", "image.delete"), ofImage);
    }
    assertEquals(0, glint.server().notifier().dropped());
  }

  private static List<Received> take(String queue, int count, Duration wait) throws Exception {
    List<Received> out = new ArrayList<>();
    for (TestRabbit.Message m : rabbit.take(queue, count + 5, wait)) {
      JsonObject envelope = new JsonObject(m.body());
      out.add(new Received(m, new JsonObject(envelope.getString("oslo.message"))));
    }
    return out;
  }

  private static void awaitPending(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (glint.server().notifier().pending() != count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(count, glint.server().notifier().pending(), "notifications waiting for the broker");
  }

  @Test
  @DisplayName("disabled_notifications: exact types, groups and * patterns are not sent")
  void disabled() throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("oslo_messaging_notifications.driver", "messagingv2");
    settings.put("oslo_messaging_notifications.transport_url", rabbit.transportUrl());
    settings.put("oslo_messaging_notifications.topics", "filtered");
    settings.put("disabled_notifications", "image.update, image.member.*, *.upload, image.send");
    try (TestServer filtered = TestServer.start(settings)) {
      Api a = Api.as(filtered, "project-a", "member");
      String id = a.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare")
          .put("visibility", "shared")).getString("id");
      assertEquals(204, a.upload(id, Bytes.random(1000, 44)).status());
      assertEquals(200, a.download(id, Map.of()).status());
      assertEquals(200, a.post("/v2/images/" + id + "/members", new JsonObject().put("member", "project-b"))
          .status());
      assertEquals(204, a.delete("/v2/images/" + id).status());
      List<String> got = new ArrayList<>();
      for (TestRabbit.Message m : rabbit.take("filtered.info", 10, Duration.ofSeconds(5))) {
        got.add(new JsonObject(new JsonObject(m.body()).getString("oslo.message")).getString("event_type"));
      }
      assertEquals(List.of("image.create", "image.prepare", "image.activate", "image.delete"), got);
    }
  }

  @Test
  @DisplayName("the group form of disabled_notifications, as Glance reads it: 'image' is every image.* event")
  void groups() {
    NotificationFilter filter = new NotificationFilter(List.of("image", "task.success"));
    assertFalse(filter.enabled("image.create"));
    assertFalse(filter.enabled("image.member.create"));
    assertFalse(filter.enabled("task.success"));
    assertTrue(filter.enabled("task.failure"));
    assertTrue(filter.enabled("metadef_tag.create"));
  }

  @Test
  @DisplayName("an interoperable import: task.create, task.run, task.processing, task.success with Glance's task payload")
  void tasks() throws Exception {
    String id = api.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
    assertEquals(204, api.sendBytes("PUT", "/v2/images/" + id + "/stage", Bytes.random(10_000, 45),
        "application/octet-stream", Map.of()).status());
    assertEquals(202, api.post("/v2/images/" + id + "/import", new JsonObject().put("method",
        new JsonObject().put("name", "glance-direct"))).status());
    List<Received> taskEvents = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (taskEvents.size() < 4 && System.nanoTime() < deadline) {
      for (Received r : take(INFO, 1, Duration.ofSeconds(1))) {
        if (r.type().startsWith("task.")) {
          taskEvents.add(r);
        }
      }
    }
    assertEquals(List.of("task.create", "task.run", "task.processing", "task.success"), types(taskEvents));
    JsonObject done = taskEvents.get(3).payload();
    assertEquals(Set.of("id", "type", "status", "result", "owner", "message", "expires_at", "created_at",
        "updated_at", "deleted", "deleted_at"), done.fieldNames());
    assertEquals("api_image_import", done.getString("type"));
    assertEquals("success", done.getString("status"));
    assertEquals("project-a", done.getString("owner"));
    assertTrue(done.containsKey("result") && done.getValue("result") == null, "input and result are never sent");
    assertNotNull(done.getString("expires_at"));
    assertEquals("pending", taskEvents.get(0).payload().getString("status"));
    assertEquals("processing", taskEvents.get(2).payload().getString("status"));
  }

  @Test
  @DisplayName("the log driver: one JSON line per notification on oslo.messaging.notification.<type>; no password logged")
  void logDriver() throws Exception {
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture =
        new ch.qos.logback.core.AppenderBase<>() {
          @Override
          protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
            all.add(e.getLoggerName() + " " + e.getFormattedMessage());
            if (e.getLoggerName().startsWith("oslo.messaging.notification.")) {
              lines.add(e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage());
            }
          }
        };
    capture.start();
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(capture);
    Map<String, String> settings = new HashMap<>();
    settings.put("oslo_messaging_notifications.driver", "log,messagingv2");
    // A broker that is never reachable, with a password that must never be logged.
    settings.put("transport_url", "rabbit://glint:Pa55-never-logged@127.0.0.1:1,other:Pa55-never-logged@127.0.0.1:2/");
    settings.put("oslo_messaging_notifications.notification_buffer_size", "2");
    try (TestServer logged = TestServer.start(settings)) {
      Api a = Api.as(logged, "project-a", "member");
      String id = a.create(new JsonObject().put("name", "logged")).getString("id");
      assertEquals(204, a.delete("/v2/images/" + id).status());
      assertEquals(2, logged.server().notifier().pending());
      String another = a.create(new JsonObject().put("name", "dropped")).getString("id");
      assertEquals(1, logged.server().notifier().dropped(), "the buffer of 2 is full: the third is dropped");
      assertEquals(204, a.delete("/v2/images/" + another).status());
      io.glint.testing.Await.until(() -> lines.size() >= 4, Duration.ofSeconds(10), "four log lines");
    } finally {
      root.detachAppender(capture);
    }
    String create = lines.get(0);
    assertTrue(create.startsWith("oslo.messaging.notification.image.create INFO {"), create);
    JsonObject message = new JsonObject(create.substring(create.indexOf('{')));
    assertEquals("image.create", message.getString("event_type"));
    assertEquals("INFO", message.getString("priority"));
    assertEquals("logged", message.getJsonObject("payload").getString("name"));
    assertTrue(lines.get(1).startsWith("oslo.messaging.notification.image.delete INFO {"), lines.get(1));
    synchronized (all) {
      for (String line : all) {
        assertFalse(line.contains("Pa55-never-logged"), "a password in the log: " + line);
      }
    }
  }

  @Test
  @DisplayName("metadefs: metadef_namespace.*, metadef_tag.*, metadef_property.* with Glance's payloads")
  void metadefs() throws Exception {
    Api adm = Api.as(glint, "project-admin", "admin,member");
    assertEquals(201, adm.post("/v2/metadefs/namespaces", new JsonObject().put("namespace", "OS::Notified")
        .put("display_name", "Notified").put("visibility", "public")).status());
    assertEquals(201, adm.post("/v2/metadefs/namespaces/OS::Notified/tags/red", null).status());
    assertEquals(200, adm.send("PUT", "/v2/metadefs/namespaces/OS::Notified/tags/red",
        new JsonObject().put("name", "blue").encode(), "application/json").status());
    assertEquals(201, adm.post("/v2/metadefs/namespaces/OS::Notified/properties", new JsonObject()
        .put("name", "hw_cores").put("title", "Cores").put("type", "integer").put("minimum", 1)).status());
    assertEquals(204, adm.delete("/v2/metadefs/namespaces/OS::Notified").status());
    List<Received> got = take(INFO, 5);
    assertEquals(List.of("metadef_namespace.create", "metadef_tag.create", "metadef_tag.update",
        "metadef_property.create", "metadef_namespace.delete"), types(got));
    JsonObject ns = got.get(0).payload();
    assertEquals(Set.of("namespace", "namespace_old", "display_name", "protected", "visibility", "owner",
        "description", "created_at", "updated_at", "deleted", "deleted_at"), ns.fieldNames());
    assertEquals("OS::Notified", ns.getString("namespace"));
    assertEquals("public", ns.getString("visibility"));
    JsonObject renamed = got.get(2).payload();
    assertEquals("blue", renamed.getString("name"));
    assertEquals("red", renamed.getString("name_old"));
    assertEquals("OS::Notified", renamed.getString("namespace"));
    JsonObject property = got.get(3).payload();
    assertEquals("hw_cores", property.getString("name"));
    assertEquals("integer", property.getString("type"));
    assertEquals(1, property.getInteger("minimum"));
    assertTrue(property.containsKey("maxLength") && property.getValue("maxLength") == null);
    assertEquals(true, got.get(4).payload().getBoolean("deleted"));
  }
}
