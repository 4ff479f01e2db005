package io.glint.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/** Base of the HTTP tests: the shared Glint, a clean database per test, no blocked event loops. */
public abstract class ApiTestBase {
  protected static TestServer server;
  protected Api alice;
  protected Api bob;
  protected Api admin;
  protected Api reader;

  @BeforeEach
  void cleanDatabase() {
    server = TestServer.shared();
    server.reset();
    alice = Api.as(server, "project-a", "member");
    bob = Api.as(server, "project-b", "member");
    admin = Api.as(server, "project-admin", "admin,member");
    reader = Api.as(server, "project-a", "reader");
  }

  private static int warningsBefore;

  @org.junit.jupiter.api.BeforeAll
  static void countWarnings() {
    warningsBefore = BlockedThreadWatch.mark();
  }

  /** A blocked event loop during this class's tests fails the class. */
  @AfterAll
  static void noBlockedEventLoops() {
    BlockedThreadWatch.assertNoneSince(warningsBefore);
  }
}
