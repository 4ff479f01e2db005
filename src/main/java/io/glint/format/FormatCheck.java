package io.glint.format;

/**
 * Glance's verdict on inspected data ({@code glance/location.py ImageProxy.set_data}, with
 * {@code require_image_format_match}): for a {@code bare} container, the data must be the {@code disk_format}
 * the image claims (an image that claims {@code raw}, or a format Glance cannot inspect such as {@code ami},
 * may hold anything), and whatever it is must pass the safety checks. Gives the virtual size to record.
 */
public final class FormatCheck {
  private FormatCheck() {}

  /** The data is refused: Glance's {@code InvalidImageData}. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The virtual size to record (null: none), or {@link Refused} with Glance's message.
   *
   * @param diskFormat the image's disk_format
   * @param containerFormat the image's container_format: only {@code bare} data is inspected
   */
  public static Long verdict(String diskFormat, String containerFormat, FormatInspector.Result r) {
    if (!"bare".equals(containerFormat) || diskFormat == null) {
      return null;
    }
    if (r.error() != null) {
      throw new Refused("Image format inspection failed");
    }
    if (r.formats().size() > 1 && !r.formats().contains(diskFormat)) {
      throw new Refused("Image format detection failed: data matches several formats " + r.formats());
    }
    String format = r.formats().contains(diskFormat) ? diskFormat : r.format();
    Long virtualSize;
    if (format.equals(diskFormat)) {
      virtualSize = r.virtualSize() > 0 ? r.virtualSize() : null;
    } else if (format.equals("raw") && !FormatInspector.INSPECTABLE.contains(diskFormat)) {
      virtualSize = null; // ami, aki, ari, ploop: not inspectable, anything goes as long as it is not a known format
    } else if (diskFormat.equals("raw")) {
      virtualSize = r.actualSize() > 0 ? r.actualSize() : null; // as Glance: its bytes, whatever it really is
    } else {
      throw new Refused("Image disk_format " + diskFormat + " does not match stream data " + format);
    }
    if (r.unsafeReason() != null && format.equals(r.format())) {
      throw new Refused("Image failed safety checks");
    }
    return virtualSize;
  }
}
