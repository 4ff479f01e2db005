package io.glint.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request written by hand over a socket, for what ordinary clients cannot do: send part of a body
 * and stop, hang up mid-upload, read a response slowly.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Starts an upload of {@code contentLength} bytes (or chunked when negative) as project {@code project}. */
  public RawHttp startUpload(String imageId, String project, long contentLength) throws IOException {
    return startUpload(imageId, project, contentLength, false);
  }

  /** As {@link #startUpload(String, String, long)}, optionally with {@code Expect: 100-continue}. */
  public RawHttp startUpload(String imageId, String project, long contentLength, boolean expectContinue)
      throws IOException {
    return startPut("/v2/images/" + imageId + "/file", project, contentLength, expectContinue);
  }

  /** Starts a staging ({@code PUT /v2/images/{id}/stage}) of {@code contentLength} bytes. */
  public RawHttp startStage(String imageId, String project, long contentLength) throws IOException {
    return startPut("/v2/images/" + imageId + "/stage", project, contentLength, false);
  }

  private RawHttp startPut(String path, String project, long contentLength, boolean expectContinue)
      throws IOException {
    StringBuilder head = new StringBuilder()
        .append("PUT ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\n")
        .append("X-Identity-Status: Confirmed\r\nX-Project-Id: ").append(project).append("\r\n")
        .append("X-Roles: member\r\nAccept: application/json\r\n")
        .append("Content-Type: application/octet-stream\r\n");
    if (expectContinue) {
      head.append("Expect: 100-continue\r\n");
    }
    if (contentLength >= 0) {
      head.append("Content-Length: ").append(contentLength).append("\r\n");
    } else {
      head.append("Transfer-Encoding: chunked\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return this;
  }

  public RawHttp write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one interim or final response head (up to the blank line) and returns its status code. */
  public int head() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.length() < 12 ? -1 : Integer.parseInt(sb.substring(9, 12));
  }

  /** Reads the status code of the response. */
  public int status() throws IOException {
    byte[] head = in.readNBytes(12);
    if (head.length < 12) {
      return -1;
    }
    return Integer.parseInt(new String(head, StandardCharsets.US_ASCII).substring(9, 12));
  }

  /** Shuts this side's output (FIN) and keeps reading: a half-closed client. */
  public RawHttp halfClose() throws IOException {
    socket.shutdownOutput();
    return this;
  }

  /** Waits at most {@code millis} for any answer: -1 at end of stream, -2 on time-out, else the first byte. */
  public int poll(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return in.read();
    } catch (java.net.SocketTimeoutException e) {
      return -2;
    } catch (java.net.SocketException e) {
      return -1; // reset
    } finally {
      socket.setSoTimeout(60_000);
    }
  }

  /** A whole response: status, headers (lower-case names), body (by Content-Length, else up to the close). */
  public record Reply(int status, java.util.Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Reads one whole response; null when the server closed (or reset) the connection without one. */
  public Reply reply() throws IOException {
    String statusLine;
    try {
      statusLine = line();
    } catch (java.net.SocketException e) {
      return null;
    }
    if (statusLine == null) {
      return null;
    }
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), h.substring(colon + 1).strip());
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else if (status == 204 || status == 304 || status / 100 == 1) {
      body = new byte[0];
    } else {
      body = in.readAllBytes();
    }
    return new Reply(status, headers, body);
  }

  private String line() throws IOException {
    return readLine(in);
  }

  /** One line (CRLF or LF) of an HTTP head, without its end; null when the stream ends before a line end. */
  public static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return null;
  }


  /**
   * A loopback connection with a 64 KiB receive buffer (so that a reader who stops soon holds the server back) that
   * asked for image {@code id}'s data as a member of project-a and got a 200 status line; the headers come next.
   */
  public static Socket slowDownload(int port, String id) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    try {
      socket.setReceiveBufferSize(64 * 1024);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\nX-Identity-Status: Confirmed\r\n"
          + "X-Project-Id: project-a\r\nX-Roles: member\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = readLine(socket.getInputStream());
      assertTrue(status.startsWith("HTTP/1.1 200"), status);
      return socket;
    } catch (IOException | RuntimeException | AssertionError e) {
      socket.close();
      throw e;
    }
  }

  /** Sends {@code request} on a new connection and reads one response (null if closed without one). */
  public static Reply exchange(int port, byte[] request) throws IOException {
    try (RawHttp raw = new RawHttp(port)) {
      raw.write(request);
      return raw.reply();
    }
  }

  /** Cuts the connection abruptly (RST), as a crashed client would. */
  public void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
