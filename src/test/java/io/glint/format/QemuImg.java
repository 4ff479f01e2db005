package io.glint.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's qemu-img (package qemu-utils, installed by .ci/run) to make real disk images for tests. */
public final class QemuImg {
  private QemuImg() {}

  /** {@code qemu-img create -f FORMAT [options] PATH SIZE}; fails the test when qemu-img is missing or fails. */
  public static Path create(Path path, String format, String size, String... options) {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", format));
    cmd.addAll(List.of(options));
    cmd.add(path.toString());
    if (size != null) {
      cmd.add(size);
    }
    run(cmd);
    return path;
  }

  public static void run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(cmd + " failed: " + out);
      }
    } catch (IOException e) {
      throw new AssertionError("qemu-img is needed (apt-get install -y qemu-utils): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
