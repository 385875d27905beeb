package com.mking.backup.verify;

import com.mking.backup.audit.Catalog;
import com.mking.backup.cli.BackupRuntime;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.route.BackupRoutes;
import com.mking.backup.store.StoreRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every backup is verified after it is written; a copy corrupted later fails verification and stops counting. */
class VerificationTest {

    private TestInstallation installation;
    private String database;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabases.uniqueName("verified");
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id serial PRIMARY KEY, name text);"
                    + "INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 10000) g");
        }
        installation = new TestInstallation().withPgLogicalJob("items", database, "local", "0 0 3 * * ?");
    }

    @AfterEach
    void tearDown() throws Exception {
        TestDatabases.dropAll(database);
        installation.close();
    }

    @Test
    void aCorruptedCopyFailsVerificationIsRecordedAlertsAndStopsCounting() throws Exception {
        CliResult run = installation.cli("run", "items");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String backupId = run.backupId("items");
        assertThat(rows("SELECT status || '/' || format_checked || '/' || store_name FROM backup_verifications"))
                .isEqualTo("passed/true/local");
        assertThat(rows("SELECT verification_status FROM backup_executions WHERE backup_id = '" + backupId + "'"))
                .isEqualTo("passed");

        damageTheLocalCopy();
        CliResult verify = installation.cli("verify", backupId);
        assertThat(verify.exitCode()).isEqualTo(1);
        // one read finds it: the stored SHA-256, or first zstd's own frame checksum
        assertThat(verify.out()).contains("FAILED").containsAnyOf("SHA-256 mismatch", "doesn't match checksum");
        assertThat(rows("SELECT string_agg(status, ',' ORDER BY id) FROM backup_verifications")).isEqualTo("passed,failed");
        assertThat(rows("SELECT error_details FROM backup_verifications WHERE status = 'failed'")).contains(backupId)
                .containsAnyOf("SHA-256 mismatch", "doesn't match checksum");
        assertThat(rows("SELECT verification_status FROM backup_executions WHERE backup_id = '" + backupId + "'"))
                .isEqualTo("failed");
        assertThat(rows("SELECT send_count || ':' || level FROM alert_conditions WHERE condition_key = 'verification-failed:"
                + backupId + "'")).isEqualTo("1:DANGER");
        try (BackupRuntime runtime = installation.runtime(false)) {
            assertThat(runtime.bean(Catalog.class).restorable("items")).as("a failed copy no longer counts").isEmpty();
        }
        // what an operator reads: not a success any more
        assertThat(installation.cli("list").out().lines().filter(line -> line.startsWith(backupId)))
                .singleElement().asString().contains(" damaged ").doesNotContain("success");
        assertThat(installation.cli("list", "--status", "success").out()).doesNotContain(backupId);
        assertThat(installation.cli("list", "--status", "damaged").out()).contains(backupId);
    }

    /**
     * One copy damaged, the other good: restore without --from and export read the good copy; the list shows the backup
     * degraded (verify names the bad store); retention keeps the good copy by its rules and lets the bad one go.
     */
    @Test
    void aDamagedCopyIsPassedOverForTheGoodOneByRestoreExportAndRetention() throws Exception {
        installation.set("mking.stores", "local,spare").set("mking.store.spare.type", "local")
                .set("mking.store.spare.path", installation.home().resolve("spare").toString())
                .withJob("pg-logical", "items", java.util.Map.of("database", database, "stores", "local,spare",
                        "keepLast", "2", "keepDaily", "0", "keepWeekly", "0", "keepMonthly", "0", "keepYearly", "0"));
        CliResult run = installation.cli("run", "items");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        String backupId = run.backupId("items");
        Path data = damageTheLocalCopy();
        CliResult verify = installation.cli("verify", backupId);
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.out()).containsPattern("local +FAILED").doesNotContainPattern("spare +FAILED");
        CliResult check = installation.cli("check");
        assertThat(check.out()).containsPattern("WARNING +the newest backup of job items \\(" + backupId + "\\) is degraded")
                .contains("restores read the copy in spare");

        assertThat(installation.cli("list").out().lines().filter(line -> line.startsWith(backupId)))
                .singleElement().asString().contains(" degraded ");
        assertThat(installation.cli("list", "--status", "degraded").out()).contains(backupId);
        assertThat(installation.cli("status").out().lines().filter(line -> line.startsWith("items ")))
                .singleElement().asString().contains(" degraded ");
        assertThat(installation.cli("list", "--status", "damaged").out()).doesNotContain(backupId);
        assertThat(installation.cli("list", "--json").out()).as("the only backup so far: the run's status and the state")
                .contains("\"backupId\" : \"" + backupId + "\"").contains("\"status\" : \"success\"")
                .contains("\"state\" : \"degraded\"");
        try (BackupRuntime runtime = installation.runtime(false)) {
            assertThat(runtime.bean(Catalog.class).restorable("items")).as("restorable from its good copy")
                    .extracting(com.mking.backup.audit.CatalogEntry::backupId).containsExactly(backupId);
        }

        String copy = database + "_copy";
        CliResult restore = installation.cli("restore", backupId, "--database", copy);
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(restore.all()).contains("from store 'spare'");
        try (Connection restored = TestDatabases.connect(copy); Statement statement = restored.createStatement();
             java.sql.ResultSet count = statement.executeQuery("SELECT count(*) FROM items")) {
            count.next();
            assertThat(count.getInt(1)).isEqualTo(10000);
        }

        Path export = installation.home().resolve("export");
        CliResult exported = installation.cli("export", "--to", export.toString(), "--backup-id", backupId);
        assertThat(exported.exitCode()).as(exported.all()).isEqualTo(0);
        CliResult checked = installation.cli("export", "--verify", export.toString());
        assertThat(checked.exitCode()).as(checked.all()).isEqualTo(0);
        try (Stream<Path> files = Files.walk(export)) {
            Path exportedData = files.filter(p -> p.getFileName().toString().equals(data.getFileName().toString()))
                    .findFirst().orElseThrow();
            assertThat(Files.mismatch(exportedData, installation.home().resolve("spare")
                    .resolve(installation.localStore().relativize(data)))).as("the spare store's bytes").isEqualTo(-1);
        }
        // a restore test of the newest backup (this one) reads the good copy, is recorded against it, and does not hide the bad one
        CliResult tested = installation.cli("restore-test", "--job", "items");
        assertThat(tested.exitCode()).as(tested.all()).isEqualTo(0);
        assertThat(rows("SELECT store_name FROM backup_verifications WHERE verification_type = 'restore_test'"))
                .isEqualTo("spare");
        // the test's pass is no verdict on the local copy, which stays failed
        assertThat(installation.cli("list").out().lines().filter(line -> line.startsWith(backupId)))
                .singleElement().asString().contains(" degraded ");

        // a newer backup verifies: keepLast 2 keeps both in spare, where both are good; in local the damaged copy goes
        CliResult newer = installation.cli("run", "items");
        assertThat(newer.exitCode()).as(newer.all()).isEqualTo(0);
        CliResult dryRun = installation.cli("prune", "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.all()).isEqualTo(0);
        String spare = dryRun.out().substring(dryRun.out().indexOf("store spare"));
        String local = dryRun.out().substring(dryRun.out().indexOf("store local"), dryRun.out().indexOf("store spare"));
        assertThat(spare).contains("keep   " + backupId + "  last 2").doesNotContain("would delete");
        assertThat(local).contains("would delete " + backupId);

        // once the bad copy is pruned, the good one is what is left: a success, kept by the rules, not condemned
        CliResult prune = installation.cli("prune");
        assertThat(prune.exitCode()).as(prune.all()).isEqualTo(0);
        assertThat(data).doesNotExist();
        assertThat(installation.cli("list").out().lines().filter(line -> line.startsWith(backupId)))
                .singleElement().asString().contains(" success ");
        CliResult again = installation.cli("prune", "--dry-run");
        assertThat(again.out().substring(again.out().indexOf("store spare"))).contains("keep   " + backupId + "  last 2")
                .doesNotContain("would delete");
        try (BackupRuntime runtime = installation.runtime(false)) {
            assertThat(runtime.bean(Catalog.class).restorable("items")).extracting(com.mking.backup.audit.CatalogEntry::backupId)
                    .contains(backupId);
        }
    }

    /**
     * A manifest truncated in one store: restore reads the other store's copy, verify fails that copy (not "cannot
     * check"); once every copy has failed, a restore is refused naming the newest good backup.
     */
    @Test
    void aDamagedManifestIsPassedOverAndABackupWithNoGoodCopyIsRefused() throws Exception {
        installation.set("mking.stores", "local,spare").set("mking.store.spare.type", "local")
                .set("mking.store.spare.path", installation.home().resolve("spare").toString())
                .withPgLogicalJob("items", database, "local,spare", "0 0 3 * * ?");
        CliResult first = installation.cli("run", "items");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
        String damaged = first.backupId("items");
        CliResult second = installation.cli("run", "items");
        assertThat(second.exitCode()).as(second.all()).isEqualTo(0);
        String good = second.backupId("items");
        Path backupDir;
        try (Stream<Path> dirs = Files.walk(installation.localStore())) {
            backupDir = dirs.filter(p -> p.getFileName().toString().equals(damaged)).findFirst().orElseThrow();
        }
        Path manifest = backupDir.resolve("manifest.json");
        byte[] whole = Files.readAllBytes(manifest);
        Files.write(manifest, java.util.Arrays.copyOf(whole, whole.length / 2));

        String copy = database + "_from_spare";
        CliResult restore = installation.cli("restore", damaged, "--database", copy);
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(restore.err()).contains("its manifest in store 'local' cannot be read (not a readable manifest")
                .contains("reading the copy in store 'spare'");
        try (Connection restored = TestDatabases.connect(copy); Statement statement = restored.createStatement();
             java.sql.ResultSet count = statement.executeQuery("SELECT count(*) FROM items")) {
            count.next();
            assertThat(count.getInt(1)).isEqualTo(10000);
        }
        CliResult verify = installation.cli("verify", damaged);
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.out()).containsPattern("local +FAILED").contains("is damaged (truncated or altered")
                .doesNotContainPattern("spare +FAILED");

        Path spareData;
        try (Stream<Path> files = Files.walk(installation.home().resolve("spare"))) {
            spareData = files.filter(p -> p.toString().contains(damaged) && p.toString().endsWith(".zst")).findFirst().orElseThrow();
        }
        com.mking.backup.support.Damage.flipMiddleByte(spareData);
        assertThat(installation.cli("verify", damaged).out()).containsPattern("spare +FAILED");
        CliResult refused = installation.cli("restore", damaged, "--database", database + "_nothing");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(2);
        assertThat(refused.err()).contains("every copy of backup " + damaged + " failed verification")
                .contains("the newest good one, " + good);
    }

    /**
     * The production profile (encrypted, local + S3): verify-after-write and the post-backup verification
     * together read each copy once: one decoded through every layer with pg_restore --list fed from the same
     * stream, the other compared by its stored SHA-256 (one GET). Both copies are recorded as verified.
     */
    @Test
    void eachCopyIsReadOnceAfterItIsWritten() throws Exception {
        try (TestS3 s3 = new TestS3()) {
            installation.production(s3, "verified").withPgLogicalJob("items", database, "local,minio", "0 0 3 * * ?");
            try (BackupRuntime runtime = installation.runtime(false)) {
                BackupRun run = runtime.producer().send(BackupRoutes.RUN, e -> e.getMessage()
                        .setHeader(BackupRunner.JOB_HEADER, "items")).getProperty(BackupRunner.RUN, BackupRun.class);
                assertThat(run.status()).as(run.error()).isEqualTo(BackupRun.Status.SUCCESS);
                long stored = run.manifest().artefact().storedSize();
                StoreRegistry stores = runtime.bean(StoreRegistry.class);
                for (String store : List.of("local", "minio")) {
                    assertThat(stores.metered(store).bytesWritten()).as(store).isGreaterThan(stored);
                    assertThat(stores.metered(store).reads()).as("objects read from " + store).isEqualTo(1);
                    assertThat(stores.metered(store).bytesRead()).as("bytes read from " + store).isEqualTo(stored);
                }
            }
            assertThat(rows("SELECT string_agg(store_name || ':' || status || '/' || format_checked, ',' ORDER BY store_name)"
                    + " FROM backup_verifications")).isEqualTo("local:passed/true,minio:passed/true");
            assertThat(rows("SELECT verification_status FROM backup_executions WHERE job_name = 'items'")).isEqualTo("passed");
        }
    }

    /**
     * A format check whose tool cannot be started here says nothing about the copy: the backup is decoded and
     * compared all the same, kept, and recorded as not verified ("error"), never deleted as bad.
     */
    @Test
    void aFormatCheckThatCannotStartKeepsTheBackup() throws Exception {
        Path tools = Files.createTempDirectory(installation.home(), "no-pg-restore");
        Path dump = tools.resolve("pg_dump");
        Files.writeString(dump, "#!/bin/sh\nexec " + TestCluster.BIN + "/pg_dump \"$@\"\n");
        Files.setPosixFilePermissions(dump, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        installation.set("mking.tools.postgresql-bin", tools.toString()); // pg_dump there, pg_restore not

        CliResult run = installation.cli("run", "items");

        assertThat(rows("SELECT status FROM backup_executions WHERE job_name = 'items'")).as(run.all()).isEqualTo("success");
        assertThat(rows("SELECT status || ':' || error_details FROM backup_verifications"))
                .startsWith("error:").contains("the copy is intact").contains("format check could not run here: cannot start").contains("pg_restore");
        try (Stream<Path> files = Files.walk(installation.localStore())) {
            assertThat(files.filter(p -> p.toString().endsWith(".zst"))).as("the copy is kept").hasSize(1);
        }
    }

    /**
     * An encrypted backup checked where its key is missing or different: that is "cannot verify here", not
     * "bad copy". The run fails and alerts, the backup keeps its status, and retention keeps it.
     */
    @Test
    void aMissingOrDifferentKeyNeverMarksAGoodBackupFailed() throws Exception {
        com.mking.backup.pipeline.Keyring.generate(installation.home().resolve("keys"), "k1");
        installation.set("mking.encryption.key-dir", installation.home().resolve("keys").toString())
                .set("mking.encryption.key-id", "k1");
        CliResult first = installation.cli("run", "items");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
        String backupId = first.backupId("items");

        // the key directory is gone (a new host, a wrong path)
        Path keys = installation.home().resolve("keys");
        Path aside = installation.home().resolve("keys-aside");
        Files.move(keys, aside);
        Files.createDirectories(keys);
        installation.set("mking.encryption.key-id", "");
        CliResult missing = installation.cli("verify", backupId);
        assertThat(missing.exitCode()).as(missing.all()).isEqualTo(1);
        assertThat(missing.out()).contains("NOT VERIFIED").contains("not in the keyring");
        assertThat(rows("SELECT verification_status FROM backup_executions WHERE backup_id = '" + backupId + "'"))
                .isEqualTo("passed");

        // a different key under the same id
        com.mking.backup.pipeline.Keyring.generate(keys, "k1");
        CliResult different = installation.cli("verify", backupId);
        assertThat(different.exitCode()).isEqualTo(1);
        assertThat(different.out()).contains("NOT VERIFIED").contains("wrong encryption key");
        assertThat(rows("SELECT verification_status FROM backup_executions WHERE backup_id = '" + backupId + "'"))
                .isEqualTo("passed");
        assertThat(rows("SELECT string_agg(status, ',' ORDER BY id) FROM backup_verifications")).isEqualTo("passed,error,error");
        assertThat(rows("SELECT level FROM alert_conditions WHERE condition_key = 'verification-error:" + backupId + "'"))
                .isEqualTo("DANGER");
        assertThat(rows("SELECT count(*) FROM alert_conditions WHERE condition_key = 'verification-failed:" + backupId + "'"))
                .isEqualTo("0");

        CliResult prune = installation.cli("prune", "--job", "items", "--dry-run");
        assertThat(prune.exitCode()).as(prune.all()).isEqualTo(0);
        assertThat(prune.out()).contains("keep   " + backupId).doesNotContain("delete " + backupId);
        try (BackupRuntime runtime = installation.runtime(false)) {
            assertThat(runtime.bean(Catalog.class).restorable("items")).extracting(e -> e.backupId()).containsExactly(backupId);
        }
    }

    @Test
    void flagsWrittenAsYesAreOn() throws Exception {
        installation.set("mking.verify.after-backup", "yes").set("mking.pipeline.verify-after-write", "on");
        CliResult run = installation.cli("run", "items");
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        assertThat(rows("SELECT verification_status FROM backup_executions")).isEqualTo("passed");
        assertThat(rows("SELECT count(*) FROM backup_verifications")).isEqualTo("1");
    }

    @Test
    void verifyAllSamplesTheLeastRecentlyVerifiedFirst() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(installation.cli("run", "items").exitCode()).isEqualTo(0);
        }
        CliResult sample = installation.cli("verify", "--all", "--sample", "50");
        assertThat(sample.exitCode()).as(sample.all()).isEqualTo(0);
        assertThat(sample.out().lines().filter(line -> line.contains("passed")).count()).isEqualTo(2);
        assertThat(rows("SELECT count(*) FROM backup_verifications")).isEqualTo("6");
    }

    @Test
    void restoreTestsRestoreIntoAScratchDatabaseRunTheChecksAndCleanUp() throws Exception {
        Files.writeString(installation.routes().resolve("items.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: items}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: testQueries, value: "SELECT count(*) FROM items; SELECT count(*) = 10000 FROM items"}
                """.formatted(database));
        assertThat(installation.cli("run", "items").exitCode()).isEqualTo(0);
        CliResult test = installation.cli("restore-test");
        assertThat(test.exitCode()).as(test.all()).isEqualTo(0);
        assertThat(test.out()).contains("items").contains("passed").contains("SELECT count(*) FROM items = 10000");
        assertThat(rows("SELECT status || '/' || (duration_seconds IS NOT NULL) FROM backup_verifications "
                + "WHERE verification_type = 'restore_test'")).isEqualTo("passed/true");
        assertThat(scratchDatabases()).isZero();

        Files.writeString(installation.routes().resolve("items.yaml"), Files.readString(installation.routes().resolve("items.yaml"))
                .replace("SELECT count(*) = 10000 FROM items", "SELECT count(*) FROM items WHERE id < 0"));
        CliResult failing = installation.cli("restore-test", "--job", "items");
        assertThat(failing.exitCode()).isEqualTo(1);
        assertThat(failing.out()).contains("FAILED").contains("returned 0");
        assertThat(rows("SELECT count(*) FROM alert_conditions WHERE condition_key = 'restore-test-failed:items'")).isEqualTo("1");
        assertThat(scratchDatabases()).isZero();
    }

    private static int scratchDatabases() throws Exception {
        try (Connection connection = TestDatabases.connect("postgres"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'items_mking_restore_test%'")) {
            row.next();
            return row.getInt(1);
        }
    }

    private String rows(String sql) throws Exception {
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }

    /** Changes the byte in the middle of the local store's data file; returns its path. */
    private Path damageTheLocalCopy() throws Exception {
        Path data;
        try (Stream<Path> files = Files.walk(installation.localStore())) {
            data = files.filter(p -> p.toString().endsWith(".zst")).findFirst().orElseThrow();
        }
        com.mking.backup.support.Damage.flipMiddleByte(data);
        return data;
    }
}
