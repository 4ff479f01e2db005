package io.glint.image;

import io.glint.error.GlintException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v2/images/{id}/import}, checked as Glance's deserializer does
 * ({@code _validate_import_body}): a method with a name among the enabled ones, booleans where booleans belong.
 *
 * @param body the body as given (kept as the task's {@code import_req})
 * @param stores the {@code stores} list, or null when absent
 */
public record ImportRequest(Map<String, Object> body, String method, String uri, List<String> stores,
    boolean allStores, boolean allStoresMustSucceed, boolean allStoresGiven) {

  public static final String GLANCE_DIRECT = "glance-direct";
  public static final String WEB_DOWNLOAD = "web-download";
  public static final String COPY_IMAGE = "copy-image";
  public static final String GLANCE_DOWNLOAD = "glance-download";

  /** The {@code method} object of the body. */
  public Map<?, ?> methodObject() {
    return (Map<?, ?>) body.get("method");
  }

  @SuppressWarnings("unchecked")
  public static ImportRequest parse(Object json, List<String> enabledMethods) {
    if (!(json instanceof Map<?, ?> map)) {
      throw GlintException.badRequest("Import request requires a 'method' field.");
    }
    Map<String, Object> body = new LinkedHashMap<>((Map<String, Object>) map);
    Object method = body.get("method");
    if (!body.containsKey("method")) {
      throw GlintException.badRequest("Import request requires a 'method' field.");
    }
    if (!(method instanceof Map<?, ?> m) || !m.containsKey("name")) {
      throw GlintException.badRequest("Import request requires a 'name' field.");
    }
    Object name = m.get("name");
    if (!(name instanceof String n) || !enabledMethods.contains(n)) {
      throw GlintException.badRequest("Unknown import method name '" + name + "'.");
    }
    Object mustSucceed = body.getOrDefault("all_stores_must_succeed", Boolean.TRUE);
    if (!(mustSucceed instanceof Boolean)) {
      throw GlintException.badRequest("'all_stores_must_succeed' must be boolean value only");
    }
    Object allStores = body.getOrDefault("all_stores", Boolean.FALSE);
    if (!(allStores instanceof Boolean)) {
      throw GlintException.badRequest("'all_stores' must be boolean value only");
    }
    List<String> stores = null;
    if (body.containsKey("stores")) {
      if (!(body.get("stores") instanceof List<?> list)) {
        throw GlintException.badRequest("'stores' must be a list of store identifiers");
      }
      stores = new ArrayList<>();
      for (Object s : list) {
        if (!(s instanceof String id)) {
          throw GlintException.badRequest("'stores' must be a list of store identifiers");
        }
        stores.add(id);
      }
    }
    if (ImportRequest.GLANCE_DOWNLOAD.equals(name) && !m.containsKey("glance_service_interface")) {
      Map<String, Object> withDefault = new LinkedHashMap<>((Map<String, Object>) m);
      withDefault.put("glance_service_interface", "public");
      body.put("method", withDefault);
    }
    Object uri = m.get("uri");
    return new ImportRequest(body, (String) name, uri instanceof String u ? u : null, stores, (Boolean) allStores,
        (Boolean) mustSucceed, body.containsKey("all_stores"));
  }
}
