package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.error.GlintException;
import io.glint.error.GlintException.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JSON-patch and create-body parsing")
class ImageRequestsTest {
  private final ImageRequests requests =
      new ImageRequests(new ImageRules(List.of("bare", "ovf"), List.of("raw", "qcow2"), 128, 128));

  @Test
  @DisplayName("v2.1 operations decode op, pointer (with ~0/~1) and value")
  void parsesV21() {
    List<PatchOp> ops = requests.parsePatch(List.of(
        Map.of("op", "replace", "path", "/name", "value", "x"),
        Map.of("op", "add", "path", "/a~1b~0", "value", "v"),
        Map.of("op", "remove", "path", "/k")), false);
    assertEquals(new PatchOp("replace", List.of("name"), "x", false), ops.get(0));
    assertEquals(List.of("a/b~"), ops.get(1).path());
    assertEquals("remove", ops.get(2).op());
    assertEquals(null, ops.get(2).value());
  }

  @Test
  @DisplayName("v2.0 operations name the op as the key holding the path")
  void parsesV20() {
    List<PatchOp> ops = requests.parsePatch(List.of(Map.of("add", "/k", "value", "v")), true);
    assertEquals(new PatchOp("add", List.of("k"), "v", true), ops.get(0));
    assertKind(Kind.BAD_REQUEST, () -> requests.parsePatch(List.of(Map.of("value", "v")), true));
  }

  @Test
  @DisplayName("pointer rules: leading slash, no empty or trailing segments, valid escapes, depth 1")
  void pointers() {
    assertEquals(List.of("name"), ImageRequests.decodePointer("/name"));
    for (String bad : List.of("name", "/a//b", "/a/", "/", "/a~", "/a~2")) {
      assertKind(Kind.BAD_REQUEST, () -> ImageRequests.decodePointer(bad));
    }
    assertKind(Kind.BAD_REQUEST,
        () -> requests.parsePatch(List.of(Map.of("op", "add", "path", "/a/b", "value", "v")), false));
    // locations may go one level deeper for add/remove
    assertEquals(List.of("locations", "-"), requests.parsePatch(
        List.of(Map.of("op", "add", "path", "/locations/-", "value", Map.of())), false).get(0).path());
  }

  @Test
  @DisplayName("read-only (403), reserved (403), missing value (400) and schema violations (400)")
  void validation() {
    assertKind(Kind.FORBIDDEN,
        () -> requests.parsePatch(List.of(Map.of("op", "replace", "path", "/status", "value", "active")), false));
    assertKind(Kind.FORBIDDEN,
        () -> requests.parsePatch(List.of(Map.of("op", "add", "path", "/os_glance_x", "value", "v")), false));
    assertKind(Kind.BAD_REQUEST, () -> requests.parsePatch(List.of(Map.of("op", "add", "path", "/k")), false));
    assertKind(Kind.BAD_REQUEST,
        () -> requests.parsePatch(List.of(Map.of("op", "add", "path", "/disk_format", "value", "vmdk")), false));
    assertKind(Kind.BAD_REQUEST,
        () -> requests.parsePatch(List.of(Map.of("op", "copy", "path", "/k", "value", "v")), false));
    assertKind(Kind.BAD_REQUEST, () -> requests.parsePatch(Map.of("op", "add"), false));
    assertKind(Kind.BAD_REQUEST, () -> requests.parsePatch(List.of("add"), false));
  }

  @Test
  @DisplayName("create: base fields, custom properties, disallowed attributes")
  void create() {
    NewImage image = requests.parseCreate(Map.of("name", "n", "min_ram", 5L, "os_distro", "x",
        "tags", List.of("a", "a", "b")));
    assertEquals("n", image.name());
    assertEquals(5, image.minRam());
    assertEquals(Map.of("os_distro", "x"), image.properties());
    assertEquals(List.of("a", "b"), image.tags());
    assertFalse(image.ownerGiven());
    assertTrue(requests.parseCreate(Map.of("owner", "p")).ownerGiven());
    assertKind(Kind.FORBIDDEN, () -> requests.parseCreate(Map.of("self", "x")));
    assertKind(Kind.FORBIDDEN, () -> requests.parseCreate(Map.of("locations", List.of())));
    assertKind(Kind.BAD_REQUEST, () -> requests.parseCreate(List.of()));
  }

  private static void assertKind(Kind kind, org.junit.jupiter.api.function.Executable call) {
    GlintException e = assertThrows(GlintException.class, call);
    assertEquals(kind, e.kind(), e.getMessage());
  }
}
