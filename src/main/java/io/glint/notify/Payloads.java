package io.glint.notify;

import io.glint.auth.RequestContext;
import io.glint.event.DomainEvent;
import io.glint.event.EventFailure;
import io.glint.image.Image;
import io.glint.image.ImageSent;
import io.glint.image.IsoTime;
import io.glint.member.Member;
import io.glint.metadef.MetadefChange;
import io.glint.task.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The payloads of Glance's notifications ({@code glance/notifier.py}'s {@code format_*_notification}): field for
 * field, times as {@code YYYY-MM-DDThh:mm:ssZ}, locations never included (they may hold credentials).
 */
final class Payloads {
  private Payloads() {}

  /** The payload of {@code event}, or null when it carries nothing Glance would send. */
  static Object of(DomainEvent event) {
    Object subject = event.subject();
    return switch (event.type()) {
      case IMAGE_CREATE, IMAGE_UPDATE, IMAGE_ACTIVATE, IMAGE_DEACTIVATE, IMAGE_REACTIVATE ->
          subject instanceof Image i ? image(i) : null;
      case IMAGE_PREPARE, IMAGE_UPLOAD -> subject instanceof Image i ? withImport(image(i), i)
          : subject instanceof EventFailure f ? f.message() : null;
      case IMAGE_DELETE -> subject instanceof Image i ? deleted(image(i), event.at()) : null;
      case IMAGE_SEND -> subject instanceof ImageSent s ? send(s, event.actor()) : null;
      case IMAGE_MEMBER_CREATE, IMAGE_MEMBER_UPDATE -> subject instanceof Member m ? member(m) : null;
      case IMAGE_MEMBER_DELETE -> subject instanceof Member m ? deleted(member(m), event.at()) : null;
      case TASK_CREATE, TASK_RUN, TASK_PROCESSING, TASK_SUCCESS, TASK_FAILURE ->
          subject instanceof Task t ? task(t) : null;
      default -> subject instanceof MetadefChange c ? MetadefPayloads.of(event.type(), c, event.at()) : null;
    };
  }

  /** {@code format_image_notification}. */
  static Map<String, Object> image(Image image) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", image.id());
    p.put("name", image.name());
    p.put("status", image.status().wireName());
    p.put("created_at", IsoTime.render(image.createdAt()));
    p.put("updated_at", IsoTime.render(image.updatedAt()));
    p.put("min_disk", image.minDisk());
    p.put("min_ram", image.minRam());
    p.put("protected", image.isProtected());
    p.put("checksum", image.checksum());
    p.put("owner", image.owner());
    p.put("disk_format", image.diskFormat());
    p.put("container_format", image.containerFormat());
    p.put("size", image.size());
    p.put("virtual_size", image.virtualSize());
    p.put("is_public", "public".equals(image.visibility().wireName()));
    p.put("visibility", image.visibility().wireName());
    p.put("properties", new LinkedHashMap<>(image.properties()));
    p.put("tags", new ArrayList<>(image.tags()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  /** {@code image.prepare} and {@code image.upload} add the import's store lists ({@code _format_import_properties}). */
  private static Map<String, Object> withImport(Map<String, Object> payload, Image image) {
    payload.put("os_glance_importing_to_stores", split(image.properties().get("os_glance_importing_to_stores")));
    payload.put("os_glance_failed_import", split(image.properties().get("os_glance_failed_import")));
    return payload;
  }

  private static List<String> split(String value) {
    return value == null || value.isEmpty() ? List.of() : Arrays.asList(value.split(","));
  }

  /** {@code ImageProxy._format_image_send}, with the client's address as Glance's v1 sent it. */
  private static Map<String, Object> send(ImageSent sent, RequestContext actor) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("bytes_sent", sent.bytesSent());
    p.put("image_id", sent.image().id());
    p.put("owner_id", sent.image().owner());
    p.put("receiver_tenant_id", actor == null ? null : actor.projectId());
    p.put("receiver_user_id", actor == null ? null : actor.userId());
    p.put("destination_ip", sent.destinationIp());
    return p;
  }

  /** {@code format_image_member_notification}. */
  static Map<String, Object> member(Member member) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("image_id", member.imageId());
    p.put("member_id", member.memberId());
    p.put("status", member.status());
    p.put("created_at", IsoTime.render(member.createdAt()));
    p.put("updated_at", IsoTime.render(member.updatedAt()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  /** {@code format_task_notification}: the task's input, result and message are left out (they may hold secrets). */
  static Map<String, Object> task(Task task) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("id", task.id());
    p.put("type", task.type());
    p.put("status", task.status().wireName());
    p.put("result", null);
    p.put("owner", task.owner());
    p.put("message", null);
    p.put("expires_at", IsoTime.render(task.expiresAt()));
    p.put("created_at", IsoTime.render(task.createdAt()));
    p.put("updated_at", IsoTime.render(task.updatedAt()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  /** A deletion's payload: {@code deleted: true} and when. */
  static Map<String, Object> deleted(Map<String, Object> payload, Instant at) {
    payload.put("deleted", true);
    payload.put("deleted_at", IsoTime.render(at));
    return payload;
  }
}
