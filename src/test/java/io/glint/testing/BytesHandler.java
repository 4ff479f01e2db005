package io.glint.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;

/** Serves fixed bytes as {@code application/octet-stream} from a JDK HTTP server; a HEAD gets their length. */
public final class BytesHandler implements HttpHandler {
  private final byte[] data;

  public BytesHandler(byte[] data) {
    this.data = data;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    if (head) {
      exchange.getResponseHeaders().add("Content-Length", Integer.toString(data.length));
    }
    exchange.sendResponseHeaders(200, head ? -1 : data.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!head) {
        out.write(data);
      }
    }
  }
}
