package io.glint.image;

/**
 * What an upload delivered: byte count and digests, computed while streaming, and the virtual size its format
 * inspection found (null when unknown).
 */
public record ReceivedData(long size, String checksum, String hashAlgo, String hashValue, Long virtualSize) {

  public ReceivedData(long size, String checksum, String hashAlgo, String hashValue) {
    this(size, checksum, hashAlgo, hashValue, null);
  }

  public ReceivedData withVirtualSize(Long value) {
    return new ReceivedData(size, checksum, hashAlgo, hashValue, value);
  }
}
