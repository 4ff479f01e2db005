package io.glint.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.config.ConfigException;
import io.glint.config.GlintConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("S3 store settings and locations")
class S3SettingsTest {

  private static S3Settings settings(Map<String, String> options) {
    Map<String, String> m = new HashMap<>();
    m.put("glance_store.stores", "s3");
    m.put("glance_store.default_store", "s3");
    options.forEach((k, v) -> m.put("glance_store." + k, v));
    return S3Settings.of("s3", GlintConfig.of(m).stores().glanceStore("s3"));
  }

  @Test
  @DisplayName("endpoints: a bare host is plain http; Amazon hosts give the region and virtual-host addressing")
  void endpoints() {
    S3Settings rgw = settings(Map.of("s3_store_host", "rgw.internal:8080", "s3_store_bucket", "images"));
    assertEquals("http://rgw.internal:8080", rgw.endpoint().toString());
    assertTrue(rgw.pathStyle(), "auto = path style off Amazon");
    assertEquals("us-east-1", rgw.region());
    assertEquals(10L << 20, rgw.partSize());
    assertEquals(100L << 20, rgw.largeObjectSize());
    assertEquals(10, rgw.partsInFlight());
    S3Settings aws = settings(Map.of("s3_store_host", "https://s3.eu-west-1.amazonaws.com/", "s3_store_bucket",
        "images", "s3_store_access_key", "AKIAEXAMPLE", "s3_store_secret_key", "s3cr3t"));
    assertEquals("eu-west-1", aws.region());
    assertFalse(aws.pathStyle());
    assertTrue(aws.https());
    assertFalse(aws.toString().contains("s3cr3t") || aws.toString().contains("AKIAEXAMPLE"), aws.toString());
    assertTrue(settings(Map.of("s3_store_host", "https://s3.amazonaws.com", "s3_store_bucket", "my.dotted.bucket"))
        .pathStyle(), "a dotted bucket cannot be a host name under TLS");
    assertFalse(settings(Map.of("s3_store_host", "http://minio:9000", "s3_store_bucket", "images",
        "s3_store_bucket_url_format", "virtual")).pathStyle());
  }

  @Test
  @DisplayName("glance_store's CA file and data-integrity options: checksums when required unless protection is on")
  void integrityAndCacert() throws Exception {
    Map<String, String> base = Map.of("s3_store_host", "https://rgw.internal", "s3_store_bucket", "images");
    S3Settings plain = settings(base);
    assertNull(plain.cacert());
    assertFalse(plain.requestChecksums() || plain.responseChecksums(), "glance_store's default: when_required");
    Map<String, String> chosen = new HashMap<>(base);
    chosen.put("s3_store_request_checksum_calculation", "when_supported");
    chosen.put("s3_store_response_checksum_validation", "when_supported");
    S3Settings ignored = settings(chosen);
    assertFalse(ignored.requestChecksums() || ignored.responseChecksums(),
        "the two options apply only with s3_store_enable_data_integrity_protection");
    chosen.put("s3_store_enable_data_integrity_protection", "true");
    chosen.put("s3_store_response_checksum_validation", "when_required");
    S3Settings protectedStore = settings(chosen);
    assertTrue(protectedStore.requestChecksums());
    assertFalse(protectedStore.responseChecksums());
    java.nio.file.Path pem = java.nio.file.Files.createTempFile("ca", ".pem");
    try {
      Map<String, String> withCa = new HashMap<>(base);
      withCa.put("s3_store_cacert", pem.toString());
      S3Settings ca = settings(withCa);
      assertEquals(pem.toString(), ca.cacert());
      assertTrue(ca.clientOptions().getTrustOptions() != null, "the endpoint is checked against the CA file");
      withCa.put("s3_store_cacert", "");
      assertNull(settings(withCa).cacert(), "empty, glance_store's default: the default trust store");
      withCa.put("s3_store_cacert", pem + ".missing");
      ConfigException e = assertThrows(ConfigException.class, () -> settings(withCa));
      assertTrue(e.getMessage().contains("s3_store_cacert"), e.getMessage());
    } finally {
      java.nio.file.Files.delete(pem);
    }
  }

  @Test
  @DisplayName("missing or malformed settings are reported together, naming where they belong")
  void problems() {
    ConfigException e = assertThrows(ConfigException.class, () -> settings(Map.of("s3_store_access_key", "a")));
    assertTrue(e.getMessage().contains("s3_store_host is required in [glance_store]"), e.getMessage());
    assertTrue(e.getMessage().contains("s3_store_bucket is required"), e.getMessage());
    assertTrue(e.getMessage().contains("set both s3_store_access_key and s3_store_secret_key"), e.getMessage());
    assertFalse(e.getMessage().contains("=a"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> settings(Map.of("s3_store_host", "http://u:p@h/x",
        "s3_store_bucket", "b!", "s3_store_key_prefix", "/abs")));
    assertTrue(e.getMessage().contains("must be http://host[:port]"), e.getMessage());
    assertTrue(e.getMessage().contains("not a valid bucket name"), e.getMessage());
    assertTrue(e.getMessage().contains("s3_store_key_prefix"), e.getMessage());
    assertThrows(ConfigException.class, () -> GlintConfig.of(Map.of("glance_store.s3_store_large_object_chunk_size",
        "4")), "parts are at least 5 MB");
  }

  @Test
  @DisplayName("locations: written without keys; glance_store's with keys are read; ownership by endpoint and bucket")
  void locations() {
    S3Settings s = settings(Map.of("s3_store_host", "http://127.0.0.1:9000", "s3_store_bucket", "images"));
    S3Location mine = S3Location.of(s, "glance/abc.1f");
    assertEquals("s3://127.0.0.1:9000/images/glance/abc.1f", mine.uri());
    assertEquals(mine, S3Location.parse(mine.uri()));
    assertTrue(mine.in(s));
    S3Location legacy = S3Location.parse("s3://AKIA:se/cr/et@127.0.0.1:9000/images/abc");
    assertEquals(new S3Location("s3", "127.0.0.1:9000", "images", "abc"), legacy);
    assertTrue(legacy.in(s));
    assertFalse(S3Location.parse("s3+https://127.0.0.1:9000/images/abc").in(s), "https is another endpoint");
    assertFalse(S3Location.parse("s3://127.0.0.1:9000/other/abc").in(s));
    assertNull(S3Location.parse("s3://a:b@https://host/bucket/key"));
    assertNull(S3Location.parse("s3://host/bucket-only"));
    assertNull(S3Location.parse("http://host/bucket/key"));
  }
}
