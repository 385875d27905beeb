package com.mking.backup;

import com.mking.backup.support.TestCluster;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestS3;
import com.mking.backup.support.TestWebhook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar users run ({@code target/mking-backup.jar}, shaded and cut down), run as they run it: a fresh
 * installation on the embedded audit database, a key made with keygen, an encrypted backup to a local
 * directory and S3, its verification and its restore (compared with psql), an alert to Slack, the daemon's
 * health and metrics, and stop. Runs after {@code package} (maven-failsafe-plugin).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedJarIT {

    private static final Path JAR = Path.of("target/mking-backup.jar").toAbsolutePath();

    private TestS3 s3;
    private TestWebhook slack;
    private com.mking.backup.support.TestSshServer ssh;
    private Path home;
    private String database;
    private int httpPort;

    @BeforeAll
    void install() throws Exception {
        s3 = new TestS3();
        slack = new TestWebhook("/hook");
        ssh = new com.mking.backup.support.TestSshServer();
        database = TestDatabases.uniqueName("jar");
        TestDatabases.create(database);
        try (Connection connection = TestDatabases.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text);"
                    + "INSERT INTO notes (body) SELECT md5(g::text) FROM generate_series(1, 5000) g");
        }
        home = Files.createTempDirectory("mking-jar");
        Files.createDirectories(home.resolve("routes"));
        httpPort = TestCluster.freePort();
        Files.writeString(home.resolve("application.properties"), """
                mking.audit.url=
                mking.audit.embedded-port=%d
                mking.stores=local,minio
                mking.store.local.path=%s
                mking.store.minio.type=minio
                mking.store.minio.endpoint=%s
                mking.store.minio.bucket=jar
                mking.store.minio.access-key=%s
                mking.store.minio.secret-key=%s
                mking.encryption.key-dir=keys
                mking.encryption.key-id=k1
                mking.alert.slack.enabled=true
                mking.alert.slack.webhook-url=%s
                camel.management.port=%d
                """.formatted(TestCluster.freePort(), home.resolve("backups"), s3.endpoint(), TestS3.ACCESS_KEY,
                TestS3.SECRET_KEY, slack.url(), httpPort));
        Files.writeString(home.resolve("routes/jobs.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: notes}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: database, value: %s}
                      - {name: stores, value: "local,minio"}
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: broken}
                      - {name: cron, value: "0 0 4 * * ?"}
                      - {name: database, value: no_such_database}
                - templatedRoute:
                    routeTemplateRef: redis
                    parameters:
                      - {name: job, value: cache}
                      - {name: cron, value: "0 0 3 * * ?"}
                      - {name: method, value: rdb-pull}
                      - {name: ssh, value: "%s"}
                      - {name: sshKey, value: "%s"}
                """.formatted(database, ssh.target(), ssh.key()));
    }

    @AfterAll
    void cleanUp() throws Exception {
        try {
            slack.close();
            ssh.close();
            s3.close();
            TestDatabases.dropAll(database);
        } finally {
            TestCluster.run("rm", "-rf", home.toString()); // its store and the embedded audit database: ~50 MB a run
        }
    }

    @Test
    void theShippedJarBacksUpVerifiesRestoresAlertsAndServes() throws Exception {
        assertThat(Files.size(JAR)).as("jar size").isLessThanOrEqualTo(60L * 1024 * 1024);
        Result help = jar("--help");
        assertThat(help.code()).isEqualTo(0);
        assertThat(help.out()).contains("recover").doesNotContain("picocli WARN");
        assertThat(jar("keygen", "k1", "--key-dir", home.resolve("keys").toString()).code()).isEqualTo(0);

        Result run = jar("run", "notes");
        assertThat(run.code()).as(run.out()).isEqualTo(0);
        String backupId = run.out().replaceAll("(?s).*backup (\\S+) of job notes succeeded.*", "$1");
        assertThat(s3.keys("jar")).anyMatch(key -> key.contains(backupId) && key.endsWith(".zst.enc"));

        Result verify = jar("verify", backupId);
        assertThat(verify.code()).as(verify.out()).isEqualTo(0);
        assertThat(verify.out()).contains("minio    passed (decrypted, SHA-256, format)");

        String copy = database + "_copy";
        Result restore = jar("restore", backupId, "--database", copy, "--from", "minio");
        assertThat(restore.code()).as(restore.out()).isEqualTo(0);
        assertThat(psql(copy)).isEqualTo(psql(database));

        // the machine's Redis on another "host": camel-ssh asks it (an ed25519 key, without BouncyCastle in the jar),
        // OpenSSH streams the snapshot
        Result cache = jar("run", "cache");
        assertThat(cache.code()).as(cache.out()).isEqualTo(0);
        assertThat(ssh.commands()).anyMatch(command -> command.client().contains("APACHE-SSHD") && command.line().contains("INFO"))
                .anyMatch(command -> command.client().contains("OpenSSH") && command.line().contains("--rdb"));

        assertThat(jar("run", "broken").code()).isEqualTo(1);
        assertThat(slack.posts()).anyMatch(post -> post.contains("backup of job broken failed"));

        Process daemon = builder("start").redirectOutput(home.resolve("daemon.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String metrics = "";
            // the per-job series appear once the daemon has read the catalog (a few seconds after start)
            for (int i = 0; i < 120 && !metrics.contains("mking_job_"); i++) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                            + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                    metrics = response.statusCode() == 200 ? response.body() : "";
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(500);
            }
            assertThat(metrics).contains("mking_job_last_success_timestamp_seconds");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/observe/health?exposureLevel=full")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"name\":\"audit-database\",\"status\":\"UP\"");
            assertThat(jar("stop").code()).isEqualTo(0);
            assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon.exitValue()).isEqualTo(0);
        } finally {
            daemon.destroyForcibly();
        }
        TestDatabases.dropAll(copy);
    }

    private record Result(int code, String out) {
    }

    private Result jar(String... args) throws Exception {
        Process process = start(args);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), out);
    }

    private Process start(String... args) throws Exception {
        return builder(args).start();
    }

    private ProcessBuilder builder(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dmking.home=" + home, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
    }

    private static String psql(String database) throws Exception {
        Process process = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc",
                "SELECT count(*) || ':' || md5(string_agg(id || body, ',' ORDER BY id)) FROM notes").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }
}
