package com.mking.backup.cli;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.SmallDisk;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failure paths a user would see: every failed run exits 1, leaves its audit row 'failed' with a clear
 * message, and leaves nothing in any store that looks like a backup; damaged copies are refused.
 */
class BackupFailureTest {

    private TestInstallation installation;
    private String source;

    @BeforeEach
    void setUp() throws Exception {
        installation = new TestInstallation();
        source = TestDatabases.uniqueName("failing");
        TestDatabases.create(source);
        try (Connection connection = TestDatabases.connect(source); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE orders (id serial PRIMARY KEY, total numeric);"
                    + "INSERT INTO orders (total) SELECT g FROM generate_series(1, 5000) g");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        TestDatabases.dropAll(source);
        TestDatabases.execute("DROP ROLE IF EXISTS " + source + "_reader");
        installation.close();
    }

    @Test
    void s3DownFailsTheRunAndLeavesNoCompleteLookingCopyAnywhere() throws Exception {
        try (TestS3 s3 = new TestS3()) {
            installation.withS3(s3, "backups").set("mking.stores", "local,minio")
                    .withPgLogicalJob("orders", source, "local,minio", "0 0 3 * * ?");
            s3.stop();
            CliResult run = installation.cli("run", "orders");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("failed").contains("minio");
            assertThat(run.all()).doesNotContain(TestS3.SECRET_KEY);
            assertLastRunFailed("orders", "minio");
            // all or nothing: the local copy of a backup whose other copy failed is removed too
            assertThat(filesIn(installation.localStore())).isEmpty();
        }
    }

    /** The production profile with the local store on a 1 MiB filesystem: the dump does not fit. */
    @Test
    void aLocalStoreWhoseDiskFillsUpFailsTheRunAndLeavesNoCopyAnywhere() throws Exception {
        try (Connection connection = TestDatabases.connect(source); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE blobs AS SELECT g AS id, decode(string_agg(md5(random()::text), ''), 'hex') AS data "
                    + "FROM generate_series(1, 400) g, generate_series(1, 256) part GROUP BY g"); // 400 × 4 KiB, random
        }
        try (SmallDisk disk = SmallDisk.mount(installation.home().resolve("small-disk"), "1m"); TestS3 s3 = new TestS3()) {
            Path small = disk.directory();
            installation.production(s3, "full-disk").set("mking.store.local.path", small.resolve("store").toString())
                    .withPgLogicalJob("orders", source, "local,minio", "0 0 3 * * ?");
            CliResult run = installation.cli("run", "orders");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
            assertThat(run.err()).contains("store 'local'").contains("No space left on device")
                    .contains("MiB free now on the filesystem of " + small.resolve("store") + ": free space there, or set "
                            + "mking.store.local.path to a disk that has it")
                    .doesNotContain("Exception occurred during execution");
            assertLastRunFailed("orders", "No space left on device");
            assertThat(filesIn(small)).as("nothing left on the full disk").isEmpty();
            assertThat(s3.keys("full-disk")).as("the S3 copy of a backup whose other copy failed is removed too").isEmpty();

            // space again (the store moved to a disk that has it): the next run succeeds, and it restores
            installation.set("mking.store.local.path", installation.home().resolve("store").toString());
            String backupId = successfulBackup("orders");
            CliResult restore = installation.cli("restore", backupId, "--database", source + "_back", "--from", "minio");
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
            try (Connection back = TestDatabases.connect(source + "_back"); Statement statement = back.createStatement();
                 ResultSet row = statement.executeQuery("SELECT count(*), md5(string_agg(data::text, '' ORDER BY id)) FROM blobs");
                 Connection original = TestDatabases.connect(source); Statement other = original.createStatement();
                 ResultSet expected = other.executeQuery("SELECT count(*), md5(string_agg(data::text, '' ORDER BY id)) FROM blobs")) {
                assertThat(row.next() && expected.next()).isTrue();
                assertThat(row.getInt(1)).isEqualTo(400);
                assertThat(row.getString(2)).isEqualTo(expected.getString(2));
            }
        }
    }

    @Test
    void aDatabaseThatDoesNotExistFailsTheRunWithTheReason() throws Exception {
        installation.withPgLogicalJob("ghost", source + "_missing", "local", "0 0 3 * * ?");
        CliResult run = installation.cli("run", "ghost");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(source + "_missing").contains("does not exist");
        assertLastRunFailed("ghost", "does not exist");
        assertThat(filesIn(installation.localStore())).isEmpty();
    }

    @Test
    void pgDumpFailingMidwayFailsTheRunAndRemovesPartialData() throws Exception {
        String reader = source + "_reader";
        TestDatabases.execute("CREATE ROLE " + reader + " LOGIN");
        try (Connection connection = TestDatabases.connect(source); Statement statement = connection.createStatement()) {
            // the role can connect but not read the table: pg_dump starts, then exits 1
            statement.execute("REVOKE ALL ON orders FROM PUBLIC");
        }
        Files.writeString(installation.routes().resolve("limited.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: limited}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: user, value: %s}
                """.formatted(source, reader));
        CliResult run = installation.cli("run", "limited");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("pg_dump failed with exit code 1").contains("permission denied");
        assertLastRunFailed("limited", "permission denied");
        assertThat(filesIn(installation.localStore())).isEmpty();
    }

    @Test
    void aCorruptedCopyIsRefusedBeforeAnythingIsRestored() throws Exception {
        installation.withPgLogicalJob("orders", source, "local", "0 0 3 * * ?");
        String backupId = successfulBackup("orders");
        Path data = filesIn(installation.localStore()).stream().filter(p -> p.toString().endsWith(".zst")).findFirst().orElseThrow();
        try (RandomAccessFile file = new RandomAccessFile(data.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0xff);
        }
        String target = source + "_restored";
        CliResult restore = installation.cli("restore", backupId, "--database", target);
        assertThat(restore.exitCode()).isEqualTo(1);
        // found while decoding, before pg_restore runs: the stored SHA-256, or first zstd's own frame checksum
        assertThat(restore.err()).containsAnyOf("SHA-256 mismatch", "doesn't match checksum");
        assertThat(databaseExists(target)).isFalse();
        assertThat(databaseExists(target + "__mking_restoring")).isFalse();
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, error_message, checksum_verified FROM restore_tasks")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("failed");
            assertThat(row.getString(2)).containsAnyOf("SHA-256 mismatch", "doesn't match checksum");
            assertThat(row.getBoolean(3)).isFalse();
        }
    }

    @Test
    void aWrongKeyIsNamedAsSuchOnRestore() throws Exception {
        Path keys = Files.createDirectories(installation.home().resolve("keys"));
        com.mking.backup.pipeline.Keyring.generate(keys, "k1");
        installation.set("mking.encryption.key-dir", keys.toString()).set("mking.encryption.key-id", "k1")
                .withPgLogicalJob("orders", source, "local", "0 0 3 * * ?");
        String backupId = successfulBackup("orders");
        Files.delete(keys.resolve("k1.key"));
        com.mking.backup.pipeline.Keyring.generate(keys, "k1");
        CliResult restore = installation.cli("restore", backupId, "--database", source + "_restored");
        // the operator's to fix before anything is read: exit 2, no restore task, no alert
        assertThat(restore.exitCode()).isEqualTo(2);
        assertThat(restore.err()).contains("wrong encryption key").contains("'k1'");
        assertThat(databaseExists(source + "_restored")).isFalse();
        try (Connection audit = installation.audit(); java.sql.Statement statement = audit.createStatement();
             java.sql.ResultSet rows = statement.executeQuery("SELECT (SELECT count(*) FROM restore_tasks) || '/' "
                     + "|| (SELECT count(*) FROM alert_conditions WHERE condition_key LIKE 'restore%')")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo("0/0");
        }
    }

    @Test
    void aRunWhileTheSameJobRunsIsSkipped() throws Exception {
        installation.withPgLogicalJob("orders", source, "local", "0 0 3 * * ?");
        assertThat(installation.cli("list").exitCode()).isEqualTo(0);
        try (Connection audit = installation.audit();
             PreparedStatement lock = audit.prepareStatement("SELECT pg_advisory_lock(hashtext('mking-backup/job/orders'))")) {
            lock.execute();
            CliResult run = installation.cli("run", "orders");
            assertThat(run.exitCode()).as("skipped: exit 3").isEqualTo(3);
            assertThat(run.err()).contains("already running");
        }
        assertThat(filesIn(installation.localStore())).isEmpty();
    }

    private String successfulBackup(String job) throws IOException {
        CliResult run = installation.cli("run", job);
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        return run.backupId(job);
    }

    private void assertLastRunFailed(String job, String messagePart) throws SQLException {
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, error_message, end_time IS NOT NULL FROM backup_executions "
                     + "WHERE job_name = '" + job + "' ORDER BY id DESC LIMIT 1")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("failed");
            assertThat(row.getString(2)).contains(messagePart);
            assertThat(row.getBoolean(3)).isTrue();
        }
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet copies = statement.executeQuery("SELECT count(*) FROM backup_copies")) {
            copies.next();
            assertThat(copies.getInt(1)).isZero();
        }
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection connection = TestDatabases.connect("postgres"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            return row.next();
        }
    }

    private static List<Path> filesIn(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
