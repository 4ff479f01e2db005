package io.glint.v1;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.Image;
import io.glint.image.ImageDataService;
import io.glint.image.ImageLocations;
import io.glint.image.ImageQuery;
import io.glint.image.ImageQueryParser;
import io.glint.image.ImageRequests;
import io.glint.image.ImageService;
import io.glint.image.ImageStatus;
import io.glint.image.IsoTime;
import io.glint.image.PatchOp;
import io.glint.image.Visibility;
import io.glint.net.GuardedFetch;
import io.vertx.core.Future;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The v1 images use cases as Glance Queens' {@code glance/api/v1/images.py} had them, each translated into calls
 * of the domain services that serve v2 too ({@link ImageService}, {@link ImageDataService},
 * {@link ImageLocations}): v1's header metadata becomes a v2 create body or JSON-patch, checked by the same
 * {@link ImageRequests}, so that visibility, policy, property protections, quotas, stores and checksums hold
 * through both doors.
 */
final class V1Images {
  private static final Logger LOG = LoggerFactory.getLogger(V1Images.class);

  /** Glance v1's {@code SUPPORTED_SORT_KEYS}. */
  static final List<String> SORT_KEYS = ImageQuery.SORT_KEYS;
  /** The v1 core fields a v2 create or patch takes. */
  private static final List<String> MAPPED = List.of("name", "disk_format", "container_format", "min_disk",
      "min_ram", "protected", "owner");

  private final ImageService service;
  private final ImageDataService data;
  private final ImageLocations locations;
  private final ImageQueryParser queryParser;
  private final ImageRequests requests;
  private final GuardedFetch fetch;
  private final io.glint.policy.Policy policy;

  V1Images(ImageService service, ImageDataService data, ImageLocations locations, ImageQueryParser queryParser,
      GuardedFetch fetch, io.glint.policy.Policy policy) {
    this.policy = policy;
    this.service = service;
    this.data = data;
    this.locations = locations;
    this.queryParser = queryParser;
    this.requests = new ImageRequests(service.rules());
    this.fetch = fetch;
  }

  ImageService service() {
    return service;
  }

  ImageDataService data() {
    return data;
  }

  // ---- listing ----

  /**
   * {@code GET /v1/images[/detail]}: v1's filters and paging turned into a v2 query. As in Queens, shared images
   * are listed whatever the member's status; an admin sees every image only with {@code is_public=none}
   * (without it, or with {@code true}, an admin lists as a user would), and with {@code false} every non-public one.
   */
  Future<List<Image>> list(RequestContext ctx, List<Map.Entry<String, String>> params) {
    Map<String, String> p = new LinkedHashMap<>();
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : params) {
      if (e.getKey().startsWith("property-")) {
        properties.putIfAbsent(e.getKey().substring("property-".length()), e.getValue());
      } else {
        p.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    List<Map.Entry<String, String>> v2 = new ArrayList<>();
    for (String column : List.of("name", "status", "container_format", "disk_format")) {
      if (p.containsKey(column)) {
        v2.add(entry(column, "eq:" + p.get(column)));
      }
    }
    for (String key : List.of("min_ram", "min_disk", "size_min", "size_max")) {
      if (p.containsKey(key)) {
        v2.add(entry(key, p.get(key)));
      }
    }
    if (p.containsKey("protected")) {
      Boolean prot = v1Bool(p.get("protected"));
      if (prot == null) {
        throw GlintException.badRequest("protected must be True, or False");
      }
      v2.add(entry("protected", prot.toString()));
    }
    if (p.containsKey("changes-since")) {
      if (IsoTime.parse(p.get("changes-since")) == null) {
        throw GlintException.badRequest("Unrecognized changes-since value");
      }
      v2.add(entry("updated_at", "gt:" + p.get("changes-since")));
    }
    String sortKey = p.getOrDefault("sort_key", "created_at");
    if (!SORT_KEYS.contains(sortKey)) {
      throw GlintException.badRequest("Unsupported sort_key. Acceptable values: " + String.join(", ", SORT_KEYS));
    }
    String sortDir = p.getOrDefault("sort_dir", "desc");
    if (!sortDir.equals("asc") && !sortDir.equals("desc")) {
      throw GlintException.badRequest("Unsupported sort_dir. Acceptable values: asc, desc");
    }
    v2.add(entry("sort_key", sortKey));
    v2.add(entry("sort_dir", sortDir));
    String marker = p.get("marker");
    if (marker != null && !marker.isEmpty()) {
      if (!io.glint.image.ImageRules.UUID.matcher(marker).matches()) {
        throw GlintException.badRequest("Invalid marker format");
      }
      v2.add(entry("marker", marker));
    }
    if (p.containsKey("limit")) {
      v2.add(entry("limit", p.get("limit")));
    }
    v2.add(entry("member_status", "all"));
    RequestContext asked = ctx;
    boolean nonPublicOnly = false;
    if (ctx.admin()) {
      String isPublic = p.get("is_public");
      if (isPublic == null) {
        asked = ctx.withAdmin(false);
      } else if (!isPublic.equalsIgnoreCase("none")) {
        Boolean b = v1Bool(isPublic);
        if (b == null) {
          throw GlintException.badRequest("is_public must be None, True, or False");
        }
        if (b) {
          asked = ctx.withAdmin(false);
        } else {
          nonPublicOnly = true;
        }
      }
    }
    ImageQuery parsed;
    try {
      parsed = queryParser.parse(v2);
    } catch (GlintException e) {
      throw GlintException.badRequest(e.getMessage());
    }
    if (!properties.isEmpty()) {
      Map<String, String> props = new LinkedHashMap<>(parsed.properties());
      props.putAll(properties);
      parsed = new ImageQuery(parsed.limit(), parsed.marker(), parsed.sort(), parsed.visibility(),
          parsed.memberStatus(), parsed.osHidden(), parsed.protectedFilter(), parsed.columnFilters(), parsed.ranges(),
          parsed.times(), parsed.tags(), props);
    }
    boolean onlyNonPublic = nonPublicOnly;
    return service.list(asked, parsed).map(page -> page.images().stream()
        .filter(i -> !onlyNonPublic || i.visibility() != Visibility.PUBLIC)
        .map(i -> service.readable(ctx, i))
        .toList());
  }

  /** The registry's {@code _get_bool}: true/1, false/0 (any case), else null. */
  private static Boolean v1Bool(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("1")) {
      return true;
    }
    if (v.equals("false") || v.equals("0")) {
      return false;
    }
    return null;
  }

  private static Map.Entry<String, String> entry(String k, String v) {
    return new AbstractMap.SimpleImmutableEntry<>(k, v);
  }

  // ---- one image ----

  /** {@code HEAD /v1/images/{id}}: the image as the caller may see it. */
  Future<Image> meta(RequestContext ctx, String id) {
    return service.get(ctx, id).map(i -> service.readable(ctx, i));
  }

  /**
   * {@code GET /v1/images/{id}}: an active image and its data (empty when it has none); a deactivated one is a 403
   * for non-admins, any other status a 404 (Glance's {@code get_active_image_meta_or_error}).
   */
  Future<Download> download(RequestContext ctx, String id, String range) {
    return service.get(ctx, id).compose(image -> {
      if (image.status() == ImageStatus.DEACTIVATED && !ctx.admin()) {
        throw GlintException.forbidden("The requested image has been deactivated. Image data download is forbidden.");
      }
      if (image.status() != ImageStatus.ACTIVE && image.status() != ImageStatus.DEACTIVATED) {
        throw GlintException.notFound("Image " + id + " is not active");
      }
      return data.download(ctx, image, range, null)
          .map(found -> new Download(service.readable(ctx, image), found.orElse(null)));
    });
  }

  /** An image and its data to send (null data: none to send, an empty body). */
  record Download(Image image, ImageDataService.Download data) {}

  // ---- create / update ----

  /** Where a create or update takes its data from, if anywhere (v1 allows one source at most). */
  enum Source { NONE, BODY, COPY_FROM, LOCATION }

  static Source source(V1Meta meta, boolean body, String copyFrom) {
    List<Source> given = new ArrayList<>();
    if (copyFrom != null) {
      given.add(Source.COPY_FROM);
    }
    if (meta.get("location") != null) {
      given.add(Source.LOCATION);
    }
    if (body) {
      given.add(Source.BODY);
    }
    if (given.size() >= 2) {
      throw GlintException.badRequest("It's invalid to provide multiple image sources.");
    }
    return given.isEmpty() ? Source.NONE : given.get(0);
  }

  /**
   * Checks a copy-from URL before anything is saved: policy {@code copy_from} (on the image to be made, or
   * {@code image} being updated), then an http(s) URL the outbound guard accepts.
   */
  Future<Void> checkSource(RequestContext ctx, Image image, Source source, String copyFrom) {
    if (source == Source.COPY_FROM) {
      try {
        policy.enforce(ctx, io.glint.policy.Action.COPY_FROM, image != null ? io.glint.policy.Target.of(image)
            : io.glint.policy.Target.newImage(ctx.owner(), Visibility.SHARED));
      } catch (GlintException e) {
        return Future.failedFuture(e);
      }
      String url = copyFrom.strip();
      String lower = url.toLowerCase(Locale.ROOT);
      if (url.isEmpty()) {
        return Future.failedFuture(GlintException.badRequest("External source should not be empty"));
      }
      if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
        return Future.failedFuture(GlintException.badRequest("External sources are not supported: '" + url + "'"));
      }
      return fetch.check(url).<Void>mapEmpty()
          .recover(e -> Future.failedFuture(GlintException.badRequest("External sources are not supported: '"
              + url + "': " + e.getMessage())));
    }
    return Future.succeededFuture();
  }

  /** The v2 create body for a v1 create: the core fields it maps, {@code is_public} as visibility, properties. */
  io.glint.image.NewImage newImage(V1Meta meta) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (meta.get("id") != null) {
      body.put("id", meta.get("id"));
    }
    for (String field : MAPPED) {
      if (meta.has(field) && meta.get(field) != null) {
        body.put(field, coreValue(meta, field));
      }
    }
    if (meta.has("is_public")) {
      body.put("visibility", Boolean.TRUE.equals(meta.bool("is_public")) ? "public" : "shared");
    }
    meta.properties().forEach((k, v) -> body.put(k, v == null ? "" : v));
    return requests.parseCreate(body);
  }

  private static Object coreValue(V1Meta meta, String field) {
    return switch (field) {
      case "min_disk", "min_ram" -> meta.longValue(field);
      case "protected" -> meta.bool(field);
      default -> meta.get(field);
    };
  }

  Future<Image> create(RequestContext ctx, V1Meta meta) {
    return service.create(ctx, newImage(meta));
  }

  /**
   * The patch of a v1 update: the core fields sent that differ, {@code is_public} as visibility, every property
   * sent, and, when {@code purge}, the removal of each property the caller can read and did not resend (one it
   * cannot read is kept, as in Glance).
   */
  List<PatchOp> patch(RequestContext ctx, Image image, V1Meta meta, boolean purge) {
    List<Object> ops = new ArrayList<>();
    for (String field : MAPPED) {
      if (!meta.has(field)) {
        continue;
      }
      Object wanted = coreValue(meta, field);
      Object current = switch (field) {
        case "name" -> image.name();
        case "disk_format" -> image.diskFormat();
        case "container_format" -> image.containerFormat();
        case "min_disk" -> (long) image.minDisk();
        case "min_ram" -> (long) image.minRam();
        case "protected" -> image.isProtected();
        default -> image.owner();
      };
      if (wanted == null && (field.equals("min_disk") || field.equals("min_ram") || field.equals("protected"))) {
        continue;
      }
      if (!Objects.equals(wanted, current)) {
        ops.add(op("replace", field, wanted));
      }
    }
    if (meta.has("is_public")) {
      Visibility v = Boolean.TRUE.equals(meta.bool("is_public")) ? Visibility.PUBLIC : Visibility.SHARED;
      if (v != image.visibility()) {
        ops.add(op("replace", "visibility", v.wireName()));
      }
    }
    Map<String, String> readable = service.readable(ctx, image).properties();
    for (Map.Entry<String, String> p : meta.properties().entrySet()) {
      String value = p.getValue() == null ? "" : p.getValue();
      if (!value.equals(readable.get(p.getKey()))) {
        ops.add(op("add", p.getKey(), value));
      }
    }
    if (purge) {
      Set<String> sent = meta.properties().keySet();
      for (String key : readable.keySet()) {
        if (!sent.contains(key) && !key.startsWith("os_glance")) {
          ops.add(op("remove", key, null));
        }
      }
    }
    return requests.parsePatch(ops, false);
  }

  private static Map<String, Object> op(String op, String field, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("path", "/" + field.replace("~", "~0").replace("/", "~1"));
    if (!op.equals("remove")) {
      m.put("value", value);
    }
    return m;
  }

  /**
   * v1's checks of an update before anything changes: a status or id change is a 403, so is a size or checksum
   * change of an active or deactivated image by a non-admin; data only to a queued image (409), a location only
   * to a queued image (400).
   */
  static void checkUpdate(RequestContext ctx, Image image, V1Meta meta, Source source) {
    String status = image.status().wireName();
    if (!ctx.admin() && (image.status() == ImageStatus.ACTIVE || image.status() == ImageStatus.DEACTIVATED)) {
      for (String key : List.of("size", "checksum")) {
        if (meta.has(key) && !Objects.equals(meta.get(key), key.equals("size")
            ? (image.size() == null ? null : image.size().toString()) : image.checksum())) {
          throw GlintException.forbidden("Forbidden to modify '" + key + "' of " + status + " image.");
        }
      }
    }
    if (meta.has("status") && !Objects.equals(meta.get("status"), status)) {
      throw GlintException.forbidden("Forbidden to modify 'status' of image.");
    }
    if (meta.has("id") && !Objects.equals(meta.get("id"), image.id())) {
      throw GlintException.forbidden("Forbidden to modify 'id' of image.");
    }
    if (source == Source.BODY && image.status() != ImageStatus.QUEUED) {
      throw GlintException.conflict("Cannot upload to an unqueued image");
    }
    if (source == Source.LOCATION && image.status() != ImageStatus.QUEUED) {
      throw GlintException.badRequest("Attempted to update Location field for an image not in queued status.");
    }
  }

  Future<Image> update(RequestContext ctx, String id, V1Meta meta, Source source, String copyFrom,
      boolean purgeHeader) {
    return service.get(ctx, id).compose(image -> {
      checkUpdate(ctx, image, meta, source);
      return checkSource(ctx, image, source, copyFrom)
          .compose(v -> service.update(ctx, id, patch(ctx, image, meta, purgeHeader && source != Source.BODY)));
    });
  }

  /** Disk and container formats are needed before data (Glance's {@code _validate_image_for_activation}). */
  static void requireFormats(String diskFormat, String containerFormat) {
    if (diskFormat == null) {
      throw GlintException.badRequest("Disk format is not specified.");
    }
    if (containerFormat == null) {
      throw GlintException.badRequest("Container format is not specified.");
    }
  }

  /**
   * Data from the request body: the same streaming upload as {@code PUT /v2/images/{id}/file}. A checksum sent in
   * {@code x-image-meta-checksum} must match what the store computed; else the image is deleted with its data
   * (Glance killed it) and the caller gets a 400.
   */
  Future<Image> upload(RequestContext ctx, String id, V1Meta meta, ImageDataService.Upload upload) {
    return data.upload(ctx, id, upload).compose(image -> verifyChecksum(ctx, image, meta));
  }

  private Future<Image> verifyChecksum(RequestContext ctx, Image image, V1Meta meta) {
    String expected = meta.get("checksum");
    if (expected == null || expected.equals(image.checksum())) {
      return Future.succeededFuture(image);
    }
    String message = "Supplied checksum (" + expected + ") and checksum generated from uploaded image ("
        + image.checksum() + ") did not match. Setting image status to 'killed'.";
    LOG.warn("Image {}: {}", image.id(), message);
    return service.delete(ctx, image.id())
        .transform(ar -> Future.failedFuture(GlintException.badRequest(message)));
  }

  /**
   * {@code x-glance-api-copy-from}: fetched through the outbound guard and streamed into the store with the same
   * upload path, after the response (Glance copied asynchronously too). A failed copy leaves the image queued with
   * no data.
   */
  void copyFrom(RequestContext ctx, String id, String url, V1Meta meta, String store) {
    fetch.get(url.strip())
        .compose(fetched -> {
          Long length = fetched.length() >= 0 ? fetched.length() : null;
          ImageDataService.Upload upload = new ImageDataService.Upload(fetched.response(), length,
              meta.longValue("size"), store, () -> { }, () -> null);
          return data.upload(ctx, id, upload)
              .onFailure(e -> fetched.abandon())
              .compose(image -> verifyChecksum(ctx, image, meta));
        })
        .onSuccess(image -> LOG.info("Image {} copied from {}: {} bytes", id, url, image.size()))
        .onFailure(e -> LOG.warn("Copy of image {} from {} failed: {}", id, url, e.getMessage()));
  }

  /**
   * {@code x-image-meta-location}: the URL registered as the image's location (which activates it) through
   * {@link ImageLocations#register}; a size sent that differs from what the store reports is a 409.
   */
  Future<Image> register(RequestContext ctx, String id, String url, V1Meta meta) {
    return locations.register(ctx, id, url).map(patched -> {
      Long given = meta.longValue("size");
      Long stored = patched.image().size();
      if (given != null && given > 0 && stored != null && !given.equals(stored)) {
        throw GlintException.conflict("Provided image size must match the stored image size. (provided size: "
            + given + ", stored size: " + stored + ")");
      }
      return patched.image();
    });
  }

  /**
   * {@code DELETE /v1/images/{id}}: a pending_delete image is a 403 (Glance v1), the rest as v2's delete
   * (protected: 403).
   */
  Future<Void> delete(RequestContext ctx, String id) {
    return service.get(ctx, id).compose(image -> {
      if (image.status() == ImageStatus.PENDING_DELETE) {
        throw GlintException.forbidden("Forbidden to delete a pending_delete image.");
      }
      if (image.isProtected()) {
        throw GlintException.forbidden("Image is protected");
      }
      return service.delete(ctx, id);
    });
  }
}
