package io.glint.store.s3;

import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * S3 failures as store failures, in words an operator can act on, with the store's name and endpoint and never
 * its keys (the SDK's own messages are not passed through whole: any key found in them is masked).
 */
final class S3Errors {
  private final S3Settings settings;

  S3Errors(S3Settings settings) {
    this.settings = settings;
  }

  /** {@code failure} of {@code action} ("uploading image X") as a {@link StoreException}. */
  StoreException translate(String action, Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StoreException s) {
      return s;
    }
    String store = "S3 store " + settings.storeId() + " (" + settings.endpoint() + ", bucket " + settings.bucket()
        + ")";
    if (t instanceof AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
      return fromStatus(action, store, e.statusCode(), code, message, t);
    }
    if (t instanceof SdkException || t instanceof java.io.IOException
        || t instanceof java.util.concurrent.TimeoutException || t instanceof io.vertx.core.VertxException) {
      return new StoreException(Reason.UNAVAILABLE, "The " + store + " could not be reached while " + action + ": "
          + mask(String.valueOf(t.getMessage())), t);
    }
    return new StoreException(Reason.UNAVAILABLE, "The " + store + " failed while " + action + ": "
        + mask(t.toString()), t);
  }

  /** An answer of the S3 server with {@code status} (and, if it said, its error code and message). */
  StoreException fromStatus(String action, String store, int status, String code, String message, Throwable cause) {
    String said = (code == null ? "HTTP " + status : code + " (HTTP " + status + ")")
        + (message == null || message.isBlank() ? "" : ": " + mask(message));
    if (status == 404 && "NoSuchBucket".equals(code)) {
      return new StoreException(Reason.UNAVAILABLE, "The bucket " + settings.bucket() + " does not exist in the "
          + store + " (" + action + ").", cause);
    }
    if (status == 404) {
      return new StoreException(Reason.NOT_FOUND, "Not found in the " + store + " while " + action + ": " + said,
          cause);
    }
    if (status == 403 || status == 401) {
      return new StoreException(Reason.WRITE_DENIED, "The " + store + " refused access while " + action + ": "
          + said + ". Check the store's credentials (s3_store_access_key, s3_store_secret_key) and the bucket's "
          + "permissions.", cause);
    }
    return new StoreException(Reason.UNAVAILABLE, "The " + store + " answered " + said + " while " + action + ".",
        cause);
  }

  /** The store's name and endpoint, for messages. */
  String store() {
    return "S3 store " + settings.storeId() + " (" + settings.endpoint() + ", bucket " + settings.bucket() + ")";
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** {@code text} with the configured keys, should it contain them, masked. */
  String mask(String text) {
    String out = text;
    if (settings.secretKey() != null && !settings.secretKey().isEmpty()) {
      out = out.replace(settings.secretKey(), "***");
    }
    if (settings.accessKey() != null && !settings.accessKey().isEmpty()) {
      out = out.replace(settings.accessKey(), "***");
    }
    return out;
  }
}
