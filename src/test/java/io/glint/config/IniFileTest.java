package io.glint.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IniFileTest {

  @Test
  void sectionsKeysAndSeparators() {
    IniFile ini = IniFile.parse(String.join("\n",
        "[DEFAULT]",
        "bind_host = 127.0.0.1",
        "bind_port: 9393",
        "empty =",
        "url = postgresql://u:p@h/db?x=1",
        "",
        "[database]",
        "connection=postgres://a:b@c/d",
        "[Database]",
        "connection = other"), "test.conf");

    assertEquals(List.of("DEFAULT", "database", "Database"), List.copyOf(ini.sections()));
    assertEquals("127.0.0.1", ini.get("DEFAULT", "bind_host"));
    assertEquals("9393", ini.get("DEFAULT", "bind_port"));
    assertEquals("", ini.get("DEFAULT", "empty"));
    assertEquals("postgresql://u:p@h/db?x=1", ini.get("DEFAULT", "url"), "first separator splits, rest is value");
    assertEquals("postgres://a:b@c/d", ini.get("database", "connection"));
    assertEquals("other", ini.get("Database", "connection"), "section names are case-sensitive");
    assertNull(ini.get("database", "missing"));
    assertNull(ini.get("nosuch", "x"));
    assertEquals(3, ini.entry("DEFAULT", "bind_port").orElseThrow().line());
    assertEquals("test.conf:3", ini.entry("DEFAULT", "bind_port").orElseThrow().location());
  }

  @Test
  void separatorWhicheverComesFirst() {
    IniFile ini = IniFile.parse("a: b = c\nd = e: f\n", "x");
    assertEquals("b = c", ini.get("DEFAULT", "a"));
    assertEquals("e: f", ini.get("DEFAULT", "d"));
  }

  @Test
  void assignmentsBeforeAnyHeaderAreDefault() {
    IniFile ini = IniFile.parse("debug = true\n[x]\ny = 1\n", "x");
    assertEquals("true", ini.get("DEFAULT", "debug"));
    assertEquals("1", ini.get("x", "y"));
  }

  @Test
  void commentsAndBlankLines() {
    IniFile ini = IniFile.parse(String.join("\n",
        "# comment",
        "; also a comment",
        "[DEFAULT]",
        "#bind_port = 1",
        "",
        "   ",
        "a = b # not an inline comment",
        ";c = d"), "x");
    assertEquals(List.of("a"), List.copyOf(ini.section("DEFAULT").keySet()));
    assertEquals("b # not an inline comment", ini.get("DEFAULT", "a"));
  }

  @Test
  void continuationLines() {
    IniFile ini = IniFile.parse(String.join("\n",
        "[image_format]",
        "disk_formats = raw,",
        "    qcow2,",
        "\tiso",
        "container_formats =",
        "  bare",
        "next = 1"), "x");
    assertEquals("raw,\nqcow2,\niso", ini.get("image_format", "disk_formats"));
    assertEquals("bare", ini.get("image_format", "container_formats"));
    assertEquals("1", ini.get("image_format", "next"));
  }

  @Test
  void quotedValuesAreUnquotedAndValuesTrimmed() {
    IniFile ini = IniFile.parse("a = \"x y\"\nb = 'z'\nc =   spaced   \t\nd = \"\n", "x");
    assertEquals("x y", ini.get("DEFAULT", "a"));
    assertEquals("z", ini.get("DEFAULT", "b"));
    assertEquals("spaced", ini.get("DEFAULT", "c"));
    assertEquals("\"", ini.get("DEFAULT", "d"));
  }

  @Test
  void duplicateKeyLastWinsAndRepeatedSectionsMerge() {
    IniFile ini = IniFile.parse("[s]\na = 1\nb = 2\n[t]\n[s]\na = 3\n", "x");
    assertEquals("3", ini.get("s", "a"));
    assertEquals("2", ini.get("s", "b"));
    assertEquals(6, ini.entry("s", "a").orElseThrow().line());
    assertEquals(List.of("s", "t"), List.copyOf(ini.sections()));
    assertTrue(ini.section("t").isEmpty());
  }

  @Test
  void crlfAndBom() {
    IniFile ini = IniFile.parse("\uFEFF[DEFAULT]\r\na = 1\r\n  2\r\n", "x");
    assertEquals("1\n2", ini.get("DEFAULT", "a"));
  }

  @Test
  void badLineNamesFileAndLine() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> IniFile.parse("[DEFAULT]\n# ok\nbind_port = 1\nthis is not valid\n", "/etc/glint.conf"));
    assertTrue(e.getMessage().contains("/etc/glint.conf:4"), e.getMessage());
    assertTrue(e.getMessage().contains("this is not valid"), e.getMessage());
  }

  @Test
  void otherMalformedLines() {
    assertLineError("[DEFAULT\n", 1);
    assertLineError("a = 1\n[]\n", 2);
    assertLineError("[x]\n= value\n", 2);
    assertLineError("[x]\n  indented first\n", 2);
    assertLineError("a = 1\n\n  after blank\n", 3);
    assertLineError("a = 1\n# c\n  after comment\n", 3);
  }

  private static void assertLineError(String text, int line) {
    ConfigException e = assertThrows(ConfigException.class, () -> IniFile.parse(text, "f.conf"), text);
    assertTrue(e.getMessage().contains("f.conf:" + line + ":"), e.getMessage());
  }

  @Test
  void loadFromFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("glance-api.conf");
    Files.writeString(f, "[DEFAULT]\nbind_port = 1234\n");
    IniFile ini = IniFile.load(f);
    assertEquals("1234", ini.get("DEFAULT", "bind_port"));
    assertEquals(f.toString(), ini.source());
    assertEquals(f + ":2", ini.entries().get(0).location());

    ConfigException e = assertThrows(ConfigException.class, () -> IniFile.load(dir.resolve("missing.conf")));
    assertTrue(e.getMessage().contains("missing.conf"), e.getMessage());
  }
}
