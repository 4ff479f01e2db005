package io.glint.image;

import java.util.List;

/** One page of a listing; {@code nextMarker} is set when the page was full (Glance's rule). */
public record ImagePage(List<Image> images, String nextMarker) {}
