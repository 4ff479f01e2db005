package io.glint.store;

/** A byte range {@code [offset, offset + length)} of an image; {@link #ALL} for the whole image. */
public record ByteRange(long offset, long length) {
  public static final ByteRange ALL = new ByteRange(0, -1);

  public boolean isAll() {
    return length < 0;
  }
}
