package com.mking.backup.source.postgres;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source that asks for a password (scram-sha-256): the password comes from a secret file, reaches each tool only
 * in its own environment (PGPASSWORD, never a command line or a file of ours), and appears in no output and no audit
 * row.
 */
class PasswordAuthenticationTest {

    private static final String SECRET = "s3cret-Pw-4711";

    private TestCluster cluster;
    private TestInstallation installation;

    @BeforeEach
    void setUp() throws Exception {
        cluster = TestCluster.start(TestCluster.freePort(), Map.of());
        cluster.execute("CREATE ROLE app LOGIN CREATEDB PASSWORD '" + SECRET + "'");
        cluster.execute("CREATE DATABASE appdb OWNER app");
        try (Connection connection = cluster.connect("appdb"); Statement statement = connection.createStatement()) {
            statement.execute("SET ROLE app; CREATE TABLE accounts AS SELECT g AS id, md5(g::text) AS email FROM generate_series(1, 3000) g");
        }
        Files.writeString(cluster.directory().resolve("data/pg_hba.conf"),
                "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        cluster.execute("SELECT pg_reload_conf()");

        installation = new TestInstallation();
        Path secret = installation.home().resolve("app.password");
        Files.writeString(secret, SECRET + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(installation.routes().resolve("app.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: app}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: appdb}
                      - {name: port, value: "%d"}
                      - {name: user, value: app}
                      - {name: passwordFile, value: "%s"}
                """.formatted(cluster.port(), secret));
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
        installation.close();
    }

    @Test
    void backsUpAndRestoresWithAPasswordThatNeverShows() throws Exception {
        CliResult run = installation.cli("run", "app");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String backupId = run.backupId("app");
        assertThat(installation.home().resolve("data/secrets/pgpass")).as("no password file of ours").doesNotExist();

        CliResult restore = installation.cli("restore", backupId, "--database", "appdb_copy", "--no-owner");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(count("appdb_copy")).isEqualTo(3000);

        assertThat(run.all() + restore.all()).doesNotContain(SECRET);
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM (SELECT row_to_json(e)::text AS t FROM backup_executions e "
                     + "UNION ALL SELECT row_to_json(c)::text FROM backup_configurations c "
                     + "UNION ALL SELECT row_to_json(r)::text FROM restore_tasks r) all_rows WHERE t LIKE '%" + SECRET + "%'")) {
            rows.next();
            assertThat(rows.getInt(1)).as("rows mentioning the password").isZero();
        }
    }

    /**
     * A tool's environment holds its own password and none of our settings (this JVM has MKING_TEST_* secrets, as a
     * daemon has its S3 keys and WAL token), and no tool of another job inherits the variable a job names as passwordEnv.
     */
    @Test
    void aToolGetsItsOwnPasswordAndNoOtherSecret() throws Exception {
        assertThat(System.getenv()).containsEntry("APP_TEST_DB_PASSWORD", SECRET).containsKey("MKING_TEST_PG_PASSWORD");
        Path tools = Files.createDirectories(installation.home().resolve("tools"));
        Path recorded = tools.resolve("pg_dump.env");
        try (var bin = Files.list(Path.of(TestCluster.BIN))) {
            for (Path tool : bin.toList()) {
                Path wrapper = tools.resolve(tool.getFileName());
                String record = tool.getFileName().toString().equals("pg_dump") ? "env > " + recorded + "\n" : "";
                Files.writeString(wrapper, "#!/bin/sh\n" + record + "exec " + tool + " \"$@\"\n");
                Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
            }
        }
        String jobs = """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: %1$s}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: appdb}
                      - {name: port, value: "%2$d"}
                      - {name: user, value: %3$s}
                      - {name: binDir, value: "%4$s"}
                """;
        Files.writeString(installation.routes().resolve("app.yaml"), jobs.formatted("app", cluster.port(), "app", tools)
                + "      - {name: passwordEnv, value: APP_TEST_DB_PASSWORD}\n");
        Files.writeString(installation.routes().resolve("other.yaml"), jobs.formatted("other", cluster.port(), "postgres", tools));

        CliResult app = installation.cli("run", "app");
        assertThat(app.exitCode()).as(app.all()).isEqualTo(0);
        assertThat(Files.readAllLines(recorded)).contains("PGPASSWORD=" + SECRET)
                .filteredOn(line -> line.startsWith("MKING_") || line.startsWith("APP_TEST_DB_PASSWORD=")).isEmpty();

        CliResult other = installation.cli("run", "other");
        assertThat(other.exitCode()).as(other.all()).isEqualTo(0);
        assertThat(Files.readAllLines(recorded)).as("another job's tool").noneMatch(line -> line.contains(SECRET))
                .filteredOn(line -> line.startsWith("MKING_")).isEmpty();
    }

    @Test
    void aWrongPasswordFailsTheRunWithoutShowingIt() throws Exception {
        Files.writeString(installation.home().resolve("app.password"), "not-the-password\n");
        CliResult run = installation.cli("run", "app");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("password authentication failed for user \"app\"").doesNotContain("not-the-password");
    }

    private int count(String database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cluster.port() + "/" + database,
                "postgres", ""); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM accounts")) {
            row.next();
            return row.getInt(1);
        }
    }
}
