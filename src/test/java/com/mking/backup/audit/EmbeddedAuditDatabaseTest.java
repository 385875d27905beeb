package com.mking.backup.audit;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/** With no audit server configured, an embedded PostgreSQL keeps the audit tables under the data directory. */
class EmbeddedAuditDatabaseTest {

    @Test
    void startsAnEmbeddedServerWithTheSchemaAndKeepsItsDataBetweenRuns() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (TestInstallation installation = new TestInstallation()) {
            installation.set("mking.audit.url", "").set("mking.audit.embedded-port", Integer.toString(port))
                    .withPgLogicalJob("app", "postgres", "local", "0 0 3 ? * SUN");
            CliResult first = installation.cli("list", "--json");
            assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
            assertThat(first.out().trim()).isEqualTo("[ ]");
            assertThat(installation.home().resolve("data/audit-db/PG_VERSION")).exists();
            assertThat(Files.readString(installation.home().resolve("data/audit-db/PG_VERSION")).trim()).isEqualTo("15");

            CliResult second = installation.cli("list");
            assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
            try (ServerSocket free = new ServerSocket(port)) {
                assertThat(free.getLocalPort()).as("the CLI stops the server it started").isEqualTo(port);
            }
        }
    }

    /** Two installations on one host must not share an embedded audit database by accident (the default port). */
    @Test
    void anotherInstallationsEmbeddedDatabaseOnThePortIsRefused() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (TestInstallation first = new TestInstallation(); TestInstallation second = new TestInstallation()) {
            for (TestInstallation installation : java.util.List.of(first, second)) {
                installation.set("mking.audit.url", "").set("mking.audit.embedded-port", Integer.toString(port))
                        .set("camel.management.port", Integer.toString(com.mking.backup.support.TestCluster.freePort()))
                        .withPgLogicalJob("app", "postgres", "local", "0 0 3 ? * SUN");
            }
            try (var daemon = com.mking.backup.support.CliProcess.start(first, java.util.List.of(), "start")) {
                daemon.awaitOutput(out -> out.contains("daemon started"), java.time.Duration.ofSeconds(90));
                CliResult other = second.cli("list");
                assertThat(other.exitCode()).as(other.all()).isEqualTo(2);
                assertThat(other.err()).contains("mking.audit.embedded-port").contains("another installation")
                        .contains(first.home().toString());
            }
        }
    }
}
