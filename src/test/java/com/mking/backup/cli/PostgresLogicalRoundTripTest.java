package com.mking.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.SampleDatabase;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import io.minio.GetObjectArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole product path, against real servers: a database is backed up by {@code run} to the local
 * store and to S3 (encrypted), dropped, restored from each store, and compared table by table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresLogicalRoundTripTest {

    private static final String BUCKET = "backups";

    private TestS3 s3;
    private TestInstallation installation;
    private String source;
    private Map<String, String> original;
    private String backupId;

    @BeforeAll
    void backUp() throws Exception {
        s3 = new TestS3();
        source = TestDatabases.uniqueName("roundtrip");
        SampleDatabase.create(source);
        original = SampleDatabase.fingerprint(source);
        installation = new TestInstallation().withS3(s3, BUCKET).set("mking.stores", "local,minio");
        Path keys = Files.createDirectories(installation.home().resolve("keys"));
        com.mking.backup.pipeline.Keyring.generate(keys, "test-key");
        installation.set("mking.encryption.key-dir", keys.toString()).set("mking.encryption.key-id", "test-key");
        installation.withPgLogicalJob("app-db", source, "local,minio", "0 0 3 ? * SUN");

        CliResult run = installation.cli("run", "app-db");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        assertThat(run.out()).contains("succeeded");
        backupId = run.backupId("app-db");
        TestDatabases.dropAll(source);
    }

    @AfterAll
    void cleanUp() throws Exception {
        TestDatabases.dropAll(source);
        installation.close();
        s3.close();
    }

    /** Parallel: decoded into a private file, checked whole, then pg_restore --jobs; the file is gone afterwards. */
    @Test
    void restoresFromTheLocalStoreWithIdenticalContent() throws Exception {
        String target = source + "_from_local";
        CliResult restore = installation.cli("restore", backupId, "--database", target, "--from", "local", "--jobs", "2");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(restore.err()).contains("with 2 jobs on the decoded copy");
        assertThat(SampleDatabase.fingerprint(target)).isEqualTo(original);
        assertRestoreRecorded(target, "local");
        assertThat(decodedCopiesLeft()).isEmpty();
    }

    /** Streamed into pg_restore (no file), checked as it streams and at its end. */
    @Test
    void restoresFromTheS3StoreWithIdenticalContent() throws Exception {
        String target = source + "_from_s3";
        CliResult restore = installation.cli("restore", backupId, "--database", target, "--from", "minio", "--jobs", "1");
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(restore.err()).contains("on the decoded stream");
        assertThat(SampleDatabase.fingerprint(target)).isEqualTo(original);
        assertRestoreRecorded(target, "minio");
    }

    /**
     * A copy that decodes but does not end as its manifest says (here: the manifest's raw SHA-256 altered) is never put
     * in place, whether the check comes before pg_restore (a decoded file) or after it (a stream): no database, no
     * scratch database, no decoded file; the task is failed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2", "1"})
    void aCopyThatDoesNotMatchItsManifestAtTheEndIsNeverPutInPlace(String jobs) throws Exception {
        Path manifest;
        try (Stream<Path> files = Files.walk(installation.localStore())) {
            manifest = files.filter(p -> p.toString().endsWith(backupId + "/manifest.json")).findFirst().orElseThrow();
        }
        String intact = Files.readString(manifest);
        String rawSha = Manifest.read(Files.newInputStream(manifest)).artefact().rawSha256();
        String target = source + "_altered_" + jobs;
        try {
            Files.writeString(manifest, intact.replace(rawSha, "0".repeat(64)));
            CliResult restore = installation.cli("restore", backupId, "--database", target, "--from", "local", "--jobs", jobs);
            assertThat(restore.exitCode()).as(restore.all()).isEqualTo(1);
            assertThat(restore.all()).contains("SHA-256 mismatch");
        } finally {
            Files.writeString(manifest, intact);
        }
        try (Connection connection = TestDatabases.connect("postgres"); Statement statement = connection.createStatement();
             ResultSet databases = statement.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE '" + target + "%'")) {
            databases.next();
            assertThat(databases.getInt(1)).as("neither the target nor its scratch database").isZero();
        }
        assertThat(decodedCopiesLeft()).isEmpty();
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, checksum_verified FROM restore_tasks WHERE target_path = '"
                     + target + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("failed");
            assertThat(row.getBoolean(2)).isFalse();
        }
    }

    private List<Path> decodedCopiesLeft() throws IOException {
        Path directory = installation.home().resolve("data").resolve("restore");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }

    @Test
    void refusesANonEmptyTargetUnlessForcedAndThenKeepsTheOldDatabaseAside() throws Exception {
        String target = source + "_busy";
        TestDatabases.create(target);
        try (Connection connection = TestDatabases.connect(target); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)");
        }
        CliResult refused = installation.cli("restore", backupId, "--database", target);
        assertThat(refused.exitCode()).as("an operator mistake: nothing attempted").isEqualTo(2);
        assertThat(refused.err()).contains("exists and is not empty").contains("--force");

        CliResult forced = installation.cli("restore", backupId, "--database", target, "--force");
        assertThat(forced.exitCode()).as(forced.all()).isEqualTo(0);
        assertThat(SampleDatabase.fingerprint(target)).isEqualTo(original);
        try (Connection connection = TestDatabases.connect("postgres"); Statement statement = connection.createStatement();
             ResultSet aside = statement.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + target + "_before_restore_%'")) {
            assertThat(aside.next()).as("the replaced database is kept aside").isTrue();
            assertThat(forced.out()).as("and the summary names it").contains("(what was there is now database "
                    + aside.getString(1) + ")");
            try (Connection old = TestDatabases.connect(aside.getString(1)); Statement query = old.createStatement();
                 ResultSet rows = query.executeQuery("SELECT count(*) FROM precious")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void listingAJobThereIsNoneOfNamesTheJobsThereAre() throws Exception {
        CliResult list = installation.cli("list", "--job", "nosuch");
        assertThat(list.exitCode()).as(list.all()).isEqualTo(2);
        assertThat(list.err()).contains("no job named 'nosuch' in the route files or the catalog")
                .contains("jobs in the route files: ");
    }

    @Test
    void catalogAuditRowsAndStoresAgree() throws Exception {
        CliResult list = installation.cli("list", "--json");
        assertThat(list.exitCode()).as(list.all()).isEqualTo(0);
        JsonNode entries = Manifest.json().readTree(list.out());
        JsonNode entry = null;
        for (JsonNode candidate : entries) {
            if (candidate.get("backupId").asText().equals(backupId)) {
                entry = candidate;
            }
        }
        assertThat(entry).as("backup %s in list --json", backupId).isNotNull();
        assertThat(entry.get("status").asText()).isEqualTo("success");
        assertThat(java.time.Duration.between(java.time.Instant.parse(entry.get("startTime").asText()), java.time.Instant.now()))
                .as("times carry their zone (UTC) in JSON").isBetween(java.time.Duration.ZERO, java.time.Duration.ofHours(1));
        assertThat(entry.get("encryptionKeyId").asText()).isEqualTo("test-key");
        String sha256 = entry.get("sha256").asText();
        long storedSize = entry.get("storedSize").asLong();
        assertThat(entry.get("rawSize").asLong()).isGreaterThan(SampleDatabase.BLOBS * (long) SampleDatabase.BLOB_SIZE);

        List<String> stores = new ArrayList<>();
        for (JsonNode copy : entry.get("copies")) {
            stores.add(copy.get("store").asText());
            String dataKey = copy.get("dataKey").asText();
            String manifestKey = copy.get("manifestKey").asText();
            Sha256.Sized stored;
            Manifest manifest;
            if (copy.get("store").asText().equals("local")) {
                stored = Sha256.of(Files.newInputStream(installation.localStore().resolve(dataKey)));
                manifest = Manifest.read(Files.newInputStream(installation.localStore().resolve(manifestKey)));
            } else {
                stored = Sha256.of(s3.client().getObject(GetObjectArgs.builder().bucket(BUCKET).object(dataKey).build()));
                manifest = Manifest.read(s3.client().getObject(GetObjectArgs.builder().bucket(BUCKET).object(manifestKey).build()));
                assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder(dataKey, manifestKey);
            }
            assertThat(stored.sha256()).isEqualTo(sha256);
            assertThat(stored.size()).isEqualTo(storedSize);
            assertThat(manifest.backupId()).isEqualTo(backupId);
            assertThat(manifest.artefact().storedSha256()).isEqualTo(sha256);
            assertThat(manifest.encryption().keyId()).isEqualTo("test-key");
            assertThat(manifest.serverVersion()).startsWith("PostgreSQL 15");
            assertThat(dataKey).startsWith("app-db/").contains("/" + backupId + "/");
        }
        assertThat(stores).containsExactlyInAnyOrder("local", "minio");

        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("""
                     SELECT e.status, e.sha256, e.stored_size_bytes, e.raw_size_bytes, e.duration_seconds, e.file_count,
                            e.execution_type, c.name, (SELECT count(*) FROM backup_copies bc WHERE bc.backup_execution_id = e.id)
                     FROM backup_executions e JOIN backup_configurations c ON c.id = e.configuration_id
                     WHERE e.backup_id = '%s'""".formatted(backupId))) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("success");
            assertThat(row.getString(2)).isEqualTo(sha256);
            assertThat(row.getLong(3)).isEqualTo(storedSize);
            assertThat(row.getLong(4)).isEqualTo(entry.get("rawSize").asLong());
            assertThat(row.getInt(5)).isGreaterThanOrEqualTo(0);
            assertThat(row.getInt(6)).isEqualTo(1);
            assertThat(row.getString(7)).isEqualTo("logical");
            assertThat(row.getString(8)).isEqualTo("app-db");
            assertThat(row.getInt(9)).isEqualTo(2);
        }
    }

    private void assertRestoreRecorded(String target, String store) throws Exception {
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, source_store, checksum_verified, restored_size_bytes, "
                     + "duration_seconds, backup_execution_id IS NOT NULL FROM restore_tasks WHERE target_path = '" + target + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("success");
            assertThat(row.getString(2)).isEqualTo(store);
            assertThat(row.getBoolean(3)).isTrue();
            assertThat(row.getLong(4)).isGreaterThan(0);
            assertThat(row.getBoolean(6)).isTrue();
        }
    }
}
