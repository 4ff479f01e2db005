package io.glint.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The access-log line as operators read it (and as it was with String.format: milliseconds to one decimal). */
class AccessLogLineTest {
  @Test
  void fieldsInOrderWithMillisecondsToOneDecimal() {
    assertEquals("GET /v2/images 200 1234B 1.2ms req-1 project=p user=u",
        RequestObserver.line("GET", "/v2/images", 200, 1234, 1_234_567, "req-1", "p", "u", false));
    assertEquals("PUT /v2/images/x/file 204 0B 0.0ms req-2 project=- user=- aborted",
        RequestObserver.line("PUT", "/v2/images/x/file", 204, 0, 49_999, "req-2", "-", "-", true));
    assertEquals("GET /healthcheck 200 2B 1.0ms r project=- user=-",
        RequestObserver.line("GET", "/healthcheck", 200, 2, 950_000, "r", "-", "-", false));
    assertEquals("GET / 300 10B 12345.7ms r project=- user=-",
        RequestObserver.line("GET", "/", 300, 10, 12_345_678_901L, "r", "-", "-", false));
  }
}
