package io.glint.config;

import static io.glint.config.Options.*;

import java.util.Optional;

/**
 * The API server: where it listens, how many event loops serve it, how it names itself, and how much a request
 * may send.
 *
 * @param bindHost address to listen on ([DEFAULT] bind_host)
 * @param bindPort port to listen on, 0 for any free port ([DEFAULT] bind_port)
 * @param workers event-loop workers, ≥ 1: [DEFAULT] workers, 0 resolved to the number of CPU cores
 * @param publicEndpoint public base URL of the API, if configured ([DEFAULT] public_endpoint)
 * @param maxHeaderLine longest HTTP request header line in bytes ([DEFAULT] max_header_line)
 * @param maxRequestIdLength longest accepted request id ([DEFAULT] max_request_id_length)
 * @param maxRequestBodySize largest JSON request body ([oslo_middleware] max_request_body_size)
 * @param maxRequestBodyMemory most bytes all JSON bodies being received may hold together ([DEFAULT]
 *     max_request_body_memory)
 * @param enableV1Api whether the legacy v1 API is served under {@code /v1} ([DEFAULT] enable_v1_api)
 */
public record ServerSettings(String bindHost, int bindPort, int workers, Optional<String> publicEndpoint,
    int maxHeaderLine, int maxRequestIdLength, long maxRequestBodySize, long maxRequestBodyMemory,
    boolean enableV1Api) {

  static ServerSettings from(GlintConfig c) {
    int workers = c.get(WORKERS);
    return new ServerSettings(c.get(BIND_HOST), c.get(BIND_PORT),
        workers == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors()) : workers,
        Optional.ofNullable(c.get(PUBLIC_ENDPOINT)), c.get(MAX_HEADER_LINE), c.get(MAX_REQUEST_ID_LENGTH),
        c.get(MAX_REQUEST_BODY_SIZE), c.get(MAX_REQUEST_BODY_MEMORY), c.get(ENABLE_V1_API));
  }
}
