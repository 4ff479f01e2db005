package io.glint;
public class Glint {
  public static void main(String[] args) throws Exception {
    var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
        .setDataDirectory(java.nio.file.Path.of("/tmp/pgtest/data")).setCleanDataDirectory(false).start();
    System.out.println("port " + pg.getPort());
    pg.close();
  }
}
