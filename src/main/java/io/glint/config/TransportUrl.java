package io.glint.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * oslo.messaging's {@code transport_url} for RabbitMQ: {@code rabbit://user:pass@host:port,user:pass@host2:port/vhost}.
 * Several hosts are tried in turn (failover); a host without credentials uses {@code guest:guest}, a host without a
 * port 5672; an empty virtual host is {@code /}. User names and passwords may be percent-encoded. {@code kombu://}
 * and {@code amqp://} are taken as {@code rabbit://}.
 *
 * @param hosts the brokers, in the order they are tried
 * @param virtualHost the virtual host, decoded
 */
public record TransportUrl(List<Host> hosts, String virtualHost) {

  /** The default of oslo.messaging when no URL is configured: the local broker as guest. */
  public static final String DEFAULT = "rabbit://guest:guest@localhost:5672/";

  /** One broker of the URL. */
  public record Host(String host, int port, String username, String password) {
    @Override
    public String toString() {
      return username + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Parses {@code url}.
   *
   * @throws IllegalArgumentException not a rabbit:// URL with at least one host
   */
  public static TransportUrl parse(String url) {
    String v = url == null ? "" : url.strip();
    int sep = v.indexOf("://");
    if (sep <= 0) {
      throw new IllegalArgumentException("must be a URL like rabbit://user:password@host:5672/");
    }
    String scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!scheme.equals("rabbit") && !scheme.equals("kombu") && !scheme.equals("amqp")) {
      throw new IllegalArgumentException("uses '" + scheme + "://', but Glint speaks to RabbitMQ only "
          + "(rabbit://user:password@host:5672/)");
    }
    String rest = v.substring(sep + 3);
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    int slash = rest.indexOf('/');
    String netloc = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : decode(rest.substring(slash + 1));
    List<Host> hosts = new ArrayList<>();
    for (String entry : netloc.split(",")) {
      String e = entry.strip();
      if (e.isEmpty()) {
        continue;
      }
      String user = "guest";
      String pass = "guest";
      int at = e.lastIndexOf('@');
      if (at >= 0) {
        String creds = e.substring(0, at);
        e = e.substring(at + 1);
        int colon = creds.indexOf(':');
        user = decode(colon < 0 ? creds : creds.substring(0, colon));
        pass = colon < 0 ? "" : decode(creds.substring(colon + 1));
      }
      String host = e;
      int port = 5672;
      if (e.startsWith("[")) {
        int close = e.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("has an unclosed IPv6 address '[' in its hosts");
        }
        host = e.substring(1, close);
        if (e.length() > close + 1 && e.charAt(close + 1) == ':') {
          port = port(e.substring(close + 2));
        }
      } else if (e.indexOf(':') >= 0) {
        host = e.substring(0, e.indexOf(':'));
        port = port(e.substring(e.indexOf(':') + 1));
      }
      if (host.isEmpty()) {
        host = "localhost";
      }
      hosts.add(new Host(host, port, user, pass));
    }
    if (hosts.isEmpty()) {
      hosts.add(new Host("localhost", 5672, "guest", "guest"));
    }
    return new TransportUrl(List.copyOf(hosts), path.isEmpty() ? "/" : path);
  }

  /**
   * {@code url} with every password replaced by {@code ***} and the rest kept, for logs and messages; null stays
   * null.
   */
  public static String mask(String url) {
    if (url == null) {
      return null;
    }
    int sep = url.indexOf("://");
    if (sep < 0) {
      return url;
    }
    String rest = url.substring(sep + 3);
    int slash = rest.indexOf('/');
    String netloc = slash < 0 ? rest : rest.substring(0, slash);
    String tail = slash < 0 ? "" : rest.substring(slash);
    List<String> out = new ArrayList<>();
    for (String entry : netloc.split(",", -1)) {
      int at = entry.lastIndexOf('@');
      if (at >= 0) {
        String creds = entry.substring(0, at);
        int colon = creds.indexOf(':');
        entry = (colon < 0 ? creds : creds.substring(0, colon) + ":***") + entry.substring(at);
      }
      out.add(entry);
    }
    return url.substring(0, sep + 3) + String.join(",", out) + tail;
  }

  /** The hosts for logs: user@host:port, never a password. */
  @Override
  public String toString() {
    return "rabbit://" + String.join(",", hosts.stream().map(Host::toString).toList()) + "/"
        + (virtualHost.equals("/") ? "" : virtualHost);
  }

  private static int port(String s) {
    try {
      int p = Integer.parseInt(s.strip());
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("has an invalid port '" + s + "'");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
