package io.glint.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The one check every URL Glint fetches passes (the HTTP store now; web-download and copy-from later):
 * Glance's {@code [import_filtering_opts]} lists, plus the protections Glance's patched builds added after
 * its SSRF advisories: the host is resolved once and every address checked; loopback, private, link-local
 * (cloud metadata), multicast and unspecified addresses are refused unless the host is explicitly in
 * {@code allowed_hosts}; numeric IPv4 spellings ({@code 2130706433}, {@code 0x7f.1}, {@code 017700000001})
 * are read as the address they denote; an IPv6 address that carries an IPv4 one (mapped, translated, compatible,
 * NAT64, 6to4, ISATAP) is judged by that IPv4 address, whether written in the URL or answered by DNS, and
 * non-global IPv6 (outside {@code 2000::/3}, Teredo) is refused; the caller connects to the address checked here
 * (no DNS rebinding) and checks every redirect hop again. Resolution blocks: call {@link #check} off the event loop.
 */
public final class UrlGuard {

  /** Glance's six lists; an empty "allowed" list means "anything not disallowed". */
  public record Rules(List<String> allowedSchemes, List<String> disallowedSchemes, List<String> allowedHosts,
      List<String> disallowedHosts, List<String> allowedPorts, List<String> disallowedPorts) {}

  /** A URL that passed: where to connect (a pinned address) and what to send as Host / SNI. */
  public record Target(URI uri, String scheme, String host, int port, InetAddress address, String pathAndQuery) {
    public boolean tls() {
      return scheme.equals("https");
    }
  }

  /** A URL that did not pass; the message says why, without echoing credentials. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final Rules rules;
  private final Function<String, InetAddress[]> resolver;

  public UrlGuard(Rules rules) {
    this(rules, UrlGuard::resolve);
  }

  /** With a custom resolver (tests). */
  public UrlGuard(Rules rules, Function<String, InetAddress[]> resolver) {
    this.rules = rules;
    this.resolver = resolver;
  }

  /** Checks a URL and resolves its host; throws {@link Refused}. Blocking (DNS). */
  public Target check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new Refused("Invalid URL.");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!allowed(scheme, rules.allowedSchemes(), rules.disallowedSchemes())) {
      throw new Refused("URL scheme '" + scheme + "' is not allowed.");
    }
    String rawHost = uri.getHost();
    if (rawHost == null || rawHost.isEmpty()) {
      throw new Refused("URL has no host.");
    }
    String host = rawHost.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    if (!allowed(Integer.toString(port), rules.allowedPorts(), rules.disallowedPorts())) {
      throw new Refused("URL port " + port + " is not allowed.");
    }
    InetAddress literal = parseLiteral(host);
    boolean explicitlyAllowed = !rules.allowedHosts().isEmpty() && contains(rules.allowedHosts(), host);
    if (!rules.allowedHosts().isEmpty() && !explicitlyAllowed) {
      throw new Refused("URL host '" + host + "' is not allowed.");
    }
    if (rules.allowedHosts().isEmpty() && contains(rules.disallowedHosts(), host)) {
      throw new Refused("URL host '" + host + "' is not allowed.");
    }
    InetAddress[] addresses = literal != null ? new InetAddress[] {literal} : resolver.apply(host);
    if (addresses == null || addresses.length == 0) {
      throw new Refused("URL host '" + host + "' cannot be resolved.");
    }
    for (InetAddress a : addresses) {
      String ip = a.getHostAddress();
      if (rules.allowedHosts().isEmpty() && contains(rules.disallowedHosts(), ip)) {
        throw new Refused("URL host '" + host + "' is not allowed.");
      }
      if (!explicitlyAllowed && isRestricted(a)) {
        throw new Refused("URL host '" + host + "' resolves to a restricted address.");
      }
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new Target(uri, scheme, host, port, addresses[0], path + query);
  }

  private static boolean allowed(String value, List<String> allowed, List<String> disallowed) {
    if (!allowed.isEmpty()) {
      return contains(allowed, value);
    }
    return !contains(disallowed, value);
  }

  private static boolean contains(List<String> list, String value) {
    for (String item : list) {
      if (item.equalsIgnoreCase(value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, and IPv6 forms of them: an IPv6
   * address that embeds an IPv4 address is judged by the IPv4 address it embeds (see {@link #isRestrictedIpv6}).
   */
  public static boolean isRestricted(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second < 128) // CGNAT 100.64/10
          || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          || (first == 198 && (second == 18 || second == 19)) // benchmarking
          || first >= 240; // reserved and broadcast
    }
    return b.length == 16 && isRestrictedIpv6(b);
  }

  /**
   * The IPv6 rules, on the 16 bytes of an address that is not loopback, unspecified, link-local, site-local
   * ({@code fec0::/10}) or multicast. Only global unicast {@code 2000::/3} may pass, and the forms that carry an
   * IPv4 address pass only when that address would: whoever relays them (this host's stack, a NAT64 gateway, a
   * 6to4 or ISATAP router) delivers to the IPv4 address, so {@code ::ffff:0:127.0.0.1} is 127.0.0.1.
   * <ul>
   * <li>IPv4-mapped {@code ::ffff:0:0/96}, IPv4-translated {@code ::ffff:0:0:0/96}, IPv4-compatible
   * {@code ::/96} and NAT64 {@code 64:ff9b::/96}: judged by the last 32 bits;
   * <li>the rest of the reserved {@code ::/8} (the NAT64 local-use {@code 64:ff9b:1::/48}, whose embedded address
   * sits where the operator's prefix length puts it, included), unique-local {@code fc00::/7} and everything
   * else outside {@code 2000::/3}: refused outright, none of it is global;
   * <li>Teredo {@code 2001::/32}: refused outright rather than judged by its server (bits 32..63) and client
   * (last 32 bits, XOR 0xffffffff) IPv4 addresses. A Teredo address is a NAT-traversal tunnel endpoint that a
   * relay unwraps to those addresses, not a place an image is served from, and refusing the whole prefix leaves
   * no obfuscated spelling to get wrong;
   * <li>6to4 {@code 2002::/16}: judged by the IPv4 address in bits 16..47;
   * <li>an ISATAP interface identifier {@code ::0:5efe:a.b.c.d} / {@code ::200:5efe:a.b.c.d} under a global
   * prefix: judged by the IPv4 address in the last 32 bits as well.
   * </ul>
   * NAT64 through an operator's own (network-specific) prefix cannot be recognised from the address; such a
   * prefix belongs in {@code disallowed_hosts} or the network's own filtering.
   */
  private static boolean isRestrictedIpv6(byte[] b) {
    if (isIpv4Translation(b)) {
      return isRestricted(ipv4At(b, 12));
    }
    if ((b[0] & 0xe0) != 0x20) {
      return true; // not global unicast 2000::/3: fc00::/7, the rest of ::/8, unassigned
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
      return true; // Teredo 2001::/32
    }
    if (b[0] == 0x20 && b[1] == 0x02 && isRestricted(ipv4At(b, 2))) {
      return true; // 6to4 2002::/16
    }
    return isIsatap(b) && isRestricted(ipv4At(b, 12));
  }

  /**
   * Whether the address is one of the forms whose last 32 bits are an IPv4 address and whose other 96 bits say
   * nothing more: IPv4-mapped {@code ::ffff:0:0/96}, IPv4-translated {@code ::ffff:0:0:0/96} (RFC 2765),
   * IPv4-compatible {@code ::/96} (deprecated; {@code ::} and {@code ::1} are in it and come out as 0.0.0.0 and
   * 0.0.0.1, refused) and the NAT64 well-known prefix {@code 64:ff9b::/96} (RFC 6052).
   */
  private static boolean isIpv4Translation(byte[] b) {
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    if (!nat64 && !allZero(b, 0, 4)) {
      return false;
    }
    if (!allZero(b, 4, 8)) {
      return false;
    }
    int hextet5 = (b[8] & 0xff) << 8 | (b[9] & 0xff);
    int hextet6 = (b[10] & 0xff) << 8 | (b[11] & 0xff);
    if (nat64) {
      return hextet5 == 0 && hextet6 == 0;
    }
    return hextet5 == 0 && (hextet6 == 0 || hextet6 == 0xffff) // compatible, mapped
        || hextet5 == 0xffff && hextet6 == 0; // translated
  }

  /** An ISATAP interface identifier (RFC 5214): {@code 0000:5efe} or {@code 0200:5efe} (u/g bits ignored). */
  private static boolean isIsatap(byte[] b) {
    return (b[8] & 0xfc) == 0 && b[9] == 0 && (b[10] & 0xff) == 0x5e && (b[11] & 0xff) == 0xfe;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The IPv4 address in the four bytes at {@code offset}. */
  private static InetAddress ipv4At(byte[] b, int offset) {
    try {
      return InetAddress.getByAddress(new byte[] {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an IPv4 address
    }
  }

  /**
   * The address a host spells out itself, or null for a name to resolve: an IPv6 literal (the host of
   * {@code http://[...]/}, read without any DNS lookup; Java already turns IPv4-mapped ones into an
   * {@link Inet4Address}) or a numeric IPv4 spelling ({@link #parseNumericIpv4}).
   */
  static InetAddress parseLiteral(String host) {
    if (host.indexOf(':') < 0) {
      return parseNumericIpv4(host);
    }
    try {
      return InetAddress.getByName("[" + host + "]"); // brackets: a literal or an error, never a lookup
    } catch (UnknownHostException e) {
      throw new Refused("Invalid URL.");
    }
  }

  /**
   * Reads a host as {@code inet_aton} does (what curl, browsers and many libraries accept): one to four parts
   * separated by dots, each decimal, octal (leading 0) or hex (0x). Returns null when it is not such a number.
   */
  static InetAddress parseNumericIpv4(String host) {
    if (host.isEmpty() || host.endsWith(".")) {
      host = host.isEmpty() ? host : host.substring(0, host.length() - 1);
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length < 1 || parts.length > 4) {
      return null;
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Long v = parseNumber(parts[i]);
      if (v == null) {
        return null;
      }
      values[i] = v;
    }
    long address;
    int n = parts.length;
    long last = values[n - 1];
    long max = n == 1 ? 0xFFFFFFFFL : n == 2 ? 0xFFFFFFL : n == 3 ? 0xFFFFL : 0xFFL;
    if (last > max) {
      return null;
    }
    address = last;
    for (int i = 0; i < n - 1; i++) {
      if (values[i] > 0xFF) {
        return null;
      }
      address |= values[i] << (24 - 8 * i);
    }
    try {
      return InetAddress.getByAddress(new byte[] {
        (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static Long parseNumber(String s) {
    if (s.isEmpty()) {
      return null;
    }
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return s.length() == 2 ? 0L : Long.parseLong(s.substring(2), 16);
      }
      if (s.length() > 1 && s.startsWith("0")) {
        return Long.parseLong(s.substring(1), 8);
      }
      for (int i = 0; i < s.length(); i++) {
        if (!Character.isDigit(s.charAt(i))) {
          return null;
        }
      }
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static InetAddress[] resolve(String host) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return new InetAddress[0];
    }
  }

  /** The guard's rules, for logging. */
  public Rules rules() {
    return rules;
  }

  /** Schemes known to be unsafe as user-supplied locations whatever the configuration. */
  public static final Set<String> NEVER_FROM_USERS = Set.of("file", "filesystem", "swift+config");
}
