package io.glint.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Glance's format inspector ({@code glance/common/format_inspector.py}, oslo.utils' {@code imageutils
 * .format_inspector}) for a stream: fed the bytes in order as they go by, it keeps only the few regions each
 * format needs (headers: at most the 1 MiB of a VMDK descriptor and the 64 KiB of a VHDX metadata table),
 * decides which format the data is (qcow2, vhd, vhdx, vmdk, vdi, iso, qed, else raw), its virtual size, and
 * whether it is safe (no qcow2 backing file, external data file or unknown incompatible feature; a VMDK
 * descriptor of known lines whose extents name no path; never qed). Not thread-safe: one thread at a time.
 */
public final class FormatInspector {
  /** The formats Glance can inspect ({@code ALL_FORMATS}): others (ami, aki, ari, ploop) are not checked. */
  public static final List<String> INSPECTABLE = List.of("raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "qed", "iso");

  private static final int BASE_PREFIX = 64 * 1024;
  private static final int VHDX_HEADER_END = 256 * 1024;
  private static final int VMDK_DESC_OFFSET = 0x200;
  private static final int VMDK_DESC_MAX = (1 << 20) - 1;
  private static final int ISO_PVD = 0x8000;
  private static final String VHDX_METAREGION = "8B7CA206-4790-4B9A-B8FE-575F050F886E";
  private static final String VHDX_VIRTUAL_DISK_SIZE = "2FA54224-CD1B-4876-B211-5DBED83BF4B8";

  /** A region of the stream to keep. */
  private static final class Region {
    final long offset;
    final byte[] data;
    int filled;

    Region(long offset, int length) {
      this.offset = offset;
      this.data = new byte[length];
    }

    boolean complete() {
      return filled == data.length;
    }
  }

  private byte[] prefix = new byte[BASE_PREFIX];
  private int prefixWanted = BASE_PREFIX;
  private int prefixFilled;
  private long position;
  private Region vhdxMeta;
  private Region vhdxVds;
  private boolean prefixExamined;
  private String broken;
  private boolean done;

  /** Presents the next bytes of the stream. Cheap once the inspector has what it needs. */
  public void feed(byte[] bytes, int offset, int length) {
    long start = position;
    position += length;
    if (done) {
      return;
    }
    copyPrefix(bytes, offset, start, length);
    try {
      examinePrefix();
      copyPrefix(bytes, offset, start, length); // the prefix may have grown into this very chunk
      examinePrefix();
      if (vhdxMeta != null && vhdxMeta.filled == 0 && vhdxMeta.offset + vhdxMeta.data.length <= prefixFilled) {
        System.arraycopy(prefix, (int) vhdxMeta.offset, vhdxMeta.data, 0, vhdxMeta.data.length);
        vhdxMeta.filled = vhdxMeta.data.length;
      }
      capture(vhdxMeta, bytes, offset, start, length);
      if (vhdxMeta != null && vhdxMeta.complete() && vhdxVds == null && broken == null) {
        vhdxVds = findVhdxVds();
        if (vhdxVds == null) {
          done = true;
        }
      }
      capture(vhdxVds, bytes, offset, start, length);
    } catch (RuntimeException e) {
      broken = e.getMessage() == null ? e.toString() : e.getMessage();
      done = true;
      return;
    }
    if (prefixFilled >= prefixWanted && (vhdxMeta == null || vhdxMeta.complete())
        && (vhdxVds == null || vhdxVds.complete()) && !vhdxPending()) {
      done = true;
    }
  }

  private void copyPrefix(byte[] bytes, int offset, long start, int length) {
    if (prefixFilled < prefixWanted && start <= prefixFilled) {
      int from = (int) (prefixFilled - start);
      if (from < length) {
        int n = Math.min(length - from, prefixWanted - prefixFilled);
        System.arraycopy(bytes, offset + from, prefix, prefixFilled, n);
        prefixFilled += n;
      }
    }
  }

  private boolean vhdxPending() {
    return startsWith("vhdxfile") && prefixFilled >= VHDX_HEADER_END && vhdxMeta == null && broken == null
        && !prefixExamined;
  }

  private static void capture(Region r, byte[] bytes, int offset, long start, int length) {
    if (r == null || r.complete()) {
      return;
    }
    long want = r.offset + r.filled;
    if (want < start || want >= start + length) {
      return;
    }
    int from = (int) (want - start);
    int n = Math.min(length - from, r.data.length - r.filled);
    System.arraycopy(bytes, offset + from, r.data, r.filled, n);
    r.filled += n;
  }

  /** Grows the prefix once its first bytes say how much a format needs (VMDK descriptor, VHDX region table). */
  private void examinePrefix() {
    if (prefixFilled >= 512 && prefixWanted == BASE_PREFIX) {
      if (startsWith("KDMV")) {
        ByteBuffer h = le(0, 64);
        long descSectors = h.getLong(28); // packed little-endian header: '<4sIIQQQQIQQ'
        long descCount = h.getLong(36);
        if (descSectors * 512 == VMDK_DESC_OFFSET) {
          grow((int) Math.min(VMDK_DESC_OFFSET + Math.min(descCount * 512, VMDK_DESC_MAX), VMDK_DESC_OFFSET + VMDK_DESC_MAX));
        }
      } else if (startsWith("vhdxfile")) {
        grow(VHDX_HEADER_END);
      }
    }
    if (!prefixExamined && startsWith("vhdxfile") && prefixFilled >= VHDX_HEADER_END) {
      prefixExamined = true;
      vhdxMeta = findVhdxMetaRegion();
    }
  }

  private void grow(int wanted) {
    if (wanted > prefix.length) {
      byte[] bigger = new byte[wanted];
      System.arraycopy(prefix, 0, bigger, 0, prefixFilled);
      prefix = bigger;
    }
    prefixWanted = Math.max(wanted, prefixFilled);
  }

  /** Whether nothing more is needed: the rest of the stream need not be shown (it may be, cheaply). */
  public boolean complete() {
    return done;
  }

  /** Bytes seen so far (the whole stream's size once it ended). */
  public long size() {
    return position;
  }

  // ------------------------------------------------------------------------------------------------ results

  /**
   * What the stream is, once it ended: its format, virtual size (0 unknown) and, when unsafe, why.
   *
   * @param formats every non-raw format that matched (normally none or one)
   */
  public record Result(String format, long virtualSize, String unsafeReason, List<String> formats, String error,
      long actualSize) {}

  public Result result() {
    if (broken != null) {
      return new Result("raw", position, null, List.of(), broken, position);
    }
    Map<String, long[]> matches = new LinkedHashMap<>();
    List<String> unsafe = new ArrayList<>();
    String[] reason = new String[1];
    try {
      if (prefixFilled >= 512 && startsWith("QFI\u00fb")) {
        ByteBuffer h = be(0, 512);
        int version = h.getInt(4);
        long backing = h.getLong(8);
        long size = h.getLong(24);
        matches.put("qcow2", new long[] {size});
        if (backing != 0) {
          unsafe.add("qcow2");
          reason[0] = "QCOW2 image has a backing file";
        } else if (version >= 3) {
          long features = h.getLong(0x48);
          if ((features & 0x04) != 0) {
            unsafe.add("qcow2");
            reason[0] = "QCOW2 image has an external data file";
          } else if ((features & ~0x0FL) != 0) {
            unsafe.add("qcow2");
            reason[0] = "QCOW2 image has unknown incompatible features";
          }
        }
      }
      if (prefixFilled >= 512 && startsWith("QED\0")) {
        matches.put("qed", new long[] {0});
        unsafe.add("qed");
        reason[0] = "QED images are not supported";
      }
      if (prefixFilled >= 512 && startsWith("conectix")) {
        matches.put("vhd", new long[] {be(0, 512).getLong(40)});
      }
      if (startsWith("vhdxfile")) {
        long size = vhdxVds != null && vhdxVds.complete()
            ? ByteBuffer.wrap(vhdxVds.data).order(ByteOrder.LITTLE_ENDIAN).getLong(0) : 0;
        matches.put("vhdx", new long[] {size});
      }
      if (prefixFilled >= 512 && startsWith("KDMV")) {
        matches.put("vmdk", new long[] {vmdkVirtualSize()});
        String problem = vmdkUnsafe();
        if (problem != null) {
          unsafe.add("vmdk");
          reason[0] = problem;
        }
      }
      if (prefixFilled >= 512 && le(0, 512).getInt(0x40) == 0xbeda107f) {
        matches.put("vdi", new long[] {le(0, 512).getLong(0x170)});
      }
      if (prefixFilled >= ISO_PVD + 2048 && prefix[ISO_PVD] == 1
          && new String(prefix, ISO_PVD + 1, 5, StandardCharsets.ISO_8859_1).equals("CD001")) {
        ByteBuffer pvd = le(ISO_PVD, 2048);
        long blocks = pvd.getInt(80) & 0xffffffffL;
        long blockSize = pvd.getShort(128) & 0xffff;
        matches.put("iso", new long[] {blocks * blockSize});
      }
    } catch (RuntimeException e) {
      return new Result("raw", position, null, List.of(), e.getMessage() == null ? e.toString() : e.getMessage(),
          position);
    }
    if (matches.isEmpty()) {
      return new Result("raw", position, null, List.of(), null, position);
    }
    String format = matches.keySet().iterator().next();
    return new Result(format, matches.get(format)[0], unsafe.contains(format) ? reason[0] : null,
        List.copyOf(matches.keySet()), null, position);
  }

  private long vmdkVirtualSize() {
    String desc = vmdkDescriptor();
    if (desc == null) {
      return 0;
    }
    int at = desc.indexOf("createType=\"");
    if (at < 0) {
      return 0;
    }
    int end = desc.indexOf('"', at + 12);
    String type = end < 0 || end - at - 12 >= 64 ? "" : desc.substring(at + 12, end);
    if (!type.equals("monolithicSparse") && !type.equals("streamOptimized")) {
      return 0;
    }
    return le(0, 64).getLong(12) * 512;
  }

  /** The VMDK descriptor text, or null when the header does not point at a whole one. */
  private String vmdkDescriptor() {
    ByteBuffer h = le(0, 64);
    int version = h.getInt(4);
    long descSector = h.getLong(28);
    long gdOffset = h.getLong(56);
    if (version < 1 || version > 3 || gdOffset == -1L || descSector * 512 != VMDK_DESC_OFFSET
        || prefixFilled < prefixWanted || prefixWanted <= VMDK_DESC_OFFSET) {
      return null;
    }
    return new String(prefix, VMDK_DESC_OFFSET, prefixWanted - VMDK_DESC_OFFSET, StandardCharsets.ISO_8859_1);
  }

  /** Glance's VMDK safety check: only known descriptor lines, at least one extent, no path in any. */
  private String vmdkUnsafe() {
    String desc = vmdkDescriptor();
    if (desc == null) {
      return "Invalid VMDK descriptor data";
    }
    int nul = desc.indexOf('\0');
    String text = (nul < 0 ? desc : desc.substring(0, nul)).toLowerCase(Locale.ROOT);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 127) {
        return "Invalid VMDK descriptor data";
      }
    }
    int extents = 0;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("ddb")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).indexOf(' ') < 0) {
        continue;
      }
      String first = line.split(" ")[0];
      if (first.equals("rw") || first.equals("rdonly") || first.equals("noaccess")) {
        if (line.indexOf('/') >= 0) {
          return "VMDK extent names a path";
        }
        extents++;
        continue;
      }
      return "Invalid VMDK descriptor data";
    }
    return extents == 0 ? "VMDK file specified no extents" : null;
  }

  private Region findVhdxMetaRegion() {
    ByteBuffer t = le(0x30000, 64 * 1024);
    if (t.getInt(0) != 0x69676572) {
      throw new IllegalStateException("VHDX region signature not found");
    }
    long count = t.getInt(8) & 0xffffffffL;
    if (count >= 2048) {
      throw new IllegalStateException("VHDX region count is " + count + " (limit 2047)");
    }
    for (int i = 0; i < count; i++) {
      int entry = 16 + i * 32;
      if (guid(t, entry).equals(VHDX_METAREGION)) {
        long offset = t.getLong(entry + 16);
        if (offset < 0) {
          throw new IllegalStateException("VHDX metadata region offset out of range");
        }
        return new Region(offset, 32 * 2048);
      }
    }
    return null;
  }

  private Region findVhdxVds() {
    ByteBuffer m = ByteBuffer.wrap(vhdxMeta.data).order(ByteOrder.LITTLE_ENDIAN);
    if (!new String(vhdxMeta.data, 0, 8, StandardCharsets.ISO_8859_1).equals("metadata")) {
      throw new IllegalStateException("Invalid signature for VHDX metadata region");
    }
    int count = m.getShort(10) & 0xffff;
    if (count >= 2048) {
      throw new IllegalStateException("VHDX metadata item count is " + count + " (limit 2047)");
    }
    for (int i = 0; i < count; i++) {
      int entry = 32 + i * 32;
      if (guid(m, entry).equals(VHDX_VIRTUAL_DISK_SIZE)) {
        long itemOffset = m.getInt(entry + 16) & 0xffffffffL;
        return new Region(vhdxMeta.offset + itemOffset, 8);
      }
    }
    return null;
  }

  private static String guid(ByteBuffer b, int at) {
    return String.format("%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", b.getInt(at), b.getShort(at + 4),
        b.getShort(at + 6), b.get(at + 8), b.get(at + 9), b.get(at + 10), b.get(at + 11), b.get(at + 12),
        b.get(at + 13), b.get(at + 14), b.get(at + 15));
  }

  private boolean startsWith(String magic) {
    if (prefixFilled < magic.length()) {
      return false;
    }
    for (int i = 0; i < magic.length(); i++) {
      if (prefix[i] != (byte) magic.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private ByteBuffer le(int offset, int length) {
    return ByteBuffer.wrap(prefix, offset, Math.min(length, prefix.length - offset)).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  private ByteBuffer be(int offset, int length) {
    return ByteBuffer.wrap(prefix, offset, Math.min(length, prefix.length - offset)).slice()
        .order(ByteOrder.BIG_ENDIAN);
  }
}
