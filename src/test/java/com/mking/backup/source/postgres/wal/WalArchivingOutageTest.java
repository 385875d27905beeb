package com.mking.backup.source.postgres.wal;

import com.mking.backup.audit.Catalog;
import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.cli.BackupRuntime;
import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.route.BackupRoutes;
import com.mking.backup.store.StoreRegistry;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Archiving survives a store outage without losing a segment, and retention never prunes needed WAL. */
class WalArchivingOutageTest {

    private static final String JOB = "pg-arch";

    private TestS3 s3;
    private TestInstallation installation;
    private TestCluster cluster;
    private BackupRuntime daemon;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestS3();
        int httpPort = TestCluster.freePort();
        int pgPort = TestCluster.freePort();
        installation = new TestInstallation().withS3(s3, "wal").set("mking.stores", "local,minio")
                .set("camel.management.port", Integer.toString(httpPort))
                .withPgPhysicalJob(JOB, pgPort, "local,minio", "2");
        daemon = installation.runtime(true);
        cluster = TestCluster.start(pgPort, Map.of("archive_mode", "on",
                "archive_command", "curl -fsS -H \"Expect:\" -T %p http://127.0.0.1:" + httpPort + "/wal/" + JOB + "/%f"));
        cluster.execute("CREATE TABLE t (id serial PRIMARY KEY, v text)");
    }

    @AfterEach
    void tearDown() throws Exception {
        daemon.close();
        cluster.close();
        installation.close();
        s3.close();
    }

    @Test
    void aStoreOutageHoldsSegmentsInPostgresUntilTheStoreIsBack() throws Exception {
        ArchiveMonitor monitor = daemon.bean(ArchiveMonitor.class);
        String first = switchWal();
        awaitArchived(first);
        assertThat(monitor.measure(daemon.jobs().job(JOB)).lagSeconds()).isZero();

        s3.stop();
        String held = switchWal();
        await().atMost(Duration.ofSeconds(30)).until(() -> Long.parseLong(cluster.queryOne(
                "SELECT failed_count FROM pg_stat_archiver")) > 0);
        assertThat(cluster.queryOne("SELECT last_archived_wal FROM pg_stat_archiver")).isEqualTo(first);
        assertThat(walFiles(held)).as("PostgreSQL keeps the segment").isTrue();
        Thread.sleep(1500);
        ArchiveMonitor.Status during = monitor.measure(daemon.jobs().job(JOB));
        assertThat(during.lagSeconds()).isPositive();
        assertThat(during.failedCount()).isPositive();
        assertThat(archived("local")).doesNotContain(held);

        s3.restart();
        String next = switchWal();
        awaitArchived(next);
        assertThat(archived("local")).contains(held, next);
        assertThat(archived("minio")).contains(held, next);
        assertThat(monitor.measure(daemon.jobs().job(JOB)).lagSeconds()).isZero();
    }

    @Test
    void retentionKeepsTheNewestBaseBackupsAndOnlyTheWalTheyNeed() throws Exception {
        for (int i = 0; i < 3; i++) {
            BackupRun run = daemon.producer().send(BackupRoutes.RUN, e -> e.getMessage().setHeader(BackupRunner.JOB_HEADER, JOB))
                    .getProperty(BackupRunner.RUN, BackupRun.class);
            assertThat(run.status()).as(String.valueOf(run.error())).isEqualTo(BackupRun.Status.SUCCESS);
            awaitArchived(switchWal());
        }
        List<CatalogEntry> kept = daemon.bean(Catalog.class).list(JOB, null, "success", 10).stream()
                .filter(entry -> !entry.copies().isEmpty()).toList();
        assertThat(kept).hasSize(2);
        // the oldest kept base backup's WAL is complete; everything older is gone
        for (String store : List.of("local", "minio")) {
            TreeSet<String> files = archived(store);
            CatalogEntry oldestKept = kept.get(1);
            var manifest = com.mking.backup.pipeline.Manifest.read(daemon.bean(StoreRegistry.class).get(store)
                    .get(oldestKept.copies().get(0).manifestKey()));
            String start = manifest.details().get("startLsn");
            WalNames.Segment startSegment = WalNames.segmentOf(start, 1, 16L * 1024 * 1024);
            assertThat(files.stream().filter(WalNames::isSegment).findFirst().orElseThrow())
                    .isEqualTo(startSegment.name(16L * 1024 * 1024));
            assertThat(daemon.bean(com.mking.backup.source.postgres.recovery.RecoveryPlanner.class)
                    .verifyChain(JOB, daemon.bean(StoreRegistry.class).get(store), manifest, 1).complete()).isTrue();
        }
        try (var audit = installation.audit(); var statement = audit.createStatement();
             var row = statement.executeQuery("SELECT count(*) FROM backup_copies WHERE status = 'deleted'")) {
            row.next();
            assertThat(row.getInt(1)).isEqualTo(2);
        }
    }

    private String switchWal() throws Exception {
        cluster.execute("INSERT INTO t (v) SELECT md5(g::text) FROM generate_series(1, 1000) g");
        String segment = cluster.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
        cluster.execute("SELECT pg_switch_wal()");
        return segment;
    }

    private void awaitArchived(String segment) {
        await().atMost(Duration.ofSeconds(90)).until(() ->
                cluster.queryOne("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(segment) >= 0);
    }

    private boolean walFiles(String segment) {
        return java.nio.file.Files.exists(cluster.directory().resolve("data/pg_wal/" + segment));
    }

    private TreeSet<String> archived(String store) throws Exception {
        return daemon.bean(WalArchive.class).archived(JOB, daemon.bean(StoreRegistry.class).get(store));
    }
}
