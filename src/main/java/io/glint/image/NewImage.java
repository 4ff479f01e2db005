package io.glint.image;

import java.util.List;
import java.util.Map;

/**
 * A validated {@code POST /v2/images} body. Base fields the caller did not send are null; custom properties and
 * tags are already checked against the schema.
 */
public record NewImage(
    String id,
    String name,
    Visibility visibility,
    Boolean isProtected,
    Boolean osHidden,
    String owner,
    boolean ownerGiven,
    String containerFormat,
    String diskFormat,
    Integer minDisk,
    Integer minRam,
    List<String> tags,
    Map<String, String> properties) {}
