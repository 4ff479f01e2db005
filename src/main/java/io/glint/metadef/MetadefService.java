package io.glint.metadef;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.event.DomainEvent;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.image.Visibility;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The metadata definitions catalogue as Glance's metadef controllers decide it: a namespace is visible to admins,
 * to its owner project, and to everyone when public (or when it has no owner); one out of reach is a 404; the
 * metadef policies ({@code get_metadef_*} open by default, writes {@code rule:metadef_admin}) are asked for every
 * action with the namespace's owner and visibility as target, and a denied action on a namespace the caller
 * cannot read is a 404 too ({@code MetadefAPIPolicy._enforce}); protected namespaces refuse deletes (403).
 */
public final class MetadefService {
  private final MetadefRepository repo;
  private final Policy policy;
  private DomainEvents events;

  public MetadefService(MetadefRepository repo, Policy policy) {
    this.repo = repo;
    this.policy = policy;
  }

  /** Announces committed changes on {@code events} (Glance's {@code metadef_*} notifications). */
  public MetadefService withEvents(DomainEvents events) {
    this.events = events;
    return this;
  }

  private void announce(RequestContext ctx, EventType type, Namespace ns, Object item, String oldName) {
    if (events != null) {
      events.publish(DomainEvent.of(type, null, new MetadefChange(ns, item, oldName), ctx));
    }
  }

  /** A namespace page with the resource type associations of each listed namespace. */
  public record NamespacePage(List<Namespace> namespaces, Map<Long, List<Association>> associations) {}

  /** A namespace and everything in it (show). */
  public record NamespaceDetail(Namespace namespace, List<Association> associations, List<Property> properties,
      List<MetaObject> objects, List<Tag> tags) {}

  // ---------------------------------------------------------------------------------------------- namespaces

  /** The list; {@code markerName} (may be null) is looked up as Glance does, 404/403 when missing/invisible. */
  public Future<NamespacePage> list(RequestContext ctx, String markerName, String visibility,
      List<String> resourceTypes, int limit, String sortKey, boolean ascending) {
    Target caller = Target.project(ctx.projectId());
    policy.enforce(ctx, Action.GET_METADEF_NAMESPACES, caller);
    policy.enforce(ctx, Action.LIST_METADEF_RESOURCE_TYPES, caller);
    Future<Namespace> marker = markerName == null ? Future.succeededFuture() : repo.findNamespace(markerName)
        .map(found -> {
          Namespace ns = found.orElseThrow(() -> notFound(markerName));
          if (!visible(ctx, ns)) {
            throw GlintException.forbidden(
                "Forbidding request, metadata definition namespace=" + markerName + " is not visible.");
          }
          return ns;
        });
    return marker
        .compose(m -> repo.listNamespaces(new NamespaceQuery(ctx.admin(), ctx.owner(), visibility, resourceTypes,
            m, limit, sortKey, ascending)))
        .map(all -> all.stream().filter(ns -> policy.allows(ctx, Action.GET_METADEF_NAMESPACE, target(ns))).toList())
        .compose(page -> repo.associations(page.stream().map(Namespace::id).toList())
            .map(assocs -> new NamespacePage(page, assocs)));
  }

  public Future<Namespace> create(RequestContext ctx, NamespaceContent content) {
    Target caller = Target.project(ctx.projectId());
    policy.enforce(ctx, Action.ADD_METADEF_NAMESPACE, caller);
    if (!content.associations().isEmpty()) {
      policy.enforce(ctx, Action.ADD_METADEF_RESOURCE_TYPE_ASSOCIATION, caller);
    }
    if (!content.objects().isEmpty()) {
      policy.enforce(ctx, Action.ADD_METADEF_OBJECT, caller);
    }
    if (!content.properties().isEmpty()) {
      policy.enforce(ctx, Action.ADD_METADEF_PROPERTY, caller);
    }
    if (!content.tags().isEmpty()) {
      policy.enforce(ctx, Action.ADD_METADEF_TAG, caller);
    }
    return repo.createNamespace(content)
        .onSuccess(ns -> announce(ctx, EventType.METADEF_NAMESPACE_CREATE, ns, null, null));
  }

  public Future<NamespaceDetail> show(RequestContext ctx, String name) {
    return repo.findNamespace(name).map(found -> {
      Namespace ns = found.orElseThrow(() -> notFound(name));
      if (!visible(ctx, ns) || !policy.allows(ctx, Action.GET_METADEF_NAMESPACE, target(ns))) {
        throw GlintException.notFound("The resource could not be found.");
      }
      enforce(ctx, ns, Action.LIST_METADEF_RESOURCE_TYPES);
      enforce(ctx, ns, Action.GET_METADEF_OBJECTS);
      enforce(ctx, ns, Action.GET_METADEF_PROPERTIES);
      enforce(ctx, ns, Action.GET_METADEF_TAGS);
      return ns;
    }).compose(ns -> Future.all(repo.associations(ns.id()), repo.properties(ns.id()), repo.objects(ns.id()),
            repo.tags(new TagQuery(ns.id(), null, null, "created_at", true)))
        .map(all -> new NamespaceDetail(ns, all.resultAt(0), all.resultAt(1), all.resultAt(2), all.resultAt(3))));
  }

  public Future<Namespace> update(RequestContext ctx, String name, NamespaceFields fields) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.MODIFY_METADEF_NAMESPACE);
      return repo.updateNamespace(ns, fields)
          .onSuccess(updated -> announce(ctx, EventType.METADEF_NAMESPACE_UPDATE, updated, null, ns.namespace()));
    });
  }

  public Future<Void> delete(RequestContext ctx, String name) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.DELETE_METADEF_NAMESPACE);
      refuseProtected(ns);
      return repo.deleteNamespace(ns.id())
          .onSuccess(v -> announce(ctx, EventType.METADEF_NAMESPACE_DELETE, ns, null, null));
    });
  }

  public Future<Void> deleteProperties(RequestContext ctx, String name) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.DELETE_METADEF_NAMESPACE);
      refuseProtected(ns);
      return repo.deleteProperties(ns.id())
          .onSuccess(v -> announce(ctx, EventType.METADEF_NAMESPACE_DELETE_PROPERTIES, ns, null, null));
    });
  }

  public Future<Void> deleteObjects(RequestContext ctx, String name) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.DELETE_METADEF_NAMESPACE);
      refuseProtected(ns);
      return repo.deleteObjects(ns.id())
          .onSuccess(v -> announce(ctx, EventType.METADEF_NAMESPACE_DELETE_OBJECTS, ns, null, null));
    });
  }

  public Future<Void> deleteTags(RequestContext ctx, String name) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.DELETE_METADEF_NAMESPACE);
      enforce(ctx, ns, Action.DELETE_METADEF_TAGS);
      refuseProtected(ns);
      return repo.deleteTags(ns.id())
          .onSuccess(v -> announce(ctx, EventType.METADEF_NAMESPACE_DELETE_TAGS, ns, null, null));
    });
  }

  // ---------------------------------------------------------------------------------------------- resource types

  public Future<List<ResourceType>> resourceTypes(RequestContext ctx) {
    policy.enforce(ctx, Action.LIST_METADEF_RESOURCE_TYPES, Target.project(ctx.projectId()));
    return repo.listResourceTypes();
  }

  public Future<List<Association>> associations(RequestContext ctx, String name) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.LIST_METADEF_RESOURCE_TYPES);
      return repo.associations(ns.id()).map(all -> all.stream()
          .filter(a -> policy.allows(ctx, Action.GET_METADEF_RESOURCE_TYPE, target(ns))).toList());
    });
  }

  public Future<Association> associate(RequestContext ctx, String name, Association association) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.ADD_METADEF_RESOURCE_TYPE_ASSOCIATION);
      return repo.associate(ns, association)
          .onSuccess(a -> announce(ctx, EventType.METADEF_RESOURCE_TYPE_CREATE, ns, a, null));
    });
  }

  public Future<Void> dissociate(RequestContext ctx, String name, String resourceType) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.REMOVE_METADEF_RESOURCE_TYPE_ASSOCIATION);
      return repo.associations(ns.id()).compose(all -> {
        Association found = all.stream().filter(a -> a.name().equals(resourceType)).findFirst().orElseThrow(
            () -> GlintException.notFound("Failed to find resource type " + resourceType + " to delete"));
        if (ns.isProtected()) {
          throw GlintException.forbidden("Metadata definition resource-type-association " + resourceType
              + " is protected and cannot be deleted.");
        }
        return repo.dissociate(ns.id(), resourceType)
            .onSuccess(v -> announce(ctx, EventType.METADEF_RESOURCE_TYPE_DELETE, ns, found, null)).mapEmpty();
      });
    });
  }

  // ---------------------------------------------------------------------------------------------- properties

  public Future<List<Property>> properties(RequestContext ctx, String name) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.GET_METADEF_PROPERTIES);
      return repo.properties(ns.id());
    });
  }

  /** A property; with {@code resourceType}, {@code propertyName} carries that association's prefix. */
  public Future<Property> property(RequestContext ctx, String name, String propertyName, String resourceType) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.GET_METADEF_PROPERTY);
      Future<String> unprefixed = Future.succeededFuture(propertyName);
      if (resourceType != null && !resourceType.isEmpty()) {
        enforce(ctx, ns, Action.GET_METADEF_RESOURCE_TYPE);
        unprefixed = repo.associations(ns.id()).map(all -> {
          Association a = all.stream().filter(x -> x.name().equals(resourceType)).findFirst()
              .orElseThrow(() -> GlintException.notFound("The metadata definition resource-type association of "
                  + "resource-type=" + resourceType + " to namespace=" + name + ", was not found."));
          String prefix = a.prefix();
          if (prefix != null && !prefix.isEmpty() && propertyName.startsWith(prefix)) {
            return propertyName.substring(prefix.length());
          }
          throw GlintException.notFound("Property " + propertyName + " does not start with the expected resource "
              + "type association prefix of '" + (prefix == null ? "None" : prefix) + "'.");
        });
      }
      return unprefixed.compose(n -> repo.findProperty(ns.id(), n)
          .map(found -> found.orElseThrow(() -> propertyNotFound(n, name))));
    });
  }

  public Future<Property> addProperty(RequestContext ctx, String name, Property property) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.ADD_METADEF_PROPERTY);
      return repo.addProperty(ns, property)
          .onSuccess(p -> announce(ctx, EventType.METADEF_PROPERTY_CREATE, ns, p, null));
    });
  }

  public Future<Property> updateProperty(RequestContext ctx, String name, String propertyName, Property property) {
    return updateChild(ctx, namespace(ctx, name), Action.MODIFY_METADEF_PROPERTY,
        ns -> repo.findProperty(ns.id(), propertyName),
        () -> propertyNotFound(propertyName, name),
        ns -> repo.updateProperty(ns, propertyName, property)
            .onSuccess(p -> announce(ctx, EventType.METADEF_PROPERTY_UPDATE, ns, p, propertyName)));
  }

  public Future<Void> removeProperty(RequestContext ctx, String name, String propertyName) {
    return removeChild(ctx, EventType.METADEF_PROPERTY_DELETE, namespace(ctx, name), Action.REMOVE_METADEF_PROPERTY,
        "property", propertyName,
        ns -> repo.findProperty(ns.id(), propertyName),
        () -> propertyNotFound(propertyName, name),
        ns -> repo.removeProperty(ns.id(), propertyName));
  }

  // ---------------------------------------------------------------------------------------------- objects

  public Future<List<MetaObject>> objects(RequestContext ctx, String name) {
    return objectsNamespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.GET_METADEF_OBJECTS);
      return repo.objects(ns.id()).map(all -> all.stream()
          .filter(o -> policy.allows(ctx, Action.GET_METADEF_OBJECT, target(ns))).toList());
    });
  }

  public Future<MetaObject> object(RequestContext ctx, String name, String objectName) {
    return objectsNamespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.GET_METADEF_OBJECT);
      return repo.findObject(ns.id(), objectName).map(found -> found.orElseThrow(() -> objectNotFound(objectName, name)));
    });
  }

  public Future<MetaObject> addObject(RequestContext ctx, String name, MetaObject object) {
    return objectsNamespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.ADD_METADEF_OBJECT);
      return repo.addObject(ns, object)
          .onSuccess(o -> announce(ctx, EventType.METADEF_OBJECT_CREATE, ns, o, null));
    });
  }

  public Future<MetaObject> updateObject(RequestContext ctx, String name, String objectName, MetaObject object) {
    return updateChild(ctx, objectsNamespace(ctx, name), Action.MODIFY_METADEF_OBJECT,
        ns -> repo.findObject(ns.id(), objectName),
        () -> objectNotFound(objectName, name),
        ns -> repo.updateObject(ns, objectName, object)
            .onSuccess(o -> announce(ctx, EventType.METADEF_OBJECT_UPDATE, ns, o, objectName)));
  }

  public Future<Void> removeObject(RequestContext ctx, String name, String objectName) {
    return removeChild(ctx, EventType.METADEF_OBJECT_DELETE, objectsNamespace(ctx, name), Action.DELETE_METADEF_OBJECT,
        "object", objectName,
        ns -> repo.findObject(ns.id(), objectName),
        () -> objectNotFound(objectName, name),
        ns -> repo.removeObject(ns.id(), objectName));
  }

  // ---------------------------------------------------------------------------------------------- tags

  public Future<List<Tag>> tags(RequestContext ctx, String name, String marker, Integer limit, String sortKey,
      boolean ascending) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.GET_METADEF_TAGS);
      Future<Void> markerFound = marker == null ? Future.succeededFuture()
          : repo.findTag(ns.id(), marker).map(found -> {
            found.orElseThrow(() -> tagNotFound(marker, name));
            return null;
          });
      return markerFound.compose(v -> repo.tags(new TagQuery(ns.id(), marker, limit, sortKey, ascending)));
    });
  }

  public Future<Tag> tag(RequestContext ctx, String name, String tagName) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.GET_METADEF_TAG);
      return repo.findTag(ns.id(), tagName).map(found -> found.orElseThrow(() -> tagNotFound(tagName, name)));
    });
  }

  public Future<Tag> addTag(RequestContext ctx, String name, String tagName) {
    return namespace(ctx, name).compose(ns -> {
      // Glance validates the name against the tag schema once the namespace is found.
      MetadefJson.validate(Map.of("name", tagName), "tag");
      enforce(ctx, ns, Action.ADD_METADEF_TAG);
      return repo.addTag(ns, tagName).onSuccess(t -> announce(ctx, EventType.METADEF_TAG_CREATE, ns, t, null));
    });
  }

  public Future<List<Tag>> addTags(RequestContext ctx, String name, List<String> tagNames, boolean append) {
    return namespace(ctx, name).compose(ns -> {
      enforce(ctx, ns, Action.ADD_METADEF_TAGS);
      // Glance's database layer does nothing at all for an empty list (the existing tags stay).
      return tagNames.isEmpty() ? Future.succeededFuture(List.of()) : repo.addTags(ns, tagNames, append)
          .onSuccess(added -> added.forEach(t -> announce(ctx, EventType.METADEF_TAG_CREATE, ns, t, null)));
    });
  }

  public Future<Tag> renameTag(RequestContext ctx, String name, String tagName, String newName) {
    return updateChild(ctx, namespace(ctx, name), Action.MODIFY_METADEF_TAG,
        ns -> repo.findTag(ns.id(), tagName),
        () -> tagNotFound(tagName, name),
        ns -> repo.renameTag(ns, tagName, newName)
            .onSuccess(t -> announce(ctx, EventType.METADEF_TAG_UPDATE, ns, t, tagName)));
  }

  public Future<Void> removeTag(RequestContext ctx, String name, String tagName) {
    return removeChild(ctx, EventType.METADEF_TAG_DELETE, namespace(ctx, name), Action.DELETE_METADEF_TAG,
        "tag", tagName,
        ns -> repo.findTag(ns.id(), tagName),
        () -> tagNotFound(tagName, name),
        ns -> repo.removeTag(ns.id(), tagName));
  }

  // ---------------------------------------------------------------------------------------------- rules

  /** Changes an existing child of a namespace: the policy, then the child's existence ({@code notFound}). */
  private <T, R> Future<R> updateChild(RequestContext ctx, Future<Namespace> namespace, Action action,
      Function<Namespace, Future<Optional<T>>> find, Supplier<GlintException> notFound,
      Function<Namespace, Future<R>> update) {
    return namespace.compose(ns -> {
      enforce(ctx, ns, action);
      return find.apply(ns).compose(found -> {
        found.orElseThrow(notFound);
        return update.apply(ns);
      });
    });
  }

  /** Removes an existing child of a namespace: the policy, the child's existence, then the namespace's protection. */
  private <T> Future<Void> removeChild(RequestContext ctx, EventType event, Future<Namespace> namespace,
      Action action, String kind, String childName, Function<Namespace, Future<Optional<T>>> find,
      Supplier<GlintException> notFound, Function<Namespace, Future<?>> remove) {
    java.util.concurrent.atomic.AtomicReference<T> child = new java.util.concurrent.atomic.AtomicReference<>();
    return updateChild(ctx, namespace, action, ns -> find.apply(ns).onSuccess(o -> o.ifPresent(child::set)),
        notFound, ns -> {
          if (ns.isProtected()) {
            throw GlintException.forbidden("Metadata definition " + kind + " " + childName
                + " is protected and cannot be deleted.");
          }
          return remove.apply(ns).onSuccess(v -> announce(ctx, event, ns, child.get(), null)).mapEmpty();
        });
  }

  /** The namespace if the caller may see it; else Glance's "Namespace X not found" (404). */
  private Future<Namespace> namespace(RequestContext ctx, String name) {
    return repo.findNamespace(name).map(found -> found
        .filter(ns -> visible(ctx, ns))
        .orElseThrow(() -> GlintException.notFound("Namespace " + name + " not found")));
  }

  /**
   * The objects controller converts only an invisible namespace to "Namespace X not found"; a missing one keeps
   * the database layer's message.
   */
  private Future<Namespace> objectsNamespace(RequestContext ctx, String name) {
    return repo.findNamespace(name).map(found -> {
      Namespace ns = found.orElseThrow(() -> notFound(name));
      if (!visible(ctx, ns)) {
        throw GlintException.notFound("Namespace " + name + " not found");
      }
      return ns;
    });
  }

  /** Glance's {@code _is_namespace_visible}. */
  static boolean visible(RequestContext ctx, Namespace ns) {
    return ctx.admin() || ns.owner() == null || ns.isPublic()
        || (ctx.owner() != null && ctx.owner().equals(ns.owner()));
  }

  /** {@code MetadefAPIPolicy._enforce}: a denial on a namespace the caller may not read is a 404. */
  private void enforce(RequestContext ctx, Namespace ns, Action action) {
    Target target = target(ns);
    if (!policy.allows(ctx, action, target)) {
      if (action == Action.GET_METADEF_NAMESPACE || !policy.allows(ctx, Action.GET_METADEF_NAMESPACE, target)) {
        throw GlintException.notFound("The resource could not be found.");
      }
      policy.enforce(ctx, action, target);
    }
  }

  static Target target(Namespace ns) {
    return new Target(ns.owner(), ns.isPublic() ? Visibility.PUBLIC : Visibility.PRIVATE, null, false, null);
  }

  private static void refuseProtected(Namespace ns) {
    if (ns.isProtected()) {
      throw GlintException.forbidden("Metadata definition namespace " + ns.namespace()
          + " is protected and cannot be deleted.");
    }
  }

  private static GlintException notFound(String name) {
    return GlintException.notFound("Metadata definition namespace=" + name + " was not found.");
  }

  static GlintException propertyNotFound(String property, String ns) {
    return GlintException.notFound("The metadata definition property with name=" + property
        + " was not found in namespace=" + ns + ".");
  }

  static GlintException objectNotFound(String object, String ns) {
    return GlintException.notFound("The metadata definition object with name=" + object
        + " was not found in namespace=" + ns + ".");
  }

  static GlintException tagNotFound(String tag, String ns) {
    return GlintException.notFound("The metadata definition tag with name=" + tag + " was not found in namespace="
        + ns + ".");
  }
}
