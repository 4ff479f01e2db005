package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import java.util.List;

/** Applies parsed JSON-patch operations to an image, with Glance's {@code _do_add/_do_replace/_do_remove}. */
final class ImagePatcher {

  private final Policy policy;
  private final ImageRules rules;

  ImagePatcher(Policy policy, ImageRules rules) {
    this.policy = policy;
    this.rules = rules;
  }

  Image apply(RequestContext ctx, Image image, List<PatchOp> ops) {
    Image.Builder b = image.toBuilder();
    for (PatchOp op : ops) {
      if (op.root().equals("locations")) {
        throw GlintException.forbidden("It's not allowed to update locations if locations are invisible.");
      }
      applyOne(ctx, b, op);
    }
    rules.checkQuotas(b.properties, b.tags);
    return b.build();
  }

  /** One operation on anything but {@code /locations}. */
  void applyOne(RequestContext ctx, Image.Builder b, PatchOp op) {
    switch (op.op()) {
      case "add" -> add(ctx, b, op);
      case "replace" -> replace(ctx, b, op);
      default -> remove(b, op);
    }
  }

  void checkQuotas(Image.Builder b) {
    rules.checkQuotas(b.properties, b.tags);
  }

  private void add(RequestContext ctx, Image.Builder b, PatchOp op) {
    String root = op.root();
    boolean base = ImageRules.BASE.contains(root);
    if (op.draft4() && (base || b.properties.containsKey(root))) {
      throw GlintException.conflict("Property " + root + " already present.");
    }
    if (base) {
      setBase(ctx, b, root, op.value());
    } else {
      b.properties.put(root, (String) op.value());
    }
  }

  private void replace(RequestContext ctx, Image.Builder b, PatchOp op) {
    String root = op.root();
    if (ImageRules.BASE.contains(root)) {
      setBase(ctx, b, root, op.value());
    } else if (b.properties.containsKey(root)) {
      b.properties.put(root, (String) op.value());
    } else {
      throw GlintException.conflict("Property " + root + " does not exist.");
    }
  }

  private static void remove(Image.Builder b, PatchOp op) {
    String root = op.root();
    if (ImageRules.BASE.contains(root)) {
      throw GlintException.forbidden("Property " + root + " may not be removed.");
    }
    if (b.properties.remove(root) == null) {
      throw GlintException.conflict("Property " + root + " does not exist.");
    }
  }

  private void setBase(RequestContext ctx, Image.Builder b, String name, Object value) {
    switch (name) {
      case "name" -> b.name = (String) value;
      case "visibility" -> {
        Visibility v = Visibility.parse((String) value).orElseThrow();
        if (v != b.visibility) {
          enforceVisibility(ctx, v, Target.newImage(b.owner, v));
        }
        b.visibility = v;
      }
      case "protected" -> b.isProtected = (Boolean) value;
      case "os_hidden" -> b.osHidden = (Boolean) value;
      case "owner" -> {
        String owner = (String) value;
        if (!java.util.Objects.equals(owner, b.owner)) {
          policy.enforce(ctx, Action.SET_IMAGE_OWNER, Target.newImage(b.owner, b.visibility),
              "You are not permitted to modify 'owner' on this image.");
        }
        b.owner = owner;
      }
      case "container_format" -> {
        checkFormatChangeable(b, "container_format");
        b.containerFormat = (String) value;
      }
      case "disk_format" -> {
        checkFormatChangeable(b, "disk_format");
        b.diskFormat = (String) value;
      }
      case "min_disk" -> b.minDisk = ((Number) value).intValue();
      case "min_ram" -> b.minRam = ((Number) value).intValue();
      case "tags" -> {
        b.tags.clear();
        for (Object t : (List<?>) value) {
          b.tags.add((String) t);
        }
      }
      default -> throw GlintException.forbidden("Attribute '" + name + "' is read-only.");
    }
  }

  /** Policies {@code publicize_image} and {@code communitize_image} for an image that is to get {@code visibility}. */
  void enforceVisibility(RequestContext ctx, Visibility visibility, Target target) {
    if (visibility == Visibility.PUBLIC) {
      policy.enforce(ctx, Action.PUBLICIZE_IMAGE, target);
    } else if (visibility == Visibility.COMMUNITY) {
      policy.enforce(ctx, Action.COMMUNITIZE_IMAGE, target);
    }
  }

  private static void checkFormatChangeable(Image.Builder b, String attribute) {
    if (!b.status.formatsChangeable()) {
      throw GlintException.forbidden("Attribute " + attribute + " can be only replaced for a queued image.");
    }
  }
}
