package io.glint.image;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Renders images as Glance's v2 image view ({@code ResponseSerializer._format_image}). */
public final class ImageJson {
  private ImageJson() {}

  public static JsonObject render(Image i) {
    JsonObject view = new JsonObject();
    i.properties().forEach(view::put);
    view.put("name", i.name())
        .put("disk_format", i.diskFormat())
        .put("container_format", i.containerFormat())
        .put("visibility", i.visibility().wireName())
        .put("size", i.size())
        .put("virtual_size", i.virtualSize())
        .put("status", i.status().wireName())
        .put("checksum", i.checksum())
        .put("protected", i.isProtected())
        .put("min_ram", i.minRam())
        .put("min_disk", i.minDisk())
        .put("owner", i.owner())
        .put("os_hidden", i.osHidden())
        .put("os_hash_algo", i.osHashAlgo())
        .put("os_hash_value", i.osHashValue())
        .put("id", i.id())
        .put("created_at", IsoTime.render(i.createdAt()))
        .put("updated_at", IsoTime.render(i.updatedAt()))
        .put("tags", new JsonArray(new java.util.ArrayList<>(i.tags())))
        .put("self", "/v2/images/" + i.id())
        .put("file", "/v2/images/" + i.id() + "/file")
        .put("schema", "/v2/schemas/image");
    return view;
  }
}
