package io.glint.image;

/**
 * A download that ended, for Glance's {@code image.send} notification.
 *
 * @param image the image downloaded
 * @param bytesSent body bytes written to the client
 * @param expected the bytes the response was to carry (the image's size, or the range's length)
 * @param destinationIp the client's address
 */
public record ImageSent(Image image, long bytesSent, long expected, String destinationIp) {

  /** Whether the whole body went out (else Glance sends the notification with ERROR priority). */
  public boolean complete() {
    return bytesSent == expected;
  }
}
