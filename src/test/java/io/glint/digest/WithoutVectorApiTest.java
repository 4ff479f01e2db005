package io.glint.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} (an operator's own {@code GLINT_JAVA_OPTS}):
 * {@link MultiBufferDigests} must still load, {@code off} is {@link MultiBufferDigests#OFF}, and {@code auto}/{@code on}
 * fall back to it with a warning instead of failing the server's start. Run in a real JVM of its own, since this
 * one has the module.
 */
class WithoutVectorApiTest {
  /** The child JVM's entry point: prints which settings came back as OFF. */
  public static void main(String[] args) {
    for (String mode : List.of("off", "auto", "on")) {
      MultiBufferDigests d = MultiBufferDigests.create(mode, Runnable::run);
      System.out.println(mode + "=" + (d == MultiBufferDigests.OFF ? "OFF" : "lanes"));
      System.out.println(mode + " opens " + (d.open("SHA-512") == null ? "no lanes" : "lanes"));
    }
  }

  @Test
  void withoutTheModuleEverySettingFallsBackToTheJdksDigests() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        WithoutVectorApiTest.class.getName())
        .redirectErrorStream(true)
        .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not exit");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    for (String mode : List.of("off", "auto", "on")) {
      assertTrue(out.contains(mode + "=OFF"), out);
      assertTrue(out.contains(mode + " opens no lanes"), out);
    }
    assertTrue(out.contains("needs the Vector API"), "no warning for auto/on: " + out);
  }
}
