package io.glint.image;

/** What an upload delivered: byte count and digests, computed while streaming. */
public record ReceivedData(long size, String checksum, String hashAlgo, String hashValue) {}
