package io.glint.event;

/**
 * The subject of an event about a change that failed (Glance's ERROR-priority {@code image.upload}): what went
 * wrong, as a message for operators.
 */
public record EventFailure(String message) {}
