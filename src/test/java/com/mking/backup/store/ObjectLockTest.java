package com.mking.backup.store;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.FaultyHttpProxy;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import com.mking.backup.support.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * S3 object lock (ransomware resistance). No server here enforces locks (S3Proxy refuses the headers as not implemented),
 * so what can be checked is what we ask of a server that does, through a proxy that records the headers and passes the
 * rest on: every upload of a backup carries the lock (mode, a retain-until date the lock
 * period away, the Content-MD5 S3 requires with it), seen on the wire by a recording proxy; the bucket is created with
 * object lock; and prune keeps a copy whose lock has not ended while it deletes the unlocked copy in the other store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectLockTest {

    private static final String JOB = "locked-db";

    private TestS3 s3;
    private FaultyHttpProxy recorder;
    private TestInstallation installation;
    private String database;

    @BeforeAll
    void start() throws Exception {
        s3 = new TestS3(false);
        recorder = new FaultyHttpProxy(java.net.URI.create(s3.endpoint()).getPort(), 0, 1)
                .dropping("x-amz-object-lock-", "x-amz-bucket-object-lock-");
        database = TestDatabases.uniqueName("locked");
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            // 20 MB, stored uncompressed: its artefact takes two 16 MiB parts, so the multipart path is on the wire too
            statement.execute("CREATE TABLE t AS SELECT g, repeat(md5(g::text), 32) AS v FROM generate_series(1, 20000) g");
        }
        installation = new TestInstallation().production(s3, "locked")
                .set("mking.store.minio.endpoint", recorder.endpoint())
                .set("mking.store.minio.object-lock", "governance")
                .set("mking.store.minio.object-lock-days", "7")
                .set("mking.pipeline.compression", "none")
                .withJob("pg-logical", JOB, Map.of("database", database, "stores", "local,minio", "keepLast", "1",
                        "keepDaily", "0", "keepWeekly", "0", "keepMonthly", "0", "keepYearly", "0"));
    }

    @AfterAll
    void stop() throws Exception {
        installation.close();
        recorder.close();
        s3.close();
        TestDatabases.dropAll(database);
    }

    @Test
    void everyUploadCarriesTheLockAndPruneKeepsLockedCopies() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CliResult run = installation.cli("run", JOB);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(0);
            ids.add(run.backupId(JOB));
        }
        Instant expected = Instant.now().plus(Duration.ofDays(7));
        List<String> heads = recorder.requestHeads();
        assertThat(heads).as("the bucket is made with object lock")
                .anySatisfy(head -> assertThat(head).startsWith("PUT /locked ").containsIgnoringCase("x-amz-bucket-object-lock-enabled: true"));
        List<String> uploads = heads.stream().filter(head -> head.startsWith("PUT /locked/" + JOB + "/")
                || (head.startsWith("POST /locked/" + JOB + "/") && head.contains("?uploads"))).toList();
        assertThat(uploads).as("objects written").hasSizeGreaterThanOrEqualTo(4);
        for (String head : uploads) {
            boolean part = head.contains("partNumber=");
            if (part) {
                assertThat(head).as("a part of a locked object").containsIgnoringCase("content-md5: ");
                continue;
            }
            assertThat(head).containsIgnoringCase("x-amz-object-lock-mode: GOVERNANCE");
            Matcher until = Pattern.compile("(?i)x-amz-object-lock-retain-until-date: (\\S+)").matcher(head);
            assertThat(until.find()).as(head).isTrue();
            assertThat(Instant.parse(until.group(1))).isCloseTo(expected, within(Duration.ofMinutes(5)));
            if (head.startsWith("PUT")) {
                assertThat(head).as("a locked PUT").containsIgnoringCase("content-md5: ");
            }
        }
        assertThat(uploads).as("a multipart upload").anyMatch(head -> head.contains("partNumber="));

        CliResult prune = installation.cli("prune", "--job", JOB);
        assertThat(prune.exitCode()).as(prune.all()).isEqualTo(0);
        assertThat(prune.out()).contains("object lock until");
        try (Connection audit = installation.audit(); Statement statement = audit.createStatement();
             ResultSet rows = statement.executeQuery("SELECT c.store_name, c.status FROM backup_copies c JOIN backup_executions e"
                     + " ON e.id = c.backup_execution_id WHERE e.backup_id = '" + ids.get(0) + "' ORDER BY c.store_name")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1) + "=" + rows.getString(2)).isEqualTo("local=deleted");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1) + "=" + rows.getString(2)).as("locked in S3: kept").isEqualTo("minio=stored");
        }
        assertThat(s3.keys("locked")).anyMatch(key -> key.contains(ids.get(0)));
    }

    @Test
    void aLockWithoutItsDaysIsRefusedNamingTheSetting() throws Exception {
        try (TestInstallation typo = new TestInstallation().withS3(s3, "lockcfg").set("mking.stores", "local,minio")
                .set("mking.store.minio.object-lock", "governance")) {
            CliResult status = typo.cli("list");
            assertThat(status.exitCode()).as(status.all()).isEqualTo(2);
            assertThat(status.err()).contains("mking.store.minio.object-lock-days");
        }
    }

    private static org.assertj.core.data.TemporalUnitOffset within(Duration duration) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(duration.toSeconds(), ChronoUnit.SECONDS);
    }
}
