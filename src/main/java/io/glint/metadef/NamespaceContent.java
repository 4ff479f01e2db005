package io.glint.metadef;

import java.util.List;

/** A namespace with everything in it: what a create request or a definition file holds. */
public record NamespaceContent(NamespaceFields fields, List<Association> associations, List<Property> properties,
    List<MetaObject> objects, List<String> tags) {}
