package io.glint.metadef;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The metadata definitions catalogue in storage. Duplicates fail with a conflict and missing children with a
 * not-found {@link io.glint.error.GlintException}, each with Glance's message; visibility and policy are the
 * caller's business ({@link MetadefService}).
 */
public interface MetadefRepository {

  // namespaces
  Future<List<Namespace>> listNamespaces(NamespaceQuery query);

  Future<Optional<Namespace>> findNamespace(String name);

  /** Creates a namespace and everything in it, in one transaction. */
  Future<Namespace> createNamespace(NamespaceContent content);

  Future<Namespace> updateNamespace(Namespace current, NamespaceFields fields);

  Future<Void> deleteNamespace(long id);

  Future<Void> deleteProperties(long namespaceId);

  Future<Void> deleteObjects(long namespaceId);

  Future<Void> deleteTags(long namespaceId);

  // resource types
  Future<List<ResourceType>> listResourceTypes();

  Future<List<Association>> associations(long namespaceId);

  /** The associations of several namespaces at once (the namespace list). */
  Future<Map<Long, List<Association>>> associations(List<Long> namespaceIds);

  Future<Association> associate(Namespace ns, Association association);

  Future<Boolean> dissociate(long namespaceId, String resourceType);

  // properties
  Future<List<Property>> properties(long namespaceId);

  Future<Optional<Property>> findProperty(long namespaceId, String name);

  Future<Property> addProperty(Namespace ns, Property property);

  Future<Property> updateProperty(Namespace ns, String oldName, Property property);

  Future<Boolean> removeProperty(long namespaceId, String name);

  // objects
  Future<List<MetaObject>> objects(long namespaceId);

  Future<Optional<MetaObject>> findObject(long namespaceId, String name);

  Future<MetaObject> addObject(Namespace ns, MetaObject object);

  Future<MetaObject> updateObject(Namespace ns, String oldName, MetaObject object);

  Future<Boolean> removeObject(long namespaceId, String name);

  // tags
  Future<List<Tag>> tags(TagQuery query);

  Future<Optional<Tag>> findTag(long namespaceId, String name);

  Future<Tag> addTag(Namespace ns, String name);

  /** Adds {@code names}; unless {@code append}, the namespace's other tags go first. One transaction. */
  Future<List<Tag>> addTags(Namespace ns, List<String> names, boolean append);

  Future<Tag> renameTag(Namespace ns, String oldName, String newName);

  Future<Boolean> removeTag(long namespaceId, String name);

  // the catalogue command
  /** Every namespace name. */
  Future<List<String>> namespaceNames();

  /**
   * Loads definition files in one transaction: each namespace created, or when it exists, replaced
   * ({@code overwrite}), or merged (children not yet there added; {@code preferNew} lets the file's version of an
   * existing child win); a namespace that exists is otherwise skipped.
   */
  Future<Void> load(List<NamespaceContent> contents, boolean merge, boolean preferNew, boolean overwrite);

  /** A whole namespace with its children (export). */
  Future<NamespaceContent> content(Namespace ns);

  /** Deletes every namespace and resource type. */
  Future<Void> unload();
}
