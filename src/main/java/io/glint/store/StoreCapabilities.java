package io.glint.store;

/**
 * What a store can do.
 *
 * @param writable new image data can be added (the HTTP store is read-only)
 * @param ranges byte ranges can be read without reading from the start
 */
public record StoreCapabilities(boolean writable, boolean ranges) {}
