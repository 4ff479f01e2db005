package io.glint.image;

import static io.glint.image.ImageStatus.ACTIVE;
import static io.glint.image.ImageStatus.DEACTIVATED;
import static io.glint.image.ImageStatus.DELETED;
import static io.glint.image.ImageStatus.IMPORTING;
import static io.glint.image.ImageStatus.KILLED;
import static io.glint.image.ImageStatus.PENDING_DELETE;
import static io.glint.image.ImageStatus.QUEUED;
import static io.glint.image.ImageStatus.SAVING;
import static io.glint.image.ImageStatus.UPLOADING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Image status machine (Glance's valid_state_targets)")
class ImageStatusTest {

  private static final Map<ImageStatus, Set<ImageStatus>> GLANCE = Map.of(
      QUEUED, EnumSet.of(SAVING, UPLOADING, IMPORTING, ACTIVE, DELETED),
      SAVING, EnumSet.of(ACTIVE, KILLED, DELETED, QUEUED),
      UPLOADING, EnumSet.of(IMPORTING, QUEUED, DELETED),
      IMPORTING, EnumSet.of(ACTIVE, DELETED, QUEUED),
      ACTIVE, EnumSet.of(PENDING_DELETE, DELETED, DEACTIVATED),
      KILLED, EnumSet.of(DELETED),
      PENDING_DELETE, EnumSet.of(DELETED, ACTIVE),
      DEACTIVATED, EnumSet.of(ACTIVE, DELETED),
      DELETED, EnumSet.noneOf(ImageStatus.class));

  @Test
  @DisplayName("every pair of statuses follows Glance's table exactly")
  void table() {
    for (ImageStatus from : ImageStatus.values()) {
      for (ImageStatus to : ImageStatus.values()) {
        boolean allowed = GLANCE.get(from).contains(to);
        assertEquals(allowed, from.canTransitionTo(to), from + " -> " + to);
        if (allowed) {
          assertEquals(to, from.transitionTo(to));
        } else {
          InvalidImageTransition e = assertThrows(InvalidImageTransition.class, () -> from.transitionTo(to));
          assertEquals(from, e.from());
          assertEquals(to, e.to());
        }
      }
    }
  }

  @Test
  @DisplayName("leaving queued/uploading for data states needs formats; wire names round-trip")
  void formatsAndNames() {
    assertTrue(QUEUED.needsFormatsFor(SAVING));
    assertTrue(QUEUED.needsFormatsFor(ACTIVE));
    assertTrue(UPLOADING.needsFormatsFor(IMPORTING));
    assertFalse(QUEUED.needsFormatsFor(DELETED));
    assertFalse(SAVING.needsFormatsFor(ACTIVE));
    assertEquals("pending_delete", PENDING_DELETE.wireName());
    for (ImageStatus s : ImageStatus.values()) {
      assertEquals(s, ImageStatus.fromWire(s.wireName()));
    }
    assertThrows(IllegalArgumentException.class, () -> ImageStatus.fromWire("bogus"));
  }

  @Test
  @DisplayName("deactivate and reactivate toggle active and deactivated, and refuse every other status")
  void actions() {
    assertEquals(DEACTIVATED, ACTIVE.deactivate());
    assertEquals(DEACTIVATED, DEACTIVATED.deactivate());
    assertEquals(ACTIVE, DEACTIVATED.reactivate());
    assertEquals(ACTIVE, ACTIVE.reactivate());
    for (ImageStatus s : EnumSet.complementOf(EnumSet.of(ACTIVE, DEACTIVATED))) {
      InvalidImageTransition deactivate = assertThrows(InvalidImageTransition.class, s::deactivate);
      assertEquals(s, deactivate.from());
      assertEquals(DEACTIVATED, deactivate.to());
      assertEquals(ACTIVE, assertThrows(InvalidImageTransition.class, s::reactivate).to());
    }
  }

  @Test
  @DisplayName("what each status allows: data, locations, format changes, downloads")
  void allowances() {
    assertEquals(EnumSet.of(QUEUED), allowing(ImageStatus::acceptsData));
    assertEquals(EnumSet.of(QUEUED, ACTIVE), allowing(ImageStatus::acceptsLocations));
    assertEquals(EnumSet.of(ACTIVE), allowing(ImageStatus::allowsLocationRemoval));
    assertEquals(EnumSet.of(QUEUED, IMPORTING), allowing(ImageStatus::formatsChangeable));
    assertEquals(EnumSet.of(ACTIVE, DEACTIVATED), allowing(ImageStatus::servesData));
    for (ImageStatus s : allowing(ImageStatus::acceptsData)) {
      assertTrue(s.canTransitionTo(SAVING) && s.canTransitionTo(ACTIVE), s::toString);
    }
  }

  private static Set<ImageStatus> allowing(java.util.function.Predicate<ImageStatus> rule) {
    Set<ImageStatus> out = EnumSet.noneOf(ImageStatus.class);
    for (ImageStatus s : ImageStatus.values()) {
      if (rule.test(s)) {
        out.add(s);
      }
    }
    return out;
  }
}
