package io.glint.policy;

/**
 * What a caller asks to do, named as Glance's policy rules are ({@code glance/policies/}), so that an operator's
 * oslo.policy file names them too. Each is decided by its policy rule ({@link GlanceRules}, or the operator's)
 * together with the checks Glance makes in code ({@link DefaultRules}).
 */
public enum Action {
  ADD_IMAGE("add_image"),
  GET_IMAGE("get_image"),
  /** Listing images at all (each listed image is then subject to {@link #GET_IMAGE}). */
  GET_IMAGES("get_images"),
  MODIFY_IMAGE("modify_image"),
  DELETE_IMAGE("delete_image"),
  PUBLICIZE_IMAGE("publicize_image"),
  COMMUNITIZE_IMAGE("communitize_image"),
  /** Changing an image's owner (Glance decides it in code: admins only). */
  SET_IMAGE_OWNER("set_image_owner"),
  UPLOAD_IMAGE("upload_image"),
  /** The legacy v1 API's {@code x-glance-api-copy-from}: image data fetched from a URL (with upload_image). */
  COPY_FROM("copy_from"),
  DOWNLOAD_IMAGE("download_image"),
  DEACTIVATE("deactivate"),
  REACTIVATE("reactivate"),
  ADD_MEMBER("add_member"),
  GET_MEMBER("get_member"),
  GET_MEMBERS("get_members"),
  MODIFY_MEMBER("modify_member"),
  DELETE_MEMBER("delete_member"),
  /**
   * Adding, replacing or removing locations by JSON-patch; of an active image, only if
   * {@link #MODIFY_ACTIVE_IMAGE_LOCATIONS} allows it too.
   */
  SET_IMAGE_LOCATION("set_image_location"),
  /**
   * Glint's own rule: changing the locations of an active image (OSSN-0065: an owner could swap an active image's
   * data by adding a location and removing the original). Admins only unless an operator's policy file says
   * otherwise.
   */
  MODIFY_ACTIVE_IMAGE_LOCATIONS("modify_active_image_locations"),
  /** Showing an image's {@code locations}, {@code direct_url} and {@code stores}. */
  GET_IMAGE_LOCATION("get_image_location"),
  /** {@code DELETE /v2/stores/{store}/{image}}. */
  DELETE_IMAGE_LOCATION("delete_image_location"),
  STORES_INFO_DETAIL("stores_info_detail"),
  /** {@code GET /v2/cache}: the node's cached and queued images. */
  CACHE_LIST("cache_list"),
  /** {@code PUT /v2/cache/{id}}: queue an image for the prefetcher. */
  CACHE_IMAGE("cache_image"),
  /** {@code DELETE /v2/cache} and {@code DELETE /v2/cache/{id}}. */
  CACHE_DELETE("cache_delete"),
  /** copy-image imports of an active image into more stores. */
  COPY_IMAGE("copy_image"),
  /** The whole tasks API ({@code /v2/tasks}). */
  TASKS_API_ACCESS("tasks_api_access"),
  GET_TASK("get_task"),
  GET_TASKS("get_tasks"),
  ADD_TASK("add_task"),
  MODIFY_TASK("modify_task"),
  // Metadata definitions (glance/policies/metadef.py)
  GET_METADEF_NAMESPACE("get_metadef_namespace"),
  GET_METADEF_NAMESPACES("get_metadef_namespaces"),
  MODIFY_METADEF_NAMESPACE("modify_metadef_namespace"),
  ADD_METADEF_NAMESPACE("add_metadef_namespace"),
  DELETE_METADEF_NAMESPACE("delete_metadef_namespace"),
  GET_METADEF_OBJECT("get_metadef_object"),
  GET_METADEF_OBJECTS("get_metadef_objects"),
  MODIFY_METADEF_OBJECT("modify_metadef_object"),
  ADD_METADEF_OBJECT("add_metadef_object"),
  DELETE_METADEF_OBJECT("delete_metadef_object"),
  LIST_METADEF_RESOURCE_TYPES("list_metadef_resource_types"),
  GET_METADEF_RESOURCE_TYPE("get_metadef_resource_type"),
  ADD_METADEF_RESOURCE_TYPE_ASSOCIATION("add_metadef_resource_type_association"),
  REMOVE_METADEF_RESOURCE_TYPE_ASSOCIATION("remove_metadef_resource_type_association"),
  GET_METADEF_PROPERTY("get_metadef_property"),
  GET_METADEF_PROPERTIES("get_metadef_properties"),
  MODIFY_METADEF_PROPERTY("modify_metadef_property"),
  ADD_METADEF_PROPERTY("add_metadef_property"),
  REMOVE_METADEF_PROPERTY("remove_metadef_property"),
  GET_METADEF_TAG("get_metadef_tag"),
  GET_METADEF_TAGS("get_metadef_tags"),
  MODIFY_METADEF_TAG("modify_metadef_tag"),
  ADD_METADEF_TAG("add_metadef_tag"),
  ADD_METADEF_TAGS("add_metadef_tags"),
  DELETE_METADEF_TAG("delete_metadef_tag"),
  DELETE_METADEF_TAGS("delete_metadef_tags");

  private final String rule;

  Action(String rule) {
    this.rule = rule;
  }

  /** Glance's rule name. */
  public String rule() {
    return rule;
  }
}
