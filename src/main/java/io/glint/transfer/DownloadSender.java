package io.glint.transfer;

import io.glint.http.TcpCork;
import io.glint.store.ImageData;
import io.glint.store.SocketRelay;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends opened image bytes to a client, the download counterpart of {@link UploadPump}: a local file region
 * with {@code sendfile} under {@code TCP_CORK} (as nginx's {@code tcp_nopush}); a stream socket to socket when
 * its store offers a relay the client's connection can take; else a backpressured pipe that never ends a
 * truncated body cleanly ({@code endOnFailure(false)}). A source that is given up (the client left, a write
 * failed) is abandoned, so that its connection is closed. The response head is set by the caller.
 */
public final class DownloadSender {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadSender.class);

  private DownloadSender() {}

  /** Sends {@code bytes} as the body of {@code request}'s response; completes when the last byte is written. */
  public static Future<Void> send(HttpServerRequest request, ImageData bytes, String imageId) {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      LOG.debug("Client of download {} left before the data was sent", imageId);
      if (bytes instanceof ImageData.Stream stream) {
        stream.abandon();
      }
      return Future.failedFuture(new HttpClosedException("The client left before the data was sent"));
    }
    if (bytes instanceof ImageData.FileRegion file) {
      return sendFile(request, file);
    }
    return sendStream(request, (ImageData.Stream) bytes);
  }

  private static Future<Void> sendFile(HttpServerRequest request, ImageData.FileRegion file) {
    HttpConnection connection = request.connection();
    boolean corked = TcpCork.cork(connection);
    Future<Void> sent = request.response().sendFile(file.path().toString(), file.offset(), file.length());
    return corked ? sent.andThen(ar -> TcpCork.uncork(connection)) : sent;
  }

  private static Future<Void> sendStream(HttpServerRequest request, ImageData.Stream stream) {
    HttpServerResponse response = request.response();
    response.putHeader("Content-Length", Long.toString(stream.length()));
    SocketRelay relay = stream.relay();
    HttpConnection connection = request.connection();
    if (relay != null && relay.canRelayTo(connection)) {
      stream.stream().exceptionHandler(t -> { }); // the origin connection is closed under it at the end
      return relay.relayTo(response, connection);
    }
    if (relay != null) {
      relay.useStream();
    }
    return stream.stream().pipe().endOnFailure(false).to(response).andThen(ar -> {
      if (relay != null || ar.failed()) {
        stream.abandon(); // a relay's connection is never reused; a failed one is not read on
      }
    });
  }
}
