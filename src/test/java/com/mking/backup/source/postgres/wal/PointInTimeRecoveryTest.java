package com.mking.backup.source.postgres.wal;

import com.mking.backup.support.CliProcess;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Point-in-time recovery as operators run it: the production profile (encryption on, stores local + S3),
 * the daemon in a process of its own receiving WAL from a throwaway cluster, the CLI recovering. Rows are
 * written in phases with a restore point, two base backups, and a time taken from PostgreSQL's own
 * {@code now()}; each recovery is compared with what the source held at that point. Then a recovered copy
 * is promoted as a new primary and archives into the same job: both timelines recover. Last, a WAL file
 * altered in a store is named by wal-verify and stops a recovery that needs it, with the cause.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRecoveryTest {

    private static final String JOB = "pg-main";

    private TestS3 s3;
    private TestInstallation installation;
    private TestCluster cluster;
    private CliProcess daemon;
    private int httpPort;
    private String firstBase;
    private String targetTime;
    private final List<Path> restored = new ArrayList<>();
    private int promotedPort;

    @BeforeAll
    void archiveAndBackUp() throws Exception {
        s3 = new TestS3();
        httpPort = TestCluster.freePort();
        int pgPort = TestCluster.freePort();
        installation = new TestInstallation().production(s3, "pitr").set("camel.management.port", Integer.toString(httpPort));
        installation.withPgPhysicalJob(JOB, pgPort, "local,minio", "7");
        daemon = CliProcess.start(installation, List.of("-Xmx384m"), "start")
                .awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
        cluster = TestCluster.start(pgPort, Map.of("archive_mode", "on", "archive_command",
                "curl -fsS -H \"Expect:\" -T %p http://127.0.0.1:" + httpPort + "/wal/" + JOB + "/%f"));

        cluster.execute("CREATE TABLE events (id int PRIMARY KEY, phase text, at timestamptz DEFAULT clock_timestamp())");
        firstBase = backUp();
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't1' FROM generate_series(1, 100) g");
        cluster.execute("SELECT pg_create_restore_point('before-second-base')");
        cluster.execute("SELECT pg_switch_wal()");
        backUp();
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't2' FROM generate_series(101, 200) g");
        targetTime = cluster.queryOne("SELECT now()::text"); // as PostgreSQL prints it: 2026-11-27 14:19:38.123456+00
        Thread.sleep(1100);
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't3' FROM generate_series(201, 300) g");
        switchAndAwaitArchived(cluster);
    }

    @AfterAll
    void cleanUp() throws Exception {
        restored.forEach(TestCluster::stopServer);
        if (daemon != null) {
            daemon.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        for (Path path : restored) {
            TestCluster.run("rm", "-rf", path.getParent().toString());
        }
        installation.close();
        s3.close();
    }

    @Test
    @Order(1)
    void walVerifyReadsEveryArchivedFileBackInEveryStore() throws Exception {
        CliResult verify = installation.cli("wal-verify", JOB);
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.out()).contains("local    timeline 1: OK").contains("minio    timeline 1: OK")
                .containsPattern("local    (\\d+) of \\1 files read back in full")
                .doesNotContain("BAD").doesNotContain("GAP");
        // wal-fetch decrypts and checks what it hands over
        String segment = verify.out().replaceAll("(?s).*local    timeline 1: OK \\d+ segments (\\S+) \\.\\..*", "$1");
        Path fetched = Files.createTempDirectory("wal-fetch").resolve(segment);
        CliResult fetch = installation.cli("wal-fetch", JOB, segment, fetched.toString(), "--from", "minio");
        assertThat(fetch.exitCode()).as(fetch.all()).isEqualTo(0);
        assertThat(Files.size(fetched)).isEqualTo(16L * 1024 * 1024);
        assertThat(installation.cli("wal-fetch", JOB, "0000000100000000000000FF", fetched.toString()).exitCode()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void recoversToATimeWrittenAsPostgresPrintsIt() throws Exception {
        Path dataDir = newDataDir();
        int port = TestCluster.freePort();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--time", targetTime,
                "--port", Integer.toString(port), "--from", "local");
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
        assertThat(recover.out()).contains("promoted").contains("RTO");
        assertThat(phases(port)).isEqualTo(Map.of("t1", 100, "t2", 100));
        assertThat(rows(port)).isEqualTo(sourceRows("id <= 200"));
        assertThat(Files.readString(dataDir.resolve("postgresql.auto.conf"))).contains("archive_mode = 'off'");
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, restore_type, restore_point IS NOT NULL, recovery_target, "
                     + "reached_lsn FROM restore_tasks WHERE target_path = '" + dataDir + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("success");
            assertThat(row.getString(2)).isEqualTo("point_in_time");
            assertThat(row.getBoolean(3)).isTrue();
            assertThat(row.getString(4)).startsWith("time ").endsWith("timeline 1");
            assertThat(row.getString(5)).matches("[0-9A-F]+/[0-9A-F]+");
        }
    }

    @Test
    @Order(3)
    void aRestorePointMadeBeforeTheNewestBaseBackupIsReachedFromAnOlderOne() throws Exception {
        Path dataDir = newDataDir();
        int port = TestCluster.freePort();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--restore-point",
                "before-second-base", "--port", Integer.toString(port), "--from", "minio");
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
        assertThat(recover.out()).contains("base backup " + firstBase).contains("restore point 'before-second-base'");
        assertThat(phases(port)).isEqualTo(Map.of("t1", 100));
        assertThat(rows(port)).isEqualTo(sourceRows("id <= 100"));
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT restore_point_name, backup_id FROM restore_tasks "
                     + "WHERE target_path = '" + dataDir + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("before-second-base");
            assertThat(row.getString(2)).isEqualTo(firstBase);
        }
    }

    @Test
    @Order(4)
    void recoversToTheEndOfTheArchiveFromS3() throws Exception {
        int port = TestCluster.freePort();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", newDataDir().toString(), "--port",
                Integer.toString(port), "--from", "minio");
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
        assertThat(phases(port)).isEqualTo(Map.of("t1", 100, "t2", 100, "t3", 100));
        assertThat(rows(port)).isEqualTo(sourceRows("true"));
    }

    /**
     * The newest base's local copy fails verification: recovery reads its good copy in S3 (with the WAL there), and
     * refuses the damaged one when asked for it by name. The copy is mended and verified again for the tests after.
     */
    @Test
    @Order(5)
    void aBaseWhoseLocalCopyIsDamagedIsRecoveredFromItsGoodCopy() throws Exception {
        String newest = newestBase();
        Path data;
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT data_key FROM backup_copies c JOIN backup_executions e "
                     + "ON e.id = c.backup_execution_id WHERE e.backup_id = '" + newest + "' AND c.store_name = 'local'")) {
            assertThat(row.next()).isTrue();
            data = installation.localStore().resolve(row.getString(1));
        }
        byte original = com.mking.backup.support.Damage.flipMiddleByte(data);
        try {
            CliResult verify = installation.cli("verify", newest);
            assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
            assertThat(verify.out()).containsPattern("local +FAILED").doesNotContainPattern("minio +FAILED");

            int port = TestCluster.freePort();
            CliResult recover = installation.cli("recover", JOB, "--data-dir", newDataDir().toString(), "--port",
                    Integer.toString(port), "--backup-id", newest);
            assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
            assertThat(recover.all()).contains("minio");
            assertThat(phases(port)).isEqualTo(Map.of("t1", 100, "t2", 100, "t3", 100));

            CliResult fromLocal = installation.cli("recover", JOB, "--data-dir", newDataDir().toString(), "--port",
                    Integer.toString(TestCluster.freePort()), "--backup-id", newest, "--from", "local");
            assertThat(fromLocal.exitCode()).as(fromLocal.all()).isNotZero();
            assertThat(fromLocal.err()).contains("its copy in store 'local' failed verification");
        } finally {
            com.mking.backup.support.Damage.restoreMiddleByte(data, original);
        }
        CliResult mended = installation.cli("verify", newest);
        assertThat(mended.exitCode()).as(mended.all()).isEqualTo(0);
    }

    @Test
    @Order(6)
    void targetsTheArchiveDoesNotHoldFailBeforeAnythingIsReplayed() throws Exception {
        Path dataDir = newDataDir();
        String later = Instant.now().plus(Duration.ofHours(1)).toString();
        CliResult tooLate = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--time", later);
        assertThat(tooLate.exitCode()).as(tooLate.all()).isEqualTo(2);
        assertThat(tooLate.err()).contains("ends with a transaction at").contains("pg_switch_wal");
        CliResult unknownPoint = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--restore-point", "nope");
        assertThat(unknownPoint.exitCode()).isEqualTo(2);
        assertThat(unknownPoint.err()).contains("restore point 'nope' is not in the archive").contains("before-second-base");
        assertThat(dataDir).doesNotExist();
        CliResult unknownBase = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--backup-id", "nope");
        assertThat(unknownBase.exitCode()).isEqualTo(2);
        assertThat(unknownBase.err()).contains("--backup-id nope");
        CliResult unknownStore = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--from", "tape");
        assertThat(unknownStore.exitCode()).isEqualTo(2);
        assertThat(unknownStore.err()).contains("unknown store 'tape'");
        CliResult restoreBase = installation.cli("restore", firstBase, "--target", dataDir.toString());
        assertThat(restoreBase.exitCode()).as(restoreBase.all()).isEqualTo(2);
        assertThat(restoreBase.err()).contains("is a pg-physical base backup: restore it with 'mking-backup recover " + JOB);
        assertThat(dataDir).doesNotExist();
    }

    @Test
    @Order(7)
    void aScheduledRestoreTestRecoversTheClusterAndRunsItsChecks() throws Exception {
        Path routeFile = installation.routes().resolve(JOB + ".yaml");
        Files.writeString(routeFile, Files.readString(routeFile)
                + "      - {name: testQueries, value: \"SELECT count(*) = 300 FROM events\"}\n");
        CliResult test = installation.cli("restore-test", "--job", JOB);
        assertThat(test.exitCode()).as(test.all()).isEqualTo(0);
        assertThat(test.out()).contains("passed").contains("SELECT count(*) = 300 FROM events = t").contains("recovered in");
    }

    /**
     * The failover workflow: a copy recovered to t2 is promoted as the new primary (timeline 2) and archives
     * into the same job, while the old primary goes on writing timeline 1. Neither timeline shows a false gap,
     * and each recovers to what it holds.
     */
    @Test
    @Order(8)
    void aPromotedCopyArchivesItsNewTimelineIntoTheSameJobAndBothTimelinesRecover() throws Exception {
        Path promotedDir = newDataDir();
        promotedPort = TestCluster.freePort();
        CliResult promote = installation.cli("recover", JOB, "--data-dir", promotedDir.toString(), "--time", targetTime,
                "--port", Integer.toString(promotedPort), "--promote-as-primary");
        assertThat(promote.exitCode()).as(promote.all()).isEqualTo(0);
        assertThat(Files.readString(promotedDir.resolve("postgresql.auto.conf"))).doesNotContain("archive_mode = 'off'");
        execute(promotedPort, "INSERT INTO events (id, phase) SELECT g, 't4' FROM generate_series(1001, 1050) g");
        switchAndAwaitArchived(promotedPort);
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't5' FROM generate_series(2001, 2050) g");
        switchAndAwaitArchived(cluster);

        CliResult verify = installation.cli("wal-verify", JOB);
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.out()).contains("local    timeline 1: OK").contains("local    timeline 2 (branched from 1 at")
                .contains("minio    timeline 2 (branched from 1 at").doesNotContain("GAP");
        assertThat(s3.keys("pitr")).contains(WalArchive.prefix(JOB) + "00000002.history.json");

        int oldTimeline = TestCluster.freePort();
        CliResult first = installation.cli("recover", JOB, "--data-dir", newDataDir().toString(), "--timeline", "1",
                "--port", Integer.toString(oldTimeline), "--from", "local");
        assertThat(first.exitCode()).as(first.all()).isEqualTo(0);
        assertThat(phases(oldTimeline)).isEqualTo(Map.of("t1", 100, "t2", 100, "t3", 100, "t5", 50));
        assertThat(rows(oldTimeline)).isEqualTo(sourceRows("true"));

        int newTimeline = TestCluster.freePort();
        CliResult latest = installation.cli("recover", JOB, "--data-dir", newDataDir().toString(), "--port",
                Integer.toString(newTimeline), "--from", "minio");
        assertThat(latest.exitCode()).as(latest.all()).isEqualTo(0);
        assertThat(latest.out()).contains("timeline 2");
        assertThat(phases(newTimeline)).isEqualTo(Map.of("t1", 100, "t2", 100, "t4", 50));
        assertThat(rows(newTimeline)).isEqualTo(rowsOf(promotedPort, "true"));
    }

    @Test
    @Order(9)
    void aWalFileAlteredInAStoreIsNamedByWalVerifyAndStopsARecoveryThatNeedsItWithTheCause() throws Exception {
        String victim = newestSegment(1);
        Path manifestFile = installation.localStore().resolve(WalArchive.prefix(JOB) + victim + ".json");
        var manifest = com.mking.backup.pipeline.Manifest.read(Files.newInputStream(manifestFile));
        Path data = installation.localStore().resolve(WalArchive.prefix(JOB) + manifest.artefact().storedName());
        com.mking.backup.support.Damage.flipMiddleByte(data); // same size, different ciphertext
        CliResult verify = installation.cli("wal-verify", JOB, "--from", "local");
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
        assertThat(verify.out()).contains("BAD " + victim).contains("SHA-256 mismatch");

        // whoever altered the data also rewrote the manifest's checksum: only decryption can tell now
        String forged = com.mking.backup.pipeline.Sha256.of(Files.newInputStream(data)).sha256();
        Files.writeString(manifestFile, Files.readString(manifestFile).replace(manifest.artefact().storedSha256(), forged));
        verify = installation.cli("wal-verify", JOB, "--from", "local");
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(1);
        assertThat(verify.out()).contains("BAD " + victim).contains("authentication");

        Path dataDir = newDataDir();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--timeline", "1", "--port",
                Integer.toString(TestCluster.freePort()), "--from", "local");
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(1);
        assertThat(recover.err()).contains("WAL file " + victim + " could not be read back").contains("authentication");
        assertThat(dataDir).doesNotExist();
        try (var logs = Files.list(dataDir.getParent())) {
            assertThat(logs.map(p -> p.getFileName().toString())).anyMatch(name -> name.startsWith("data.recovery-failed-"));
        }
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, error_message FROM restore_tasks WHERE target_path = '"
                     + dataDir + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("failed");
            assertThat(row.getString(2)).contains(victim).contains("authentication");
        }
        // the copy in S3 is intact, and the recovery from it still works
        assertThat(installation.cli("wal-verify", JOB, "--from", "minio").exitCode()).isEqualTo(0);
    }

    @Test
    @Order(10)
    void aMissingSegmentIsAGapThatStopsARecoveryBeforeReplay() throws Exception {
        // the first segment of the newest base backup (the recovery's default), before the branch: both timelines need
        // it (which segment that is depends on how many switches the earlier steps' timing made)
        String victim = startSegment(newestBase());
        assertThat(victim.substring(8)).isLessThan(segments(2).get(0).substring(8));
        s3.client().removeObject(io.minio.RemoveObjectArgs.builder().bucket("pitr")
                .object(WalArchive.prefix(JOB) + victim + ".json").build());
        CliResult verify = installation.cli("wal-verify", JOB, "--from", "minio", "--names-only");
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.out()).contains("timeline 1").contains("timeline 2").contains("GAP: segment " + victim + " is missing");
        Path dataDir = newDataDir();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--port",
                Integer.toString(TestCluster.freePort()), "--from", "minio");
        assertThat(recover.exitCode()).isEqualTo(1);
        assertThat(recover.err()).contains(victim).contains("gap");
        assertThat(dataDir).doesNotExist();
    }

    /**
     * A segment whose first page is sound but whose records stop early (a torn copy, or an archive written
     * before pushes were checked) makes PostgreSQL end replay there and promote: the recovery is a failure,
     * because it never reached the end of the archive.
     */
    @Test
    @Order(11)
    void aRecoveryThatStopsShortOfTheEndOfTheArchiveIsAFailure() throws Exception {
        // the segment of the t1 rows (full-page images fill it well past its first page), after the older base
        // backup's own WAL and long before the end of timeline 2's chain
        String torn = chainOfFirstBase().get(1);
        try (var runtime = installation.runtime(false)) {
            var store = runtime.bean(com.mking.backup.store.StoreRegistry.class).get("local");
            WalArchive archive = runtime.bean(WalArchive.class);
            Path original = Files.createTempFile("segment", "");
            archive.fetch(JOB, torn, "local", original);
            byte[] bytes = Files.readAllBytes(original);
            java.util.Arrays.fill(bytes, 8192, bytes.length, (byte) 0); // everything after the first page is gone
            archive.delete(JOB, store, torn);
            var writer = runtime.bean(com.mking.backup.pipeline.ArtefactWriter.class);
            String dataKey = WalArchive.prefix(JOB) + torn + ".torn" + writer.storedSuffix();
            var artefact = writer.write(dataKey, torn, new java.io.ByteArrayInputStream(bytes), List.of(store),
                    com.mking.backup.pipeline.Manifest.associatedData(com.mking.backup.pipeline.Manifest.WAL_SOURCE, JOB, torn),
                    new java.util.concurrent.atomic.AtomicLong());
            var manifest = new com.mking.backup.pipeline.Manifest(com.mking.backup.pipeline.Manifest.FORMAT_VERSION, torn, JOB,
                    com.mking.backup.pipeline.Manifest.WAL_SOURCE, "wal", Instant.now(), Instant.now(), null, null,
                    writer.settings().compression().id(), writer.encryption(), List.of(artefact), Map.of());
            com.mking.backup.pipeline.Publisher.readingBack(runtime.bean(com.mking.backup.pipeline.ArtefactReader.class), true)
                    .publish(List.of(store), List.of(dataKey), WalArchive.prefix(JOB) + torn + ".json", manifest);
        }
        Path dataDir = newDataDir();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--port",
                Integer.toString(TestCluster.freePort()), "--from", "local", "--backup-id", firstBase);
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(1);
        assertThat(recover.err()).contains("recovery stopped early").contains("before the end of the archive");
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, reached_lsn IS NULL FROM restore_tasks WHERE target_path = '"
                     + dataDir + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("failed");
        }
    }

    private String backUp() throws Exception {
        CliResult run = installation.cli("run", JOB);
        assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
        return run.backupId(JOB);
    }

    private String newestSegment(long timeline) throws Exception {
        List<String> names = segments(timeline);
        return names.get(names.size() - 1);
    }

    /** Archived segments of a timeline, oldest first. */
    private List<String> segments(long timeline) throws Exception {
        return new com.mking.backup.store.LocalStore("local", installation.localStore(), null)
                .list(WalArchive.prefix(JOB)).stream().filter(key -> key.endsWith(".json"))
                .map(key -> key.substring(key.lastIndexOf('/') + 1, key.length() - 5))
                .filter(WalNames::isSegment).filter(name -> Long.parseLong(name.substring(0, 8), 16) == timeline)
                .sorted().toList();
    }

    /**
     * Timeline 1's archived segments from the one the first base backup started in: a segment archived before it may
     * still be in the store (its push can land after the prune that retention runs at each backup) or not.
     */
    private List<String> chainOfFirstBase() throws Exception {
        String start = startSegment(firstBase);
        return segments(1).stream().filter(name -> name.compareTo(start) >= 0).toList();
    }

    /** The timeline 1 segment a base backup started in (from its manifest's start LSN). */
    private String startSegment(String backupId) throws Exception {
        String manifestKey;
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT manifest_key FROM backup_executions WHERE backup_id = '"
                     + backupId + "'")) {
            row.next();
            manifestKey = row.getString(1);
        }
        var manifest = com.mking.backup.pipeline.Manifest.read(Files.newInputStream(installation.localStore().resolve(manifestKey)));
        long segment = Lsn.parse(manifest.details().get("startLsn")).segment(16L * 1024 * 1024);
        return String.format("%08X%08X%08X", 1, segment / 256, segment % 256);
    }

    private String newestBase() throws Exception {
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT backup_id FROM backup_executions WHERE job_name = '" + JOB
                     + "' AND status = 'success' ORDER BY id DESC LIMIT 1")) {
            assertThat(row.next()).isTrue();
            return row.getString(1);
        }
    }

    private static void switchAndAwaitArchived(TestCluster server) throws Exception {
        switchAndAwaitArchived(server.port());
    }

    private static void switchAndAwaitArchived(int port) throws Exception {
        String last = queryOne(port, "SELECT pg_walfile_name(pg_current_wal_lsn())");
        execute(port, "SELECT pg_switch_wal()");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                queryOne(port, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(last) >= 0);
    }

    private Path newDataDir() throws Exception {
        Path parent = Files.createTempDirectory("mking-restored");
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = parent.resolve("data");
        restored.add(dataDir);
        return dataDir;
    }

    private static Connection connect(int port) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
    }

    private static void execute(int port, String sql) throws Exception {
        try (Connection connection = connect(port); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String queryOne(int port, String sql) throws Exception {
        try (Connection connection = connect(port); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static Map<String, Integer> phases(int port) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection connection = connect(port); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT phase, count(*) FROM events GROUP BY phase")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }

    /** Row count and an md5 over every row, as psql would compute it. */
    private static String rows(int port) throws Exception {
        return rowsOf(port, "true");
    }

    private static String rowsOf(int port, String where) throws Exception {
        return queryOne(port, "SELECT count(*) || ':' || md5(string_agg(id || '/' || phase || '/' || at, ',' ORDER BY id)) "
                + "FROM events WHERE " + where);
    }

    private String sourceRows(String where) throws Exception {
        return rowsOf(cluster.port(), where);
    }
}
