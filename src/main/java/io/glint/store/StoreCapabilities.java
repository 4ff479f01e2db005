package io.glint.store;

/**
 * What a store can do.
 *
 * @param writable new image data can be added (the HTTP store is read-only)
 * @param ranges byte ranges can be read without reading from the start
 * @param zeroCopy reads are local files that can be sent with {@code sendfile}
 */
public record StoreCapabilities(boolean writable, boolean ranges, boolean zeroCopy) {}
