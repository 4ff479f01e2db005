package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** glance-download's remote image id check: what Python's uuid.UUID accepts. */
class GlanceDownloadRulesTest {

  @Test
  @DisplayName("glance_image_id: the forms uuid.UUID() accepts, and nothing else")
  void pythonUuid() {
    assertTrue(ImageImports.pythonUuid("3b3e9a3c-1f7a-4c1e-9b53-2f8f6b9f4a10"));
    assertTrue(ImageImports.pythonUuid("3B3E9A3C1F7A4C1E9B532F8F6B9F4A10"));
    assertTrue(ImageImports.pythonUuid("{3b3e9a3c-1f7a-4c1e-9b53-2f8f6b9f4a10}"));
    assertTrue(ImageImports.pythonUuid("urn:uuid:3b3e9a3c-1f7a-4c1e-9b53-2f8f6b9f4a10"));
    assertFalse(ImageImports.pythonUuid("not-a-uuid"));
    assertFalse(ImageImports.pythonUuid("3b3e9a3c-1f7a-4c1e-9b53-2f8f6b9f4a1"));
    assertFalse(ImageImports.pythonUuid("3b3e9a3c-1f7a-4c1e-9b53-2f8f6b9f4a10/../x"));
    assertFalse(ImageImports.pythonUuid("null"));
  }
}
