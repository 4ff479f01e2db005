package io.glint.http;

import io.glint.error.GlintException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Glance's error representation: webob's exception bodies, chosen by the request's {@code Accept} header
 * (JSON, HTML, or plain text when no Accept header is given), and the kind-to-status mapping.
 */
public final class HttpErrors {
  private HttpErrors() {}

  /** The one mapping from domain failure kinds to HTTP status codes. */
  public static int status(GlintException.Kind kind) {
    return switch (kind) {
      case BAD_REQUEST -> 400;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case METHOD_NOT_ALLOWED -> 405;
      case CONFLICT -> 409;
      case GONE -> 410;
      case TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case RANGE_NOT_SATISFIABLE -> 416;
      case HEADER_TOO_LARGE -> 431;
      case UNAVAILABLE, OVERLOADED -> 503;
      case NOT_IMPLEMENTED -> 501;
    };
  }

  /** webob's default explanation for a status, used when the failure carries no message. */
  public static String defaultExplanation(int status) {
    return switch (status) {
      case 400 -> "The server could not comply with the request since it is either malformed or otherwise "
          + "incorrect.";
      case 401 -> "This server could not verify that you are authorized to access the document you requested. "
          + " Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand "
          + "how to supply the credentials required.";
      case 403 -> "Access was denied to this resource.";
      case 404 -> "The resource could not be found.";
      case 405 -> "The method is not allowed for this resource.";
      case 409 -> "There was a conflict when trying to complete your request.";
      case 413 -> "The request is larger than the server is willing or able to process.";
      case 415 -> "The request media type is not supported by this server.";
      case 501 -> "The server has either erred or is incapable of performing the requested operation.";
      default -> "The server has either erred or is incapable of performing the requested operation.";
    };
  }

  /** A rendered error: content type and body. */
  public record Body(String contentType, String text) {}

  /** Renders an error body as webob does for the given request. */
  public static Body render(HttpServerRequest request, int status, String explanation) {
    return render(request.getHeader("Accept"), status, explanation);
  }

  /** Renders an error body as webob does for a request with the given {@code Accept} header (may be null). */
  public static Body render(String accept, int status, String explanation) {
    String reason = HttpResponseStatus.valueOf(status).reasonPhrase();
    String statusLine = status + " " + reason;
    String message = explanation == null || explanation.isEmpty() ? defaultExplanation(status) : explanation;
    return switch (match(accept)) {
      case "application/json" -> new Body("application/json", new JsonObject()
          .put("message", message + "<br /><br />\n\n\n")
          .put("code", statusLine)
          .put("title", reason)
          .encode());
      case "text/html" -> new Body("text/html; charset=UTF-8", "<html>\n <head>\n  <title>" + statusLine
          + "</title>\n </head>\n <body>\n  <h1>" + statusLine + "</h1>\n  " + escape(message)
          + "<br /><br />\n\n\n\n </body>\n</html>");
      default -> new Body("text/plain; charset=UTF-8", statusLine + "\n\n" + message + "\n\n   ");
    };
  }

  /** webob's {@code acceptable_offers(['text/html', 'application/json'])}: best q wins, ties by offer order. */
  static String match(String accept) {
    if (accept == null || accept.isBlank()) {
      return "text/plain";
    }
    double html = 0;
    double json = 0;
    for (String part : accept.split(",")) {
      String[] pieces = part.split(";");
      if (pieces.length == 0) {
        continue; // an empty part, as in "Accept: ;"
      }
      String type = pieces[0].strip().toLowerCase(java.util.Locale.ROOT);
      double q = 1.0;
      for (int i = 1; i < pieces.length; i++) {
        String p = pieces[i].strip();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (type.equals("text/html") || type.equals("text/*") || type.equals("*/*")) {
        html = Math.max(html, q);
      }
      if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")) {
        json = Math.max(json, q);
      }
    }
    if (html == 0 && json == 0) {
      return "text/plain";
    }
    return json > html ? "application/json" : "text/html";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
