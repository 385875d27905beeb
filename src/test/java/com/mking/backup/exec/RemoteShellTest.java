package com.mking.backup.exec;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job whose tool runs on the database host over SSH (a real SSH server in-process, the OpenSSH client
 * under camel-exec): the remote pg_dump's output streams back into the pipeline and restores unchanged.
 */
class RemoteShellTest {

    private TestSshServer sshd;
    private TestInstallation installation;
    private String source;

    @BeforeEach
    void setUp() throws Exception {
        sshd = new TestSshServer();

        source = TestDatabases.uniqueName("remote");
        TestDatabases.create(source);
        try (Connection connection = TestDatabases.connect(source); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text);"
                    + "INSERT INTO notes (body) SELECT repeat(md5(g::text), 20) FROM generate_series(1, 20000) g");
        }
        installation = new TestInstallation();
        Files.writeString(installation.routes().resolve("remote.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: remote-db}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: ssh, value: "root@127.0.0.1:%d"}
                      - {name: sshKey, value: "%s"}
                      - {name: binDir, value: %s}
                """.formatted(source, sshd.port(), sshd.key(), TestCluster.BIN));
    }

    @AfterEach
    void tearDown() throws Exception {
        sshd.close();
        TestDatabases.dropAll(source);
        installation.close();
    }

    @Test
    void aDumpRunOverSshRestoresUnchanged() throws Exception {
        String before = SampleDatabaseFingerprint.of(source);
        CliResult run = installation.cli("run", "remote-db");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String backupId = run.backupId("remote-db");
        assertThat(installation.home().resolve("data/ssh_known_hosts")).exists();

        CliResult restore = installation.cli("restore", backupId, "--database", source + "_copy");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(SampleDatabaseFingerprint.of(source + "_copy")).isEqualTo(before);
    }

    @Test
    void aBadSshTargetIsAConfigurationError() throws Exception {
        Files.writeString(installation.routes().resolve("remote.yaml"), Files.readString(installation.routes().resolve("remote.yaml"))
                .replaceAll("root@127.0.0.1:\\d+", "not a target"));
        CliResult result = installation.cli("list");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("parameter 'ssh'").contains("user@host[:port]");
    }

    /** Count and md5 of the ordered rows of the notes table. */
    private static final class SampleDatabaseFingerprint {
        static String of(String database) throws Exception {
            try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement();
                 var row = statement.executeQuery("SELECT count(*) || ':' || md5(string_agg(body, '|' ORDER BY id)) FROM notes")) {
                row.next();
                return row.getString(1);
            }
        }
    }
}
