package io.glint.imports;

import io.glint.imports.ImportTestSupport.ImportServer;
import io.glint.imports.ImportTestSupport.Origin;
import io.glint.testing.Api;
import io.glint.testing.TestServer;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the import tests against one Glint and a local origin per class: a clean database and {@code alice}
 * (project-a's member) for each test, no blocked event loops.
 */
abstract class ImportTestBase {
  static TestServer server;
  static Origin origin;
  private static ImportServer imports;
  Api alice;

  /** Starts the class's Glint with {@code settings} and its origin; call from the class's {@code @BeforeAll}. */
  static void startServer(Map<String, String> settings) throws IOException {
    imports = new ImportServer(settings);
    server = imports.server;
    origin = imports.origin;
  }

  @AfterAll
  static void stopServer() {
    if (imports != null) {
      imports.close();
      imports = null;
    }
  }

  @BeforeEach
  void resetServer() {
    server.reset();
    alice = Api.as(server, "project-a", "member");
  }
}
