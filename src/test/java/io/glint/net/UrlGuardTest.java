package io.glint.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Outbound URL guard (import_filtering_opts and restricted addresses)")
class UrlGuardTest {

  private static final UrlGuard.Rules DEFAULTS =
      new UrlGuard.Rules(List.of("http", "https"), List.of(), List.of(), List.of(), List.of("80", "443"), List.of());

  /** A resolver with fixed answers, so that the test needs no DNS. */
  private static UrlGuard guard(UrlGuard.Rules rules, Map<String, String> dns) {
    return new UrlGuard(rules, host -> {
      String ip = dns.get(host);
      try {
        return ip == null ? new InetAddress[0] : new InetAddress[] {InetAddress.getByName(ip)};
      } catch (Exception e) {
        return new InetAddress[0];
      }
    });
  }

  @Test
  @DisplayName("public hosts on allowed schemes and ports pass, pinned to the checked address")
  void publicHostPasses() {
    UrlGuard g = guard(DEFAULTS, Map.of("images.example.com", "93.184.216.34"));
    UrlGuard.Target t = g.check("https://images.example.com/cirros.img?x=1");
    assertEquals("images.example.com", t.host());
    assertEquals(443, t.port());
    assertEquals("93.184.216.34", t.address().getHostAddress());
    assertEquals("/cirros.img?x=1", t.pathAndQuery());
    assertTrue(t.tls());
  }

  @Test
  @DisplayName("loopback, private, link-local, metadata and unspecified addresses are refused, however spelled")
  void restrictedAddresses() {
    UrlGuard g = guard(DEFAULTS, Map.of("evil.example.com", "127.0.0.1", "inside.example.com", "10.1.2.3",
        "v6.example.com", "::1", "mapped.example.com", "::ffff:169.254.169.254",
        "localhost.localdomain", "127.0.0.1"));
    for (String url : List.of("http://127.0.0.1/", "http://localhost.localdomain/", "http://2130706433/",
        "http://017700000001/", "http://0x7f000001/", "http://0/",
        "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/", "http://192.168.0.1/", "http://172.16.5.4/", "http://100.64.0.1/",
        "http://evil.example.com/", "http://inside.example.com/", "http://v6.example.com/",
        "http://mapped.example.com/", "http://224.0.0.1/")) {
      // refused for its address: every name above resolves, so none passes merely by being unresolvable
      assertRestricted(g, url);
    }
    // dotted forms whose last part is not a name: refused before any lookup
    for (String url : List.of("http://0x7f.1/", "http://127.1/")) {
      assertTrue(assertThrows(UrlGuard.Refused.class, () -> g.check(url)).getMessage().contains("no host"), url);
    }
  }

  /** Restricted IPv4 addresses an attacker would wrap in an IPv6 form. */
  private static final List<String> RESTRICTED_IPV4 =
      List.of("127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.1.1", "0.0.0.0");

  /**
   * Every IPv6 form judged by the IPv4 address it carries, as templates: {@code %d} is the dotted IPv4 address,
   * {@code %h} the same 32 bits as two hex groups.
   */
  private static final List<String> EMBEDDING_FORMS = List.of(
      "::ffff:%d", "::ffff:%h", "0:0:0:0:0:ffff:%h", // IPv4-mapped
      "::ffff:0:%d", "::ffff:0:%h", "0:0:0:0:ffff:0:%h", // IPv4-translated (RFC 2765)
      "::%d", "::%h", // IPv4-compatible (deprecated)
      "2002:%h::", "2002:%h:1::1", // 6to4
      "64:ff9b::%d", "64:ff9b::%h", // NAT64 well-known prefix
      "2a00:1450:4001::200:5efe:%d", "2a00:1450:4001::5efe:%h"); // ISATAP interface identifier

  /** An embedding form with the IPv4 address filled in. */
  private static String embed(String form, String ipv4) {
    byte[] b;
    try {
      b = InetAddress.getByName(ipv4).getAddress();
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
    String hex = Integer.toHexString((b[0] & 0xff) << 8 | (b[1] & 0xff)) + ":"
        + Integer.toHexString((b[2] & 0xff) << 8 | (b[3] & 0xff));
    return form.replace("%d", ipv4).replace("%h", hex);
  }

  /**
   * A resolver answering each name with the given IPv6 address as an {@link Inet6Address}, even an IPv4-mapped
   * one (as an AAAA answer can be; {@code InetAddress.getByName} would turn that into an Inet4Address).
   */
  private static UrlGuard guardResolvingToIpv6(UrlGuard.Rules rules, Map<String, String> dns) {
    return new UrlGuard(rules, host -> {
      String ip = dns.get(host);
      if (ip == null) {
        return new InetAddress[0];
      }
      try {
        byte[] b = InetAddress.getByName("[" + ip + "]").getAddress();
        return new InetAddress[] {Inet6Address.getByAddress(null, b.length == 16 ? b : mapped(b), -1)};
      } catch (UnknownHostException e) {
        return new InetAddress[0];
      }
    });
  }

  /** The 16 bytes of {@code ::ffff:a.b.c.d}. */
  private static byte[] mapped(byte[] ipv4) {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(ipv4, 0, b, 12, 4);
    return b;
  }

  /** Asserts that the guard refuses the URL because of its address (not because it cannot resolve it). */
  private static void assertRestricted(UrlGuard g, String url) {
    UrlGuard.Refused e = assertThrows(UrlGuard.Refused.class, () -> g.check(url), url);
    assertTrue(e.getMessage().contains("restricted address"), url + ": " + e.getMessage());
  }

  @Test
  @DisplayName("IPv6 forms that embed a restricted IPv4 address are refused, written in the URL or answered by DNS")
  void ipv6EmbeddingRestrictedIpv4() {
    Map<String, String> dns = new HashMap<>();
    List<String> urls = new ArrayList<>();
    for (String ipv4 : RESTRICTED_IPV4) {
      for (String form : EMBEDDING_FORMS) {
        String ipv6 = embed(form, ipv4);
        String name = "n" + dns.size() + ".example.com";
        dns.put(name, ipv6);
        urls.add("http://[" + ipv6 + "]/");
        urls.add("http://" + name + "/");
      }
    }
    urls.add("http://[::ffff:0:127.0.0.1]/"); // the report's spelling
    UrlGuard g = guardResolvingToIpv6(DEFAULTS, dns);
    for (String url : urls) {
      assertRestricted(g, url);
    }
    // dotted forms whose last part is not a name: refused before any lookup
    for (String url : List.of("http://0x7f.1/", "http://127.1/")) {
      assertTrue(assertThrows(UrlGuard.Refused.class, () -> g.check(url)).getMessage().contains("no host"), url);
    }
    UrlGuard plain = guard(DEFAULTS, Map.of("translated.example.com", "::ffff:0:7f00:1"));
    assertRestricted(plain, "http://translated.example.com/");
  }

  @Test
  @DisplayName("IPv6 forms that embed a public IPv4 address pass, pinned to the address written")
  void ipv6EmbeddingPublicIpv4() throws UnknownHostException {
    Map<String, String> dns = new HashMap<>();
    for (String form : EMBEDDING_FORMS) {
      dns.put("n" + dns.size() + ".example.com", embed(form, "8.8.8.8"));
    }
    UrlGuard g = guardResolvingToIpv6(DEFAULTS, dns);
    for (Map.Entry<String, String> e : dns.entrySet()) {
      String ipv6 = e.getValue();
      UrlGuard.Target literal = g.check("http://[" + ipv6 + "]/x");
      assertEquals(InetAddress.getByName("[" + ipv6 + "]"), literal.address(), ipv6);
      assertEquals(ipv6, literal.host());
      byte[] resolved = g.check("http://" + e.getKey() + "/x").address().getAddress();
      assertEquals(16, resolved.length, ipv6);
    }
    assertEquals("2606:4700:0:0:0:0:0:1111", g.check("https://[2606:4700::1111]/").address().getHostAddress());
  }

  @Test
  @DisplayName("Teredo, NAT64 local-use, unique-local, site-local and other non-global IPv6 are refused outright")
  void nonGlobalIpv6() {
    UrlGuard g = guardResolvingToIpv6(DEFAULTS,
        Map.of("teredo.example.com", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "ula.example.com", "fd12:3456::1"));
    for (String ipv6 : List.of(
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo, server 65.54.227.120, client 192.0.2.45
        "2001:0:808:808::80ff:fffe", // Teredo, server 8.8.8.8, client 127.0.0.1
        "2001:0:7f00:1::f7f7:f7f7", // Teredo, server 127.0.0.1, client 8.8.8.8
        "64:ff9b:1::808:808", "64:ff9b:1:7f00:1::", "64:ff9b:1:a9fe:a9:fe00::", // NAT64 local use (RFC 8215)
        "64:ff9b:0:0:1::808:808", "::1:0:808:808", "::ffff:1:808:808", // the rest of the reserved ::/8
        "fc00::1", "fd12:3456::1", "fd00::5efe:808:808", // unique local, even with an ISATAP identifier
        "fec0::1", "fec0::ffff:808:808", // site local (deprecated)
        "100::1", "4000::1", "e000::1")) { // discard-only, unassigned
      assertRestricted(g, "http://[" + ipv6 + "]/");
    }
    assertRestricted(g, "http://teredo.example.com/");
    assertRestricted(g, "http://ula.example.com/");
  }

  @Test
  @DisplayName("the embedded IPv4 address decides even when the IPv6 address object keeps the mapped form")
  void isRestrictedReadsEmbeddedIpv4() throws UnknownHostException {
    for (String ipv4 : RESTRICTED_IPV4) {
      byte[] v4 = InetAddress.getByName(ipv4).getAddress();
      assertTrue(UrlGuard.isRestricted(Inet6Address.getByAddress(null, mapped(v4), -1)), ipv4);
      for (String form : EMBEDDING_FORMS) {
        String ipv6 = embed(form, ipv4);
        assertTrue(UrlGuard.isRestricted(InetAddress.getByName("[" + ipv6 + "]")), ipv6);
      }
    }
    byte[] google = InetAddress.getByName("8.8.8.8").getAddress();
    assertFalse(UrlGuard.isRestricted(Inet6Address.getByAddress(null, mapped(google), -1)));
    for (String form : EMBEDDING_FORMS) {
      String ipv6 = embed(form, "8.8.8.8");
      assertFalse(UrlGuard.isRestricted(InetAddress.getByName("[" + ipv6 + "]")), ipv6);
    }
  }

  @Test
  @DisplayName("allowed_hosts still lets an operator allow an IPv6 literal or a name resolving to a restricted one")
  void allowedHostsOverrideIpv6Forms() {
    UrlGuard.Rules rules = new UrlGuard.Rules(List.of("http"), List.of(), List.of("::ffff:0:7f00:1",
        "2002:a9fe:a9fe::", "internal.example.com"), List.of(), List.of(), List.of());
    UrlGuard g = guardResolvingToIpv6(rules, Map.of("internal.example.com", "::ffff:0:7f00:1",
        "other.example.com", "2002:7f00:1::"));
    assertEquals("0:0:0:0:ffff:0:7f00:1", g.check("http://[::ffff:0:7f00:1]:8000/x").address().getHostAddress());
    assertEquals("2002:a9fe:a9fe:0:0:0:0:0", g.check("http://[2002:a9fe:a9fe::]/x").address().getHostAddress());
    assertEquals("0:0:0:0:ffff:0:7f00:1", g.check("http://internal.example.com/x").address().getHostAddress());
    assertThrows(UrlGuard.Refused.class, () -> g.check("http://other.example.com/x"));
    assertThrows(UrlGuard.Refused.class, () -> g.check("http://[::ffff:0:7f00:2]/x"));
  }

  @Test
  @DisplayName("schemes, ports and hosts follow the allowed/disallowed lists as Glance reads them")
  void lists() {
    UrlGuard g = guard(DEFAULTS, Map.of("h.example.com", "93.184.216.34"));
    assertThrows(UrlGuard.Refused.class, () -> g.check("ftp://h.example.com/x"));
    assertThrows(UrlGuard.Refused.class, () -> g.check("file:///etc/passwd"));
    assertThrows(UrlGuard.Refused.class, () -> g.check("http://h.example.com:8080/x"));
    assertThrows(UrlGuard.Refused.class, () -> g.check("http:///nohost"));
    assertThrows(UrlGuard.Refused.class, () -> g.check("http://unresolvable.example.com/x"));
    UrlGuard denyHost = guard(new UrlGuard.Rules(List.of("http"), List.of(), List.of(),
        List.of("h.example.com"), List.of(), List.of("8080")), Map.of("h.example.com", "93.184.216.34",
        "o.example.com", "93.184.216.35"));
    assertThrows(UrlGuard.Refused.class, () -> denyHost.check("http://h.example.com/x"));
    assertThrows(UrlGuard.Refused.class, () -> denyHost.check("http://o.example.com:8080/x"));
    assertEquals(9999, denyHost.check("http://o.example.com:9999/x").port());
    UrlGuard onlyOne = guard(new UrlGuard.Rules(List.of("http"), List.of(), List.of("127.0.0.1"), List.of(),
        List.of(), List.of()), Map.of());
    assertEquals(8000, onlyOne.check("http://127.0.0.1:8000/x").port());
    assertThrows(UrlGuard.Refused.class, () -> onlyOne.check("http://127.0.0.2:8000/x"));
  }

  @Test
  @DisplayName("numeric IPv4 spellings are read as inet_aton reads them")
  void numericSpellings() {
    assertEquals("127.0.0.1", UrlGuard.parseNumericIpv4("2130706433").getHostAddress());
    assertEquals("127.0.0.1", UrlGuard.parseNumericIpv4("0x7f.1").getHostAddress());
    assertEquals("127.0.0.1", UrlGuard.parseNumericIpv4("0177.0.0.1").getHostAddress());
    assertEquals("10.0.1.2", UrlGuard.parseNumericIpv4("10.258").getHostAddress());
    assertNull(UrlGuard.parseNumericIpv4("example.com"));
    assertNull(UrlGuard.parseNumericIpv4("1.2.3.4.5"));
    assertNull(UrlGuard.parseNumericIpv4("256.1.1.1"));
  }
}
