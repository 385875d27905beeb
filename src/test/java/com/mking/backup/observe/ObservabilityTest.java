package com.mking.backup.observe;

import com.mking.backup.cli.BackupRuntime;
import com.mking.backup.job.BackupRun;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.route.BackupRoutes;
import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The daemon's management endpoint as an operator (or Prometheus, or Hawtio) sees it: health with the
 * audit database and stores, per-job metrics, Jolokia listing the routes; health DOWN when the audit
 * database stops.
 */
class ObservabilityTest {

    private TestCluster auditServer;
    private TestInstallation installation;
    private BackupRuntime daemon;
    private String database;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        auditServer = TestCluster.start(TestCluster.freePort(), Map.of());
        database = TestDatabases.uniqueName("observed");
        TestDatabases.create(database);
        port = TestCluster.freePort();
        installation = new TestInstallation().set("mking.audit.url", "jdbc:postgresql://127.0.0.1:" + auditServer.port())
                .set("camel.management.port", Integer.toString(port))
                .withPgLogicalJob("observed", database, "local", "0 0 3 * * ?");
        daemon = installation.runtime(true);
        daemon.startObservability();
    }

    @AfterEach
    void tearDown() throws Exception {
        daemon.close();
        auditServer.close();
        TestDatabases.dropAll(database);
    }

    @Test
    void healthMetricsAndJolokia() throws Exception {
        BackupRun run = daemon.producer().send(BackupRoutes.RUN, e -> e.getMessage().setHeader(BackupRunner.JOB_HEADER, "observed"))
                .getProperty(BackupRunner.RUN, BackupRun.class);
        assertThat(run.status()).isEqualTo(BackupRun.Status.SUCCESS);
        daemon.bean(JobMetrics.class).refresh();

        HttpResponse<String> health = get("/observe/health?exposureLevel=full");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"name\":\"audit-database\",\"status\":\"UP\"").contains("store-local")
                .contains("\"name\":\"jobs-fresh\",\"status\":\"UP\"");

        String metrics = get("/observe/metrics").body();
        assertThat(metrics).contains("mking_job_runs_total{job=\"observed\",status=\"success\"} 1.0")
                .contains("mking_job_last_size_bytes{job=\"observed\"} " + (double) run.manifest().artefact().storedSize())
                .containsPattern("mking_job_last_success_timestamp_seconds\\{job=\"observed\"} 1\\.")
                .contains("mking_alert_channel_failures_total{channel=\"alert-mail\"} 0.0")
                // verify-after-write read the copy back once; the post-backup verification used that read
                .contains("mking_store_reads_total{store=\"local\"} 1.0")
                .contains("mking_store_read_bytes_total{store=\"local\"} " + (double) run.manifest().artefact().storedSize());

        String routes = get("/observe/jolokia/search/org.apache.camel:type=routes,*").body();
        assertThat(routes).contains("name=\\\"backup-run\\\"").contains("name=\\\"observed\\\"");

        TestCluster.stopServer(auditServer.directory().resolve("data"));
        await().atMost(Duration.ofSeconds(40)).until(() -> get("/observe/health").statusCode() == 503);
        assertThat(get("/observe/health?exposureLevel=full").body()).contains("\"name\":\"audit-database\",\"status\":\"DOWN\"");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
