package io.glint.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules Glint registers, in oslo.policy's language: Glance Zed's defaults ({@code glance/policies/base.py},
 * {@code image.py}, {@code discovery.py}) for every {@link Action} Glint has, copied verbatim with their deprecated
 * {@code rule:default} fall-backs, plus Glint's own rules. With {@code enforce_new_defaults = False} (the
 * default) each deprecated check is OR-ed in, and {@code default} is {@code ""}, so these rules allow everyone and
 * Glance's in-code owner checks ({@link DefaultRules}) decide: the legacy profile. With it on, these strings alone
 * decide: the secure-RBAC profile (project admin, member and reader; a reader may only read).
 */
public final class GlanceRules {
  private GlanceRules() {}

  // glance/policies/base.py (Zed)
  static final String PROJECT_MEMBER = "role:member and project_id:%(project_id)s";
  static final String PROJECT_READER = "role:reader and project_id:%(project_id)s";
  static final String IMAGE_MEMBER_CHECK = "project_id:%(member_id)s";
  static final String COMMUNITY_VISIBILITY_CHECK = "'community':%(visibility)s";
  static final String PUBLIC_VISIBILITY_CHECK = "'public':%(visibility)s";
  static final String SHARED_VISIBILITY_CHECK = "'shared':%(visibility)s";
  static final String PROJECT_MEMBER_OR_IMAGE_MEMBER_OR_COMMUNITY_OR_PUBLIC_OR_SHARED =
      "role:member and (project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK + " or " + COMMUNITY_VISIBILITY_CHECK
          + " or " + PUBLIC_VISIBILITY_CHECK + " or " + SHARED_VISIBILITY_CHECK + ")";
  static final String PROJECT_READER_OR_IMAGE_MEMBER_OR_COMMUNITY_OR_PUBLIC_OR_SHARED =
      "role:reader and (project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK + " or " + COMMUNITY_VISIBILITY_CHECK
          + " or " + PUBLIC_VISIBILITY_CHECK + " or " + SHARED_VISIBILITY_CHECK + ")";
  static final String ADMIN_OR_PROJECT_MEMBER = "role:admin or (" + PROJECT_MEMBER + ")";
  static final String ADMIN_OR_PROJECT_READER = "role:admin or (" + PROJECT_READER + ")";
  static final String ADMIN_OR_PROJECT_READER_GET_IMAGE =
      "role:admin or (" + PROJECT_READER_OR_IMAGE_MEMBER_OR_COMMUNITY_OR_PUBLIC_OR_SHARED + ")";
  static final String ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE =
      "role:admin or (" + PROJECT_MEMBER_OR_IMAGE_MEMBER_OR_COMMUNITY_OR_PUBLIC_OR_SHARED + ")";
  static final String ADMIN_OR_PROJECT_MEMBER_CREATE_IMAGE =
      "role:admin or (" + PROJECT_MEMBER + " and project_id:%(owner)s)";
  static final String ADMIN_OR_SHARED_MEMBER = "role:admin or (role:member and " + IMAGE_MEMBER_CHECK + ")";
  static final String ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER =
      "role:admin or role:reader and (project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK + ")";
  static final String ADMIN = "role:admin";
  static final String DEFAULT = "rule:default";
  static final String PROJECT_READER_OR_PUBLIC_NAMESPACE =
      "role:reader and (project_id:%(project_id)s or " + PUBLIC_VISIBILITY_CHECK + ")";
  static final String ADMIN_OR_PROJECT_READER_GET_NAMESPACE =
      "role:admin or (" + PROJECT_READER_OR_PUBLIC_NAMESPACE + ")";
  static final String METADEF_ADMIN = "rule:metadef_admin";
  static final String METADEF_DEFAULT = "rule:metadef_default";

  private static final List<String> PROJECT = List.of("project");

  /** Every registered rule by name, in Glance's order. */
  public static Map<String, RuleDefault> all() {
    Map<String, RuleDefault> rules = new LinkedHashMap<>();
    add(rules, "default", "", "role:admin", List.of(),
        "Defines the default rule used for policies that historically had an empty policy in the supplied "
            + "policy.json file.");
    add(rules, "context_is_admin", ADMIN, null, List.of(), "Defines the rule for the is_admin:True check.");
    add(rules, "service_api", "role:service or role:admin", null, List.of(),
        "Default rule for the service-to-service API (Glance 2024.2 and later; no Glint default uses it).");
    image(rules, Action.ADD_IMAGE, ADMIN_OR_PROJECT_MEMBER_CREATE_IMAGE, DEFAULT, "Create new image");
    image(rules, Action.DELETE_IMAGE, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Deletes the image");
    image(rules, Action.GET_IMAGE, ADMIN_OR_PROJECT_READER_GET_IMAGE, DEFAULT, "Get specified image");
    image(rules, Action.GET_IMAGES, ADMIN_OR_PROJECT_READER, DEFAULT, "Get all available images");
    image(rules, Action.MODIFY_IMAGE, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Updates given image");
    image(rules, Action.PUBLICIZE_IMAGE, ADMIN, null, "Publicize given image");
    image(rules, Action.COMMUNITIZE_IMAGE, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Communitize given image");
    image(rules, Action.DOWNLOAD_IMAGE, ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE, DEFAULT, "Downloads given image");
    image(rules, Action.UPLOAD_IMAGE, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Uploads data to specified image");
    // Glance Queens' v1 rule (empty there, i.e. anyone who may upload); gone from Glance with v1.
    image(rules, Action.COPY_FROM, ADMIN_OR_PROJECT_MEMBER, DEFAULT,
        "Glint: legacy v1 API, copy image data from a URL (x-glance-api-copy-from)");
    // Glance deprecates rule:default here too; Glint keeps deleting data from a store admin-only in every profile.
    image(rules, Action.DELETE_IMAGE_LOCATION, ADMIN, null, "Deletes the location of given image");
    image(rules, Action.GET_IMAGE_LOCATION, ADMIN_OR_PROJECT_READER, DEFAULT, "Reads the location of the image");
    image(rules, Action.SET_IMAGE_LOCATION, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Sets location URI to given image");
    image(rules, Action.ADD_MEMBER, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Create image member");
    image(rules, Action.DELETE_MEMBER, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Delete image member");
    image(rules, Action.GET_MEMBER, ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, DEFAULT, "Show image member details");
    image(rules, Action.GET_MEMBERS, ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, DEFAULT, "List image members");
    image(rules, Action.MODIFY_MEMBER, ADMIN_OR_SHARED_MEMBER, DEFAULT, "Update image member");
    image(rules, Action.DEACTIVATE, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Deactivate image");
    image(rules, Action.REACTIVATE, ADMIN_OR_PROJECT_MEMBER, DEFAULT, "Reactivate image");
    image(rules, Action.STORES_INFO_DETAIL, ADMIN, null, "Expose store specific information");
    image(rules, Action.COPY_IMAGE, ADMIN, null, "Copy existing image to other stores");
    // glance/policies/cache.py
    image(rules, Action.CACHE_IMAGE, ADMIN, null, "Queue image for caching");
    image(rules, Action.CACHE_LIST, ADMIN, null, "List cache status");
    image(rules, Action.CACHE_DELETE, ADMIN, null, "Delete image(s) from cache and/or queue");
    // glance/policies/tasks.py: the tasks API is admin-only through tasks_api_access; the others are internal.
    image(rules, Action.GET_TASK, DEFAULT, DEFAULT, "Get an image task.");
    image(rules, Action.GET_TASKS, DEFAULT, DEFAULT, "List tasks for all images.");
    image(rules, Action.ADD_TASK, DEFAULT, DEFAULT, "List tasks for all images.");
    image(rules, Action.MODIFY_TASK, DEFAULT, null, "This policy is not used.");
    image(rules, Action.TASKS_API_ACCESS, ADMIN, null, "Generic blanket policy for protecting all task APIs.");
    // glance/policies/metadef.py (Zed): reads open to all with the legacy defaults (rule:metadef_default),
    // writes admin-only (rule:metadef_admin) in every profile.
    add(rules, "metadef_default", "", null, List.of(), "Default rule of the metadata definition reads.");
    add(rules, "metadef_admin", "role:admin", null, List.of(), "Rule of the metadata definition writes.");
    image(rules, Action.GET_METADEF_NAMESPACE, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "Get a specific namespace.");
    image(rules, Action.GET_METADEF_NAMESPACES, ADMIN_OR_PROJECT_READER, METADEF_DEFAULT, "List namespace.");
    image(rules, Action.MODIFY_METADEF_NAMESPACE, METADEF_ADMIN, null, "Modify an existing namespace.");
    image(rules, Action.ADD_METADEF_NAMESPACE, METADEF_ADMIN, null, "Create a namespace.");
    image(rules, Action.DELETE_METADEF_NAMESPACE, METADEF_ADMIN, null, "Delete a namespace.");
    image(rules, Action.GET_METADEF_OBJECT, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "Get a specific object from a namespace.");
    image(rules, Action.GET_METADEF_OBJECTS, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "Get objects from a namespace.");
    image(rules, Action.MODIFY_METADEF_OBJECT, METADEF_ADMIN, null, "Update an object within a namespace.");
    image(rules, Action.ADD_METADEF_OBJECT, METADEF_ADMIN, null, "Create an object within a namespace.");
    image(rules, Action.DELETE_METADEF_OBJECT, METADEF_ADMIN, null, "Delete an object within a namespace.");
    image(rules, Action.LIST_METADEF_RESOURCE_TYPES, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "List meta definition resource types.");
    image(rules, Action.GET_METADEF_RESOURCE_TYPE, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "Get meta definition resource types associations.");
    image(rules, Action.ADD_METADEF_RESOURCE_TYPE_ASSOCIATION, METADEF_ADMIN, null, "Create meta definition resource types association.");
    image(rules, Action.REMOVE_METADEF_RESOURCE_TYPE_ASSOCIATION, METADEF_ADMIN, null, "Delete meta definition resource types association.");
    image(rules, Action.GET_METADEF_PROPERTY, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "Get a specific meta definition property.");
    image(rules, Action.GET_METADEF_PROPERTIES, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "List meta definition properties.");
    image(rules, Action.MODIFY_METADEF_PROPERTY, METADEF_ADMIN, null, "Update meta definition property.");
    image(rules, Action.ADD_METADEF_PROPERTY, METADEF_ADMIN, null, "Create meta definition property.");
    image(rules, Action.REMOVE_METADEF_PROPERTY, METADEF_ADMIN, null, "Delete meta definition property.");
    image(rules, Action.GET_METADEF_TAG, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "Get tag definition.");
    image(rules, Action.GET_METADEF_TAGS, ADMIN_OR_PROJECT_READER_GET_NAMESPACE, METADEF_DEFAULT, "List tag definitions.");
    image(rules, Action.MODIFY_METADEF_TAG, METADEF_ADMIN, null, "Update tag definition.");
    image(rules, Action.ADD_METADEF_TAG, METADEF_ADMIN, null, "Add tag definition.");
    image(rules, Action.ADD_METADEF_TAGS, METADEF_ADMIN, null, "Create tag definitions.");
    image(rules, Action.DELETE_METADEF_TAG, METADEF_ADMIN, null, "Delete tag definition.");
    image(rules, Action.DELETE_METADEF_TAGS, METADEF_ADMIN, null, "Delete tag definitions.");
    // Glint's own rules: decisions Glance makes in code, named so that an operator's file can change them.
    image(rules, Action.SET_IMAGE_OWNER, "rule:context_is_admin", null,
        "Glint: change an image's owner (Glance: admins only, in code)");
    image(rules, Action.MODIFY_ACTIVE_IMAGE_LOCATIONS, "rule:context_is_admin", null,
        "Glint: add, replace or remove locations of an active image (OSSN-0065); 'rule:default' restores Glance's "
            + "behaviour, where set_image_location alone decides");
    for (Action action : Action.values()) {
      if (!rules.containsKey(action.rule())) {
        throw new IllegalStateException("No registered rule for " + action.rule());
      }
    }
    return rules;
  }

  private static void image(Map<String, RuleDefault> rules, Action action, String check, String deprecated,
      String description) {
    add(rules, action.rule(), check, deprecated, PROJECT, description);
  }

  private static void add(Map<String, RuleDefault> rules, String name, String check, String deprecated,
      List<String> scopes, String description) {
    rules.put(name, new RuleDefault(name, check, deprecated, scopes, description));
  }
}
