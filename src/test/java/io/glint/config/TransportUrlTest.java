package io.glint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** oslo.messaging's transport URL and the notification options, as Glint reads them. */
@DisplayName("transport_url and the notification options")
class TransportUrlTest {

  @Test
  @DisplayName("several hosts with their credentials, ports, IPv6, percent-encoding and the virtual host")
  void parses() {
    TransportUrl url = TransportUrl.parse(
        "rabbit://glance:s%40cret@rabbit1:5673,other:pw@[fd00::2],rabbit3/openstack%2Fimages?ssl=1");
    assertEquals(List.of(new TransportUrl.Host("rabbit1", 5673, "glance", "s@cret"),
        new TransportUrl.Host("fd00::2", 5672, "other", "pw"),
        new TransportUrl.Host("rabbit3", 5672, "guest", "guest")), url.hosts());
    assertEquals("openstack/images", url.virtualHost());
    assertEquals("/", TransportUrl.parse("rabbit://u:p@h:5672/").virtualHost());
    assertEquals("/", TransportUrl.parse("kombu://h").virtualHost());
    assertEquals(List.of(new TransportUrl.Host("localhost", 5672, "guest", "guest")),
        TransportUrl.parse(TransportUrl.DEFAULT).hosts());
  }

  @Test
  @DisplayName("other schemes and bad ports are refused without showing the password")
  void refuses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransportUrl.parse("kafka://u:topsecret@h:9092/"));
    assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TransportUrl.parse("rabbit://u:p@h:99999/"));
    assertThrows(IllegalArgumentException.class, () -> TransportUrl.parse("not a url"));
    ConfigException c = assertThrows(ConfigException.class,
        () -> GlintConfig.of(Map.of("transport_url", "kafka://u:topsecret@h:1/")));
    assertFalse(c.getMessage().contains("topsecret"), c.getMessage());
  }

  @Test
  @DisplayName("passwords are masked in logs, every host's; toString shows none")
  void masks() {
    String raw = "rabbit://glance:pw1@rabbit1:5672,other:pw2@rabbit2:5672/vh";
    assertEquals("rabbit://glance:***@rabbit1:5672,other:***@rabbit2:5672/vh", TransportUrl.mask(raw));
    assertEquals("rabbit://glance@rabbit1:5672,other@rabbit2:5672/vh", TransportUrl.parse(raw).toString());
    GlintConfig config = GlintConfig.of(Map.of("transport_url", raw,
        "oslo_messaging_notifications.transport_url", raw));
    assertEquals(TransportUrl.mask(raw), config.effective().get("transport_url"));
    assertEquals(TransportUrl.mask(raw), config.effective().get("oslo_messaging_notifications.transport_url"));
    assertFalse(config.toString().contains("pw1"), config.toString());
  }

  @Test
  @DisplayName("defaults: no driver, exchange glance, topic notifications, publisher image.<host>; the section's URL wins")
  void settings() {
    NotificationSettings d = GlintConfig.defaults().notifications();
    assertEquals(List.of(), d.drivers());
    assertFalse(d.usesBroker());
    assertEquals("glance", d.exchange());
    assertEquals(List.of("notifications"), d.topics());
    assertTrue(d.publisherId().startsWith("image."), d.publisherId());
    assertEquals(10_000, d.bufferSize());
    assertEquals(TransportUrl.parse(TransportUrl.DEFAULT), d.transportUrl());
    assertEquals(Duration.ofSeconds(1), d.retryInterval());

    NotificationSettings s = GlintConfig.of(Map.of(
        "transport_url", "rabbit://a:b@default-host:5672/",
        "oslo_messaging_notifications.transport_url", "rabbit://c:d@notify-host:5672/",
        "oslo_messaging_notifications.driver", "messagingv2, log",
        "control_exchange", "images", "default_publisher_id", "image.node7",
        "disabled_notifications", "image.send,task.*")).notifications();
    assertEquals("notify-host", s.transportUrl().hosts().get(0).host());
    assertEquals(List.of("messagingv2", "log"), s.drivers());
    assertTrue(s.usesBroker());
    assertEquals("images", s.exchange());
    assertEquals("image.node7", s.publisherId());
    assertEquals(List.of("image.send", "task.*"), s.disabled());
    assertEquals("default-host", GlintConfig.of(Map.of("transport_url", "rabbit://a:b@default-host:5672/"))
        .notifications().transportUrl().hosts().get(0).host());
    assertThrows(ConfigException.class, () -> GlintConfig.of(Map.of("oslo_messaging_notifications.driver", "kafka")));
  }
}
