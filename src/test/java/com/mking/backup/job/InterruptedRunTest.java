package com.mking.backup.job;

import com.mking.backup.support.CliProcess;
import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import com.mking.backup.support.TestWebhook;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A run killed outright (kill -9) in the middle of writing to a local directory and an S3 bucket: its row
 * says running, a temporary file and an unfinished multipart upload are left. The next daemon start finds
 * it (nobody holds its job's lock), marks it aborted with the reason, removes the leftovers and alerts.
 */
class InterruptedRunTest {

    private TestS3 s3;
    private TestInstallation installation;
    private TestWebhook slack;
    private String database;
    private Path tools;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestS3();
        slack = new TestWebhook("/hook");
        database = TestDatabases.uniqueName("killed");
        TestDatabases.create(database);
        // a pg_dump that writes 40 MiB and then hangs: the run is caught half-way in both stores (zstd's workers
        // hold a few MiB back while no input comes, so well over one 16 MiB S3 part must be written for one to go)
        tools = Files.createTempDirectory("slow-tools");
        Path dump = tools.resolve("pg_dump");
        Files.writeString(dump, """
                #!/bin/sh
                case "$*" in *--version*) exec %s/pg_dump --version;; esac
                head -c 41943040 /dev/urandom
                exec sleep 600
                """.formatted(TestCluster.BIN));
        Files.setPosixFilePermissions(dump, PosixFilePermissions.fromString("rwxr-xr-x"));
        installation = new TestInstallation().production(s3, "killed")
                .set("camel.management.port", Integer.toString(TestCluster.freePort()))
                .set("mking.alert.slack.enabled", "true")
                .set("mking.alert.slack.webhook-url", slack.url());
        Files.writeString(installation.routes().resolve("slow.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: slow}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: stores, value: "local,minio"}
                      - {name: binDir, value: "%s"}
                """.formatted(database, tools));
    }

    @AfterEach
    void tearDown() throws Exception {
        slack.close();
        installation.close();
        TestDatabases.dropAll(database);
        s3.close();
    }

    @Test
    void aKilledRunIsMarkedAbortedItsLeftoversRemovedAndAnAlertSent() throws Exception {
        CliProcess run = CliProcess.start(installation, List.of(), "run", "slow");
        await().atMost(Duration.ofSeconds(90)).until(() -> !partials().isEmpty()
                && !s3.unfinishedUploads("killed", "slow/").isEmpty());
        run.kill().forEach(ProcessHandle::destroyForcibly); // the orphaned dump would otherwise sleep on
        assertThat(status()).isEqualTo("running");

        CliProcess daemon = CliProcess.start(installation, List.of(), "start");
        try {
            daemon.awaitOutput(out -> out.contains("daemon started"), Duration.ofSeconds(90));
            assertThat(daemon.output()).contains("marked aborted");
            assertThat(status()).isEqualTo("aborted");
            try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
                 ResultSet row = statement.executeQuery("SELECT error_message, end_time IS NOT NULL FROM backup_executions")) {
                row.next();
                assertThat(row.getString(1)).contains("ended without finishing").contains(":" + run.pid());
                assertThat(row.getBoolean(2)).isTrue();
            }
            assertThat(partials()).isEmpty();
            assertThat(s3.unfinishedUploads("killed", "slow/")).isEmpty();
            assertThat(s3.keys("killed")).noneMatch(key -> key.startsWith("slow/"));
            assertThat(slack.posts()).anyMatch(post -> post.contains("DANGER") && post.contains("was aborted"));

            // the job works again, and a second start finds nothing to abort
            CliResult again = installation.cli("list", "--job", "slow", "--status", "aborted");
            assertThat(again.exitCode()).isEqualTo(0);
        } finally {
            daemon.terminate();
            assertThat(daemon.waitFor(Duration.ofSeconds(60))).isEqualTo(0);
        }
        assertThat(daemon.output()).contains("daemon stopped");
    }

    /**
     * The job's next run holds its lock, so it marks the dead one aborted at once (it showed as running until a check or
     * a daemon start) and removes its leftovers, a files job's half-written pack included.
     */
    @Test
    void theJobsNextRunMarksAKilledOneAborted() throws Exception {
        CliProcess killed = CliProcess.start(installation, List.of(), "run", "slow");
        await().atMost(Duration.ofSeconds(90)).until(() -> !partials().isEmpty());
        killed.kill().forEach(ProcessHandle::destroyForcibly);
        assertThat(status()).isEqualTo("running");
        Path pack = Files.createDirectories(installation.localStore().resolve("slow/packs/ab")).resolve(".partial-ab12.zst.enc");
        Files.writeString(pack, "half a pack");

        CliProcess next = CliProcess.start(installation, List.of(), "run", "slow");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> "aborted".equals(statusOf(killed.pid())));
            assertThat(pack).doesNotExist();
            await().atMost(Duration.ofSeconds(30)).until(() -> slack.posts().stream()
                    .anyMatch(post -> post.contains("DANGER") && post.contains("was aborted")));
        } finally {
            next.kill().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The status of the run that process {@code pid} started. */
    private String statusOf(long pid) throws Exception {
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status FROM backup_executions WHERE job_name = 'slow' "
                     + "AND process_id LIKE '%:" + pid + "'")) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private List<Path> partials() throws Exception {
        Path store = installation.localStore().resolve("slow");
        if (!Files.exists(store)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(store)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".partial-")).toList();
        }
    }

    private String status() throws Exception {
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet row = statement.executeQuery("SELECT status FROM backup_executions WHERE job_name = 'slow'")) {
            return row.next() ? row.getString(1) : null;
        }
    }
}
