package io.glint.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
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
        "v6.example.com", "::1", "mapped.example.com", "::ffff:169.254.169.254"));
    for (String url : List.of("http://127.0.0.1/", "http://localhost.localdomain/", "http://2130706433/",
        "http://0x7f.1/", "http://017700000001/", "http://0x7f000001/", "http://127.1/", "http://0/",
        "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/", "http://192.168.0.1/", "http://172.16.5.4/", "http://100.64.0.1/",
        "http://evil.example.com/", "http://inside.example.com/", "http://v6.example.com/",
        "http://mapped.example.com/", "http://224.0.0.1/")) {
      assertThrows(UrlGuard.Refused.class, () -> g.check(url), url);
    }
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
