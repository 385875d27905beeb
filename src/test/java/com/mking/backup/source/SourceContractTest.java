package com.mking.backup.source;

import com.mking.backup.pipeline.Manifest;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import com.mking.backup.support.TestSftpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every source must do, in the production profile (encrypted, stores local + S3), through the CLI as an operator
 * runs it (the restic conformance pattern; {@code StoreContractTest} does the same for stores). A source's test says
 * how to declare its job, what its artefacts are called, how to restore into a fresh target and compare it with the
 * original, and how to make its tool fail:
 * backup → the manifest lists its artefacts, in every store (local, S3, the backup server over SFTP), encrypted → verify passes → a restore into a fresh target
 * equals the original → a corrupted artefact is detected and nothing is restored from it → a failing tool fails the
 * run with its stderr tail and leaves nothing that looks complete → so does a failure after the first of several
 * artefacts was stored (sources with several artefacts). The cases run in that order (10 to 55); a subclass's
 * own cases that need an intact, verified backup take orders below 40 (the corruption case marks its copy failed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class SourceContractTest {

    protected TestS3 s3;
    /** The backup server: every contract job keeps a third copy there, over SFTP (store {@code backup}). */
    protected TestSftpServer sftp;
    protected TestInstallation installation;
    protected String backupId;

    /** Starts the source's server or creates its data; called once, before anything else. */
    protected abstract void startSource() throws Exception;

    /** Stops what {@link #startSource} started. */
    protected abstract void stopSource() throws Exception;

    /** The source kind (route template), e.g. {@code redis}. */
    protected abstract String kind();

    /** The job's parameters besides job, cron and stores. */
    protected abstract Map<String, String> jobParameters() throws Exception;

    /** The artefact names (regular expressions) a backup of this data must list, in order. */
    protected abstract List<String> expectedArtefacts();

    /** The restore command's arguments after the backup id, for a fresh target that {@code target} names. */
    protected abstract List<String> restoreArguments(Path target) throws Exception;

    /** Asserts, with the source's own tools, that what was restored at {@code target} equals the original data. */
    protected abstract void assertRestoredEqualsOriginal(Path target) throws Exception;

    /**
     * Asserts that nothing was restored at {@code target} (the failed restore left it as it was); by default a
     * directory target: neither it nor its scratch directory exists.
     */
    protected void assertNothingRestored(Path target) throws Exception {
        assertThat(target).doesNotExist();
        assertThat(target.resolveSibling(target.getFileName() + ".mking-restoring")).doesNotExist();
    }

    /** Makes the source's tool fail (a stopped server, a broken path); the job's next run must fail. */
    protected abstract void breakSource() throws Exception;

    /** Undoes {@link #breakSource}. */
    protected abstract void repairSource() throws Exception;

    /** Text the failed run's error must contain: the tool's own words (its stderr tail). */
    protected abstract String expectedFailure();

    protected String job() {
        return "contract-" + kind();
    }

    /** The job's stores: local, S3 and the backup server over SFTP (a source may leave the last out). */
    protected String contractStores() {
        return "local,minio,backup";
    }

    private boolean onBackupServer() {
        return contractStores().contains("backup");
    }

    @BeforeAll
    void backUp() throws Exception {
        s3 = new TestS3();
        sftp = new TestSftpServer(true);
        installation = new TestInstallation().production(s3, "contract").withSftp(sftp, "backup")
                .set("mking.stores", "local,minio,backup");
        startSource();
        declareJob(Map.of());
        CliResult run = installation.cli("run", job());
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        backupId = run.backupId(job());
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            stopSource();
        } finally {
            installation.close();
            s3.close();
            sftp.close();
        }
    }

    @Test
    @Order(10)
    void theManifestListsEveryArtefactInBothStoresEncrypted() throws Exception {
        Manifest manifest = manifest();
        assertThat(manifest.formatVersion()).isEqualTo(Manifest.FORMAT_VERSION);
        assertThat(manifest.source()).isEqualTo(kind());
        List<String> names = manifest.artefacts().stream().map(Manifest.Artefact::name).toList();
        assertThat(names).as("artefacts").hasSameSizeAs(expectedArtefacts());
        for (int i = 0; i < names.size(); i++) {
            assertThat(names.get(i)).as("artefact " + i).matches(expectedArtefacts().get(i));
        }
        assertThat(manifest.encryption()).isNotNull();
        String manifestKey = audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '" + backupId + "'");
        for (String dataKey : manifest.dataKeys(manifestKey)) {
            Path local = installation.localStore().resolve(dataKey);
            assertThat(local).exists();
            try (var object = s3.asyncClient().getObject(io.minio.GetObjectArgs.builder().bucket("contract").object(dataKey)
                    .build()).get()) {
                assertThat(com.mking.backup.pipeline.Sha256.of(object).sha256())
                        .as("the S3 copy of " + dataKey).isEqualTo(com.mking.backup.pipeline.Sha256.of(Files.newInputStream(local)).sha256());
            }
            if (onBackupServer()) {
                assertThat(run(null, "cmp", local.toString(), installation.remoteStore().resolve(dataKey).toString()))
                        .as("the backup server's copy of " + dataKey).isEmpty();
            }
        }
        assertThat(audit("SELECT status || '/' || verification_status || '/' || file_count FROM backup_executions "
                + "WHERE backup_id = '" + backupId + "'")).isEqualTo("success/passed/" + expectedArtefacts().size());
    }

    @Test
    @Order(20)
    void verifyDecodesEveryArtefactOfEveryCopy() throws Exception {
        CliResult verify = installation.cli("verify", backupId);
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.out()).contains("local").contains("minio").doesNotContain("FAILED");
        if (onBackupServer()) {
            assertThat(verify.out()).contains("backup");
        }
    }

    @Test
    @Order(30)
    void aRestoreIntoAFreshTargetEqualsTheOriginal() throws Exception {
        Path target = freshTarget("restored-" + kind());
        // from the backup server (SFTP): S3 restores are the point-in-time and round-trip tests' own
        CliResult restore = installation.cli(restoreCommand(backupId, onBackupServer() ? "backup" : "minio", target)
                .toArray(String[]::new));
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(0);
        assertThat(restore.out()).contains(restoredSays(backupId));
        assertRestoredEqualsOriginal(target);
        assertThat(audit("SELECT status || '/' || checksum_verified FROM restore_tasks ORDER BY id DESC LIMIT 1"))
                .isEqualTo("success/true");
    }

    @Test
    @Order(40)
    void aCorruptedArtefactIsDetectedAndNothingIsRestoredFromIt() throws Exception {
        Manifest manifest = manifest();
        String manifestKey = audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '" + backupId + "'");
        Path data = installation.localStore().resolve(Manifest.dataKey(manifestKey,
                manifest.artefacts().get(manifest.artefacts().size() - 1)));
        byte[] original = Files.readAllBytes(data);
        try {
            com.mking.backup.support.Damage.flipMiddleByte(data);
            CliResult verify = installation.cli("verify", backupId);
            assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
            assertThat(verify.out()).contains("FAILED");

            Path target = freshTarget("from-corrupt-" + kind());
            CliResult restore = installation.cli(restoreCommand(backupId, "local", target).toArray(String[]::new));
            assertCorruptBackupRefused(restore);
            assertNothingRestored(target);
        } finally {
            Files.write(data, original);
        }
    }

    @Test
    @Order(50)
    void aFailingToolFailsTheRunWithItsOwnWordsAndLeavesNothingThatLooksComplete() throws Exception {
        breakSource();
        try {
            CliResult run = installation.cli("run", job());
            assertFailedAndLeftNothing(run, expectedFailure());
        } finally {
            repairSource();
        }
    }

    @Test
    @Order(55)
    void aFailureAfterTheFirstArtefactWasStoredRemovesItFromEveryStore() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(breakSecondArtefact(),
                kind() + " declares no way to make a later artefact fail (one artefact per backup, or no deterministic fault)");
        try {
            CliResult run = installation.cli("run", job());
            String first = manifest().artefacts().get(0).name();
            assertThat(run.all()).as("the first artefact was stored before the failure").contains(first + " written");
            assertFailedAndLeftNothing(run, expectedSecondArtefactFailure());
        } finally {
            repairSecondArtefact();
        }
    }

    /** The run failed with {@code expected} in its error and audit row; no file or object of it is in either store. */
    private void assertFailedAndLeftNothing(CliResult run, String expected) throws Exception {
        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains(expected);
        String failed = audit("SELECT backup_id FROM backup_executions WHERE status = 'failed' ORDER BY id DESC LIMIT 1");
        assertThat(audit("SELECT error_message FROM backup_executions WHERE backup_id = '" + failed + "'"))
                .contains(expected);
        for (Path store : onBackupServer() ? List.of(installation.localStore(), installation.remoteStore())
                : List.of(installation.localStore())) {
            try (Stream<Path> files = Files.walk(store)) {
                assertThat(files.filter(p -> p.toString().contains(failed) || p.getFileName().toString().startsWith(".partial-"))
                        .filter(Files::isRegularFile).toList()).as("nothing of the failed run is left in " + store).isEmpty();
            }
        }
        var objects = s3.asyncClient().listObjects(io.minio.ListObjectsArgs.builder().bucket("contract").recursive(true)
                .build());
        for (var object : objects) {
            assertThat(object.get().objectName()).doesNotContain(failed);
        }
    }

    /**
     * Makes the second artefact of the next backup fail after the first was stored (a corrupt object in the second
     * repository's mirror); false when the source makes one artefact per backup or has no deterministic fault for it.
     */
    protected boolean breakSecondArtefact() throws Exception {
        return false;
    }

    /** Undoes {@link #breakSecondArtefact}. */
    protected void repairSecondArtefact() throws Exception {
    }

    /** Text the error of a run whose second artefact failed must contain. */
    protected String expectedSecondArtefactFailure() {
        return "";
    }

    /**
     * How a restore of the corrupted backup is refused: by default it starts and fails on the first bad block (exit 1);
     * a source may refuse it up front, since verify marked it failed.
     */
    protected void assertCorruptBackupRefused(CliResult restore) {
        assertThat(restore.exitCode()).as(restore.all()).isEqualTo(1);
        assertThat(restore.err()).containsAnyOf("SHA-256 mismatch", "authentication");
    }

    /** A path for a fresh restore target (it does not exist yet). */
    protected Path freshTarget(String name) throws IOException {
        return installation.home().resolve(name);
    }

    /** The CLI command restoring {@code backupId} from {@code store} into {@code target}. */
    protected List<String> restoreCommand(String backupId, String store, Path target) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("restore", backupId, "--from", store));
        args.addAll(restoreArguments(target));
        return args;
    }

    /** What a successful restore prints. */
    protected String restoredSays(String backupId) {
        return "restored backup " + backupId;
    }

    /** (Re)writes the job's route file: {@link #jobParameters}, stores local and S3, then {@code overrides}. */
    protected void declareJob(Map<String, String> overrides) throws Exception {
        Map<String, String> parameters = new java.util.LinkedHashMap<>(jobParameters());
        parameters.put("stores", contractStores());
        parameters.putAll(overrides);
        installation.withJob(kind(), job(), parameters);
    }

    protected Manifest manifest() throws Exception {
        String manifestKey = audit("SELECT manifest_key FROM backup_executions WHERE backup_id = '" + backupId + "'");
        return Manifest.read(Files.newInputStream(installation.localStore().resolve(manifestKey)));
    }

    protected String audit(String query) throws Exception {
        try (Connection connection = installation.audit(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(query)) {
            return result.next() ? result.getString(1) : null;
        }
    }

    protected static String run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int code = process.waitFor();
        if (code != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + code + "): " + out);
        }
        return out;
    }
}
