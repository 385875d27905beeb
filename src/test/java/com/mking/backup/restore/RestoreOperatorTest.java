package com.mking.backup.restore;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores as an operator runs them in the production profile: onto a DR host with its own role and
 * password (compared with psql), and the mistakes an operator makes, each refused with one message, exit
 * 2, and no alert and no restore on record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class RestoreOperatorTest {

    private static final String DR_PASSWORD = "dr-Secret-9f3a";

    private TestS3 s3;
    private TestInstallation installation;
    private TestCluster drHost;
    private String database;
    private String backupId;

    @BeforeAll
    void backUp() throws Exception {
        s3 = new TestS3();
        database = TestDatabases.uniqueName("shop");
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text, paid numeric);"
                    + "INSERT INTO orders (item, paid) SELECT md5(g::text), g * 1.5 FROM generate_series(1, 20000) g");
        }
        installation = new TestInstallation().production(s3, "restores").withPgLogicalJob("shop", database, "local,minio",
                "0 0 3 * * ?");
        CliResult run = installation.cli("run", "shop");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        backupId = run.backupId("shop");

        drHost = TestCluster.start(TestCluster.freePort(), Map.of());
        drHost.execute("CREATE ROLE dr_admin LOGIN CREATEDB PASSWORD '" + DR_PASSWORD + "'");
        Files.writeString(drHost.directory().resolve("data/pg_hba.conf"),
                "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        drHost.execute("SELECT pg_reload_conf()");
    }

    @AfterAll
    void cleanUp() throws Exception {
        drHost.close();
        installation.close();
        TestDatabases.dropAll(database);
        s3.close();
    }

    @Test
    void aLogicalBackupRestoresOntoADisasterRecoveryHostWithItsOwnRole() throws Exception {
        Path secret = installation.home().resolve("dr.password");
        Files.writeString(secret, DR_PASSWORD + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        CliResult restore = installation.cli("restore", backupId, "--database", "shop", "--host", "127.0.0.1", "--port",
                Integer.toString(drHost.port()), "--user", "dr_admin", "--password-file", secret.toString(), "--no-owner",
                "--from", "minio");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(restore.out()).contains("on 127.0.0.1:" + drHost.port());
        assertThat(restore.all()).doesNotContain(DR_PASSWORD);
        String query = "SELECT count(*) || ':' || md5(string_agg(id || '/' || item || '/' || paid, ',' ORDER BY id)) FROM orders";
        assertThat(psql(drHost.port(), "shop", query)).isEqualTo(psql(5432, database, query));
    }

    @Test
    @org.junit.jupiter.api.Order(1) // counts the class's alerts and failed restores: before the test that makes one
    void operatorMistakesAreRefusedOnceWithExitTwoAndNoAlert() throws Exception {
        CliResult unknown = installation.cli("restore", "20200101T000000Z-000000", "--database", "x");
        assertRefused(unknown, "no backup 20200101T000000Z-000000");
        CliResult store = installation.cli("restore", backupId, "--database", "x", "--from", "tape");
        assertRefused(store, "unknown store 'tape'");
        CliResult occupied = installation.cli("restore", backupId, "--database", database);
        assertRefused(occupied, "exists and is not empty");
        Path existing = Files.createTempDirectory("pgdata");
        Files.writeString(existing.resolve("PG_VERSION"), "15\n");
        CliResult dataDir = installation.cli("recover", "nope", "--data-dir", existing.toString());
        assertRefused(dataDir, "exists and is not empty");
        Files.writeString(existing.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + existing + "\n");
        CliResult running = installation.cli("recover", "nope", "--data-dir", existing.toString(), "--force");
        assertRefused(running, "belongs to a running server");
        CliResult failedBackup = installation.cli("restore", failedId(), "--database", "x");
        assertRefused(failedBackup, "has status 'failed'");
        try (Connection application = TestDatabases.connect(database)) {
            CliResult inUse = installation.cli("restore", backupId, "--database", database, "--force");
            assertRefused(inUse, "has 1 open session(s)");
            assertThat(inUse.err()).contains("pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
        }
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT (SELECT count(*) FROM alert_conditions), "
                     + "(SELECT count(*) FROM restore_tasks WHERE status <> 'success')")) {
            row.next();
            assertThat(row.getInt(1)).as("alerts: only the failed run's").isEqualTo(1);
            assertThat(row.getInt(2)).as("restores on record").isZero();
        }
    }

    /**
     * The backup's objects belong to a role the DR host lacks: the restore fails (and alerts), saying which role and the
     * two ways out; the same restore with --no-owner succeeds.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void aRoleTheTargetServerLacksIsNamedWithTheWaysOut() throws Exception {
        String role = TestDatabases.uniqueName("owner");
        String owned = TestDatabases.uniqueName("owned");
        TestDatabases.create(owned);
        try {
            try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
                statement.execute("CREATE ROLE " + role);
            }
            try (Connection connection = TestDatabases.connect(owned); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE ledger (id int); INSERT INTO ledger VALUES (1); ALTER TABLE ledger OWNER TO " + role);
            }
            installation.withPgLogicalJob("owned", owned, "local", "0 0 3 * * ?");
            CliResult run = installation.cli("run", "owned");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
            String ownedId = run.backupId("owned");
            List<String> target = List.of("--database", "ledger", "--host", "127.0.0.1", "--port", Integer.toString(drHost.port()),
                    "--user", "postgres");
            CliResult restore = installation.cli(concat(List.of("restore", ownedId), target));
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(1);
            assertThat(restore.err()).contains("the server lacks role \"" + role + "\"").contains("--no-owner");
            CliResult withoutOwners = installation.cli(concat(List.of("restore", ownedId, "--no-owner"), target));
            assertThat(withoutOwners.exitCode()).as(withoutOwners.all()).isEqualTo(0);
            assertThat(psql(drHost.port(), "ledger", "SELECT count(*) FROM ledger")).isEqualTo("1");
        } finally {
            TestDatabases.dropAll(owned);
            try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
                statement.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private static String[] concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toArray(String[]::new);
    }

    /** A failed run of a job whose database does not exist. */
    private String failedId() throws Exception {
        installation.withPgLogicalJob("gone", "no_such_database", "local", "0 0 3 * * ?");
        assertThat(installation.cli("run", "gone").exitCode()).isEqualTo(1);
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT backup_id FROM backup_executions WHERE job_name = 'gone'")) {
            row.next();
            return row.getString(1);
        }
    }

    private static void assertRefused(CliResult result, String message) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(2);
        assertThat(result.err()).contains(message);
        assertThat(result.err().lines().filter(line -> line.contains(message))).as("printed once").hasSize(1);
        assertThat(result.all()).doesNotContain("ALERT").doesNotContain("Exception");
    }

    private static String psql(int port, String database, String query) throws Exception {
        Process process = new ProcessBuilder(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                "-d", database, "-Atc", query)).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }
}
