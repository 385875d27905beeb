package com.mking.backup.wal;

import com.mking.backup.cli.BackupRuntime;
import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.route.BackupRoutes;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The RPO promise end to end: a throwaway cluster archives WAL into the daemon (archive_command = curl),
 * a base backup is taken, rows are written at t1, t2, t3 with WAL switches between, and recovery to t2
 * and to the latest point give exactly the expected rows, from the local store and from S3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRecoveryTest {

    private static final String JOB = "pg-main";

    private TestS3 s3;
    private TestInstallation installation;
    private TestCluster cluster;
    private BackupRuntime daemon;
    private int httpPort;
    private String targetTime;
    private final List<Path> restored = new ArrayList<>();

    @BeforeAll
    void archiveAndBackUp() throws Exception {
        s3 = new TestS3();
        httpPort = TestCluster.freePort();
        installation = new TestInstallation().withS3(s3, "wal").set("mking.stores", "local,minio")
                .set("camel.management.port", Integer.toString(httpPort));
        int pgPort = TestCluster.freePort();
        installation.withPgPhysicalJob(JOB, pgPort, "local,minio", "7");
        daemon = installation.runtime(true);
        // the cluster takes the port the route file names
        cluster = startCluster(pgPort);

        cluster.execute("CREATE TABLE events (id int PRIMARY KEY, phase text, at timestamptz DEFAULT clock_timestamp())");
        BackupRun base = backUp();
        assertThat(base.status()).as(String.valueOf(base.error())).isEqualTo(BackupRun.Status.SUCCESS);
        assertThat(base.manifest().details()).containsKeys("startLsn", "stopLsn", "systemIdentifier", "timeline");

        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't1' FROM generate_series(1, 100) g");
        cluster.execute("SELECT pg_switch_wal()");
        Thread.sleep(1100);
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't2' FROM generate_series(101, 200) g");
        targetTime = cluster.queryOne("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
        Thread.sleep(1100);
        cluster.execute("INSERT INTO events (id, phase) SELECT g, 't3' FROM generate_series(201, 300) g");
        String last = cluster.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
        cluster.execute("SELECT pg_switch_wal()");
        awaitArchived(last);
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
    void walPushIsIdempotentAndRefusesOtherContentUnderTheSameName() throws Exception {
        Path segment = Files.createTempFile("segment", "");
        Files.write(segment, new byte[]{1, 2, 3, 4});
        String name = "00000009000000000000000A";
        assertThat(put(name, segment)).isEqualTo(200);
        assertThat(put(name, segment)).isEqualTo(200);
        Files.write(segment, new byte[]{9, 9, 9});
        assertThat(put(name, segment)).isEqualTo(409);
        assertThat(put("not-a-wal-file", segment)).isEqualTo(400);
        for (var store : List.of("local", "minio")) {
            var archive = daemon.bean(WalArchive.class);
            archive.delete(JOB, daemon.bean(com.mking.backup.store.StoreRegistry.class).get(store), name);
        }
    }

    @Test
    @Order(2)
    void theChainFromTheBaseBackupIsComplete() throws Exception {
        daemon.close();
        daemon = null;
        CliResult verify = installation.cli("wal-verify", JOB);
        assertThat(verify.exitCode()).as(verify.all()).isEqualTo(0);
        assertThat(verify.out()).contains("local    OK").contains("minio    OK");

        String segment = verify.out().replaceAll("(?s).*local    OK: \\d+ segments (\\S+) \\.\\..*", "$1");
        Path fetched = Files.createTempDirectory("wal-fetch").resolve(segment);
        CliResult fetch = installation.cli("wal-fetch", JOB, segment, fetched.toString(), "--from", "minio");
        assertThat(fetch.exitCode()).as(fetch.all()).isEqualTo(0);
        assertThat(Files.size(fetched)).isEqualTo(16L * 1024 * 1024);
        var manifest = com.mking.backup.pipeline.Manifest.read(Files.newInputStream(
                installation.localStore().resolve(WalArchive.prefix(JOB) + segment + ".json")));
        assertThat(com.mking.backup.pipeline.Sha256.of(Files.newInputStream(fetched)).sha256())
                .isEqualTo(manifest.artefact().rawSha256());
        assertThat(installation.cli("wal-fetch", JOB, "0000000100000000000000FF", fetched.toString()).exitCode()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void recoversToT2FromTheLocalStore() throws Exception {
        Path dataDir = newDataDir();
        int port = TestCluster.freePort();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--time", targetTime,
                "--port", Integer.toString(port), "--from", "local");
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
        assertThat(recover.out()).contains("promoted").contains("RTO");
        assertThat(phases(port)).isEqualTo(Map.of("t1", 100, "t2", 100));
        assertThat(Files.readString(dataDir.resolve("postgresql.auto.conf"))).contains("archive_mode = 'off'");
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, restore_type, restore_point IS NOT NULL, duration_seconds "
                     + "FROM restore_tasks WHERE target_path = '" + dataDir + "'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("success");
            assertThat(row.getString(2)).isEqualTo("point_in_time");
            assertThat(row.getBoolean(3)).isTrue();
        }
    }

    @Test
    @Order(4)
    void recoversToTheLatestPointFromS3() throws Exception {
        Path dataDir = newDataDir();
        int port = TestCluster.freePort();
        CliResult recover = installation.cli("recover", JOB, "--data-dir", dataDir.toString(), "--port",
                Integer.toString(port), "--from", "minio");
        assertThat(recover.exitCode()).as(recover.all()).isEqualTo(0);
        assertThat(phases(port)).isEqualTo(Map.of("t1", 100, "t2", 100, "t3", 100));
    }

    @Test
    @Order(5)
    void aScheduledRestoreTestRecoversTheClusterAndRunsItsChecks() throws Exception {
        Path routeFile = installation.routes().resolve(JOB + ".yaml");
        Files.writeString(routeFile, Files.readString(routeFile)
                + "      - {name: testQueries, value: \"SELECT count(*) = 300 FROM events\"}\n");
        CliResult test = installation.cli("restore-test", "--job", JOB);
        assertThat(test.exitCode()).as(test.all()).isEqualTo(0);
        assertThat(test.out()).contains("passed").contains("SELECT count(*) = 300 FROM events = t").contains("recovered in");
        assertThat(Path.of(System.getProperty("java.io.tmpdir"), "mking-restore-tests", JOB)).doesNotExist();
    }

    @Test
    @Order(6)
    void aMissingSegmentIsReportedByVerificationAndStopsARecoveryThatNeedsIt() throws Exception {
        var local = new com.mking.backup.store.LocalStore("local", installation.localStore(), null);
        List<String> segments = local.list(WalArchive.prefix(JOB)).stream()
                .filter(key -> key.endsWith(".json")).map(key -> key.substring(key.lastIndexOf('/') + 1, key.length() - 5))
                .filter(WalNames::isSegment).sorted().toList();
        String victim = segments.get(segments.size() - 2);
        Files.delete(installation.localStore().resolve(WalArchive.prefix(JOB) + victim + ".json"));

        CliResult verify = installation.cli("wal-verify", JOB);
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.out()).contains("local    GAP: segment " + victim + " is missing").contains("minio    OK");

        CliResult recover = installation.cli("recover", JOB, "--data-dir", newDataDir().toString(), "--port",
                Integer.toString(TestCluster.freePort()), "--from", "local");
        assertThat(recover.exitCode()).isEqualTo(1);
        assertThat(recover.err()).contains(victim);
    }

    private BackupRun backUp() {
        return daemon.producer().send(BackupRoutes.RUN, e -> e.getMessage().setHeader(BackupRunner.JOB_HEADER, JOB))
                .getProperty(BackupRunner.RUN, BackupRun.class);
    }

    private TestCluster startCluster(int port) throws Exception {
        return TestCluster.start(port, Map.of("archive_mode", "on",
                "archive_command", "curl -fsS -H \"Expect:\" -T %p http://127.0.0.1:" + httpPort + "/wal/" + JOB + "/%f"));
    }

    private void awaitArchived(String segment) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String last = queryCluster("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            return last.compareTo(segment) >= 0;
        });
    }

    private String queryCluster(String sql) throws Exception {
        return cluster.queryOne(sql);
    }

    private int put(String file, Path body) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/wal/" + JOB + "/" + file))
                .PUT(HttpRequest.BodyPublishers.ofFile(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    private Path newDataDir() throws Exception {
        Path parent = Files.createTempDirectory("mking-restored");
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = parent.resolve("data");
        restored.add(dataDir);
        return dataDir;
    }

    private static Map<String, Integer> phases(int port) throws Exception {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", ""); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT phase, count(*) FROM events GROUP BY phase")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }
}
