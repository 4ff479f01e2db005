package io.glint.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionTypeTest {

  @Test
  void sizes() {
    OptionType<Long> size = OptionType.size();
    assertEquals(0L, size.parse("0"));
    assertEquals(512L, size.parse("512"));
    assertEquals(512L, size.parse("512B"));
    assertEquals(1024L, size.parse("1KB"));
    assertEquals(5L * 1024 * 1024, size.parse("5MB"));
    assertEquals(10737418240L, size.parse("10GB"));
    assertEquals(10737418240L, size.parse("10gb"));
    assertEquals(10737418240L, size.parse(" 10 GB "));
    assertEquals(2L << 40, size.parse("2TB"));
    for (String bad : List.of("", "GB", "-1", "1.5GB", "10PB", "10 G", "ten", "99999999999TB", "99999999999999999999")) {
      assertThrows(IllegalArgumentException.class, () -> size.parse(bad), bad);
    }
  }

  @Test
  void booleans() {
    OptionType<Boolean> bool = OptionType.bool();
    for (String t : List.of("true", "TRUE", "True", "yes", "YES", "on", "On", "1", " true ")) {
      assertTrue(bool.parse(t), t);
    }
    for (String f : List.of("false", "FALSE", "no", "No", "off", "OFF", "0")) {
      assertFalse(bool.parse(f), f);
    }
    for (String bad : List.of("", "y", "n", "2", "enabled", "tru")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bool.parse(bad), bad);
      assertTrue(e.getMessage().contains("yes/no"), e.getMessage());
    }
  }

  @Test
  void integers() {
    OptionType<Integer> port = OptionType.integer(0, 65535);
    assertEquals(0, port.parse("0"));
    assertEquals(65535, port.parse(" 65535 "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> port.parse("65536"));
    assertEquals("must be an integer between 0 and 65535", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> port.parse("-1"));
    assertThrows(IllegalArgumentException.class, () -> port.parse("80x"));
    assertThrows(IllegalArgumentException.class, () -> port.parse(""));

    OptionType<Integer> quota = OptionType.integer(-1, Integer.MAX_VALUE);
    assertEquals(-1, quota.parse("-1"));
    assertEquals("must be an integer >= -1", assertThrows(IllegalArgumentException.class, () -> quota.parse("-2")).getMessage());

    OptionType<Long> cap = OptionType.longInteger(0, Long.MAX_VALUE);
    assertEquals(Long.MAX_VALUE, cap.parse("9223372036854775807"));
    assertThrows(IllegalArgumentException.class, () -> cap.parse("9223372036854775808"));
  }

  @Test
  void lists() {
    OptionType<List<String>> list = OptionType.list();
    assertEquals(List.of("a", "b", "c"), list.parse(" a, b ,,c, "));
    assertEquals(List.of(), list.parse(""));
    assertEquals(List.of("raw", "qcow2"), list.parse("raw,\nqcow2"));

    OptionType<List<String>> methods = OptionType.list(List.of("glance-direct", "web-download"));
    assertEquals(List.of("web-download"), methods.parse("web-download"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> methods.parse("glance-direct,nope"));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void choices() {
    OptionType<String> level = OptionType.choice(true, "INFO", "DEBUG");
    assertEquals("DEBUG", level.parse("debug"));
    OptionType<String> flavor = OptionType.choice(false, "keystone", "", "noauth");
    assertEquals("", flavor.parse(""));
    assertEquals("", flavor.parse("  "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flavor.parse("Keystone"));
    assertTrue(e.getMessage().contains("keystone, '' (empty), noauth"), e.getMessage());
  }

  @Test
  void stringsAndPaths() {
    assertNull(OptionType.string(true).parse(""));
    assertNull(OptionType.string(true).parse(null));
    assertEquals("x", OptionType.string(true).parse(" x "));
    assertThrows(IllegalArgumentException.class, () -> OptionType.string(false).parse(" "));
    assertEquals(Path.of("/srv/images"), OptionType.path(true).parse("/srv/images"));
    assertNull(OptionType.path(true).parse(""));
  }

  @Test
  void databaseUrls() {
    assertEquals("postgresql://u:p@h:5432/glance", DatabaseUrl.normalise("postgresql://u:p@h:5432/glance"));
    assertEquals("postgresql://u:p@h/glance", DatabaseUrl.normalise("postgresql+psycopg2://u:p@h/glance"));
    assertEquals("postgresql://u:p@h/glance", DatabaseUrl.normalise("postgres://u:p@h/glance"));
    assertEquals("postgresql://u:p@h/glance", DatabaseUrl.normalise("PostgreSQL+pg8000://u:p@h/glance"));
    assertNull(DatabaseUrl.normalise(""));
    assertNull(DatabaseUrl.normalise(null));
    for (String other : List.of("mysql://u:p@h/glance", "mysql+pymysql://u:p@h/glance?charset=utf8", "sqlite:///glance.sqlite")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.normalise(other));
      assertTrue(e.getMessage().contains("Glint supports PostgreSQL only"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.normalise("host=localhost dbname=glance"));
    assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.normalise("postgresql://"));
  }

  @Test
  void passwordMasking() {
    assertEquals("postgresql://user:***@host/db", DatabaseUrl.mask("postgresql://user:secret@host/db"));
    assertEquals("postgresql+psycopg2://user:***@host:5432/db", DatabaseUrl.mask("postgresql+psycopg2://user:p@ss:w/rd@host:5432/db"));
    assertEquals("postgresql://user@host/db", DatabaseUrl.mask("postgresql://user@host/db"));
    assertEquals("postgresql://host:5432/db", DatabaseUrl.mask("postgresql://host:5432/db"));
    assertEquals("postgresql://host/db?user=u&password=***&sslmode=require",
        DatabaseUrl.mask("postgresql://host/db?user=u&password=secret&sslmode=require"));
    assertNull(DatabaseUrl.mask(null));
  }
}
