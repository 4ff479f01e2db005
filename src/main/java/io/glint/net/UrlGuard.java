package io.glint.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
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
 * are read as the address they denote; the caller connects to the address checked here (no DNS rebinding)
 * and checks every redirect hop again. Resolution blocks: call {@link #check} off the event loop.
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
    InetAddress literal = parseNumericIpv4(host);
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

  /** Loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, and IPv6 forms of them. */
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
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff || (b[10] == 0 && b[11] == 0))) {
        try {
          return isRestricted(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
      // NAT64 64:ff9b::/96 embeds an IPv4 address too
      if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
        try {
          return isRestricted(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
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
