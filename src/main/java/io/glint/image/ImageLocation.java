package io.glint.image;

import java.util.Map;

/** Where an image's bytes are: a store location URI and its metadata (e.g. {@code {"store": "file"}}). */
public record ImageLocation(long id, String imageId, String url, Map<String, Object> metadata) {}
