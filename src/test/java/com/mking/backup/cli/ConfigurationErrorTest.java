package com.mking.backup.cli;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestDatabases;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad configuration stops start-up with exit code 2 and one message naming the property and the fix. */
class ConfigurationErrorTest {

    private TestInstallation installation;

    @BeforeEach
    void setUp() throws Exception {
        installation = new TestInstallation().withPgLogicalJob("app", "postgres", "local", "0 0 3 ? * SUN");
    }

    @AfterEach
    void tearDown() throws Exception {
        System.clearProperty("mking.pipeline.compression");
        installation.close();
    }

    @Test
    void unknownStoreInARouteFile() throws Exception {
        installation.withPgLogicalJob("app", "postgres", "local,tape", "0 0 3 ? * SUN");
        assertConfigError(installation.cli("list"), "job 'app' parameter 'stores'", "unknown store 'tape'");
    }

    @Test
    void aStoreNoJobWritesToIsNamedWithoutFailing() throws Exception {
        installation.set("mking.stores", "local,spare")
                .set("mking.store.spare.type", "local")
                .set("mking.store.spare.path", installation.home().resolve("spare").toString());
        CliResult check = installation.cli("check");
        assertThat(check.out()).contains("NOTICE   store 'spare' is in mking.stores but no job stores to it")
                .contains("\"local,spare\"").doesNotContain("store 'local' is in");
        assertThat(check.exitCode()).isNotEqualTo(2);

        installation.withPgLogicalJob("app", "postgres", "local,spare", "0 0 3 ? * SUN");
        assertThat(installation.cli("check").out()).doesNotContain("NOTICE");
    }

    /** Camel keeps one route per id: a second job of a name would silently replace the first, never to run. */
    @Test
    void theSameJobNameInTwoRouteFiles() throws Exception {
        Files.writeString(installation.routes().resolve("uploads.yaml"), """
                - templatedRoute:
                    routeTemplateRef: files
                    parameters:
                      - {name: job, value: app}
                      - {name: cron, value: "0 0 1 * * ?"}
                      - {name: directory, value: /srv/uploads}
                """);
        assertConfigError(installation.cli("list"), installation.routes().resolve("uploads.yaml") + " job 'app'",
                "a job of this name is already declared in " + installation.routes().resolve("app.yaml"));
    }

    @Test
    void malformedCron() throws Exception {
        installation.withPgLogicalJob("app", "postgres", "local", "0 0 25 * * ?");
        assertConfigError(installation.cli("list"), "/routes/app.yaml job 'app' parameter 'cron'", "not a valid Quartz cron");
    }

    @Test
    void unknownCompression() throws Exception {
        installation.set("mking.pipeline.compression", "lzma");
        assertConfigError(installation.cli("list"), "mking.pipeline.compression", "zstd");
    }

    @Test
    void systemPropertiesOverrideTheFiles() throws Exception {
        System.setProperty("mking.pipeline.compression", "rar");
        assertConfigError(installation.cli("list"), "mking.pipeline.compression", "'rar'");
    }

    @Test
    void configFilesWinOverApplicationPropertiesAndTheLastOneWins() throws Exception {
        java.nio.file.Files.writeString(installation.home().resolve("application.properties"),
                "mking.pipeline.compression=zstd\nmking.pipeline.compression-level=99\n");
        java.nio.file.Path first = installation.home().resolve("first.properties");
        java.nio.file.Path second = installation.home().resolve("second.properties");
        java.nio.file.Files.writeString(first, "mking.pipeline.compression-level=77\n");
        java.nio.file.Files.writeString(second, "mking.pipeline.compression-level=55\n");
        assertConfigError(installation.cli("--config", first.toString(), "--config", second.toString(), "list"),
                "mking.pipeline.compression-level (--config " + second + ")", "'55' is out of range");
    }

    @Test
    void unreadableKeyDirectory() throws Exception {
        installation.set("mking.encryption.key-dir", installation.home().resolve("no-such-keys").toString())
                .set("mking.encryption.key-id", "k1");
        CliResult result = installation.cli("list");
        assertConfigError(result, "mking.encryption.key-id", "no-such-keys");
        assertThat(result.err()).as("a new key reads nothing already written: the fix is the old key")
                .contains("put back the key file from your copy of the keys");
    }

    /** A route file that is not YAML: the fix names the directory really read (--routes, here the test's). */
    @Test
    void aRouteFileThatIsNotYamlIsNamedWithTheDirectoryRead() throws Exception {
        Files.writeString(installation.routes().resolve("broken.yaml"), "- templatedRoute: [unclosed\n");
        CliResult result = installation.cli("list");
        assertConfigError(result, "start-up", "broken.yaml");
        assertThat(result.err()).contains("check application.properties and " + installation.routes() + "/*.yaml");
    }

    /** Not a configuration error: the operation failed (exit 1), and the message says where it looked. */
    @Test
    void unreachableAuditDatabase() throws Exception {
        installation.set("mking.audit.url", "jdbc:postgresql://127.0.0.1:1");
        CliResult result = installation.cli("list");
        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.err()).contains("audit database unreachable at 127.0.0.1:1").doesNotContain("configuration error");
    }

    @Test
    void missingTool() throws Exception {
        Files.writeString(installation.routes().resolve("app.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: app}
                      - {name: cron, value: "0 0 3 ? * SUN"}
                      - {name: database, value: postgres}
                      - {name: binDir, value: /opt/no-postgres/bin}
                """);
        assertConfigError(installation.cli("list"), "parameter 'binDir'", "/opt/no-postgres/bin/pg_dump is not installed");
    }

    @Test
    void missingRequiredJobParameter() throws Exception {
        Files.writeString(installation.routes().resolve("app.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logical
                    parameters:
                      - {name: job, value: app}
                      - {name: cron, value: "0 0 3 ? * SUN"}
                """);
        assertConfigError(installation.cli("list"), installation.routes().resolve("app.yaml") + " job 'app' parameter "
                + "'database'", "is required by pg-logical jobs");
    }

    @Test
    void unknownTemplate() throws Exception {
        Files.writeString(installation.routes().resolve("app.yaml"), """
                - templatedRoute:
                    routeTemplateRef: pg-logicl
                    parameters:
                      - {name: job, value: app}
                      - {name: cron, value: "0 0 3 ? * SUN"}
                """);
        assertConfigError(installation.cli("list"), installation.routes().resolve("app.yaml") + " job 'app' routeTemplateRef "
                + "'pg-logicl'", "did you mean 'pg-logical'?");
    }

    @Test
    void missingConfigFile() throws Exception {
        CliResult result = installation.cli("--config", "/nonexistent/extra.properties", "list");
        assertConfigError(result, "--config /nonexistent/extra.properties", "not readable");
    }

    @Test
    void unknownJob() throws Exception {
        CliResult result = installation.cli("run", "nightly");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("no job named 'nightly'").contains("app");
        CliResult typo = installation.cli("run", "ap");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("no job named 'ap'; did you mean 'app'?");
    }

    @Test
    void badUsage() throws Exception {
        assertThat(installation.cli("restore").exitCode()).isEqualTo(2);
        assertThat(installation.cli("frobnicate").exitCode()).isEqualTo(2);
    }

    /** One row: what the operator got wrong, and what the message must name. */
    record Bad(String what, java.util.Map<String, String> properties, String[] args, String routeLine, String... named) {
    }

    static java.util.stream.Stream<Bad> badConfigurations() {
        String[] list = {"list"};
        return java.util.stream.Stream.of(
                new Bad("typo in a key", java.util.Map.of("mking.pipeline.compresion", "zstd"), list, null,
                        "mking.pipeline.compresion", "did you mean mking.pipeline.compression"),
                new Bad("typo in a store key", java.util.Map.of("mking.store.local.pth", "/x"), list, null,
                        "mking.store.local.pth", "did you mean mking.store.local.path"),
                new Bad("typo in an alert key", java.util.Map.of("mking.alert.slack.webhook", "http://x"), list, null,
                        "mking.alert.slack.webhook", "did you mean mking.alert.slack.webhook-url"),
                new Bad("negative pool size", java.util.Map.of("mking.audit.pool-size", "-1"), list, null,
                        "mking.audit.pool-size", "'-1' is out of range"),
                new Bad("port in words", java.util.Map.of("camel.management.port", "eighty"), list, null,
                        "camel.management.port", "'eighty' is not a whole number"),
                new Bad("port out of range", java.util.Map.of("mking.audit.embedded-port", "70000"), list, null,
                        "mking.audit.embedded-port", "out of range"),
                new Bad("not a boolean", java.util.Map.of("mking.verify.after-backup", "maybe"), list, null,
                        "mking.verify.after-backup", "not true or false"),
                new Bad("both day fields in a cron", java.util.Map.of("mking.report.cron", "0 0 9 * * MON"), list, null,
                        "mking.report.cron", "\"0 0 9 ? * MON\""),
                new Bad("a duration where seconds are asked", java.util.Map.of("mking.wal.max-lag-seconds", "5m"), list, null,
                        "mking.wal.max-lag-seconds", "not a whole number"),
                new Bad("percent above 100", java.util.Map.of("mking.monitor.cpu-percent", "150"), list, null,
                        "mking.monitor.cpu-percent", "out of range"),
                new Bad("zero scheduler threads", java.util.Map.of("mking.scheduler.threads", "0"), list, null,
                        "mking.scheduler.threads", "out of range"),
                new Bad("gzip level too high", java.util.Map.of("mking.pipeline.compression", "gzip",
                        "mking.pipeline.compression-level", "12"), list, null, "mking.pipeline.compression-level",
                        "6 is gzip's default"),
                new Bad("key id without key directory", java.util.Map.of("mking.encryption.key-id", "k1"), list, null,
                        "mking.encryption.key-dir"),
                new Bad("a store without a type", java.util.Map.of("mking.stores", "local,tape"), list, null,
                        "mking.stores", "mking.store.tape.type"),
                new Bad("typo in a store name", java.util.Map.of("mking.stores", "local,minoi"), list, null,
                        "mking.stores", "did you mean 'minio'"),
                new Bad("unknown store type", java.util.Map.of("mking.store.local.type", "tape"), list, null,
                        "mking.store.local.type", "'tape' is not one of local, minio, s3"),
                new Bad("S3 store without endpoint", java.util.Map.of("mking.stores", "local,minio", "mking.store.minio.type",
                        "minio"), list, null, "mking.store.minio.endpoint"),
                new Bad("S3 parts below S3's minimum", s3Store("mking.store.minio.part-size-mib", "4"), list, null,
                        "mking.store.minio.part-size-mib", "out of range"),
                new Bad("S3 part buffers beyond the heap", s3Store("mking.store.minio.part-size-mib", "512",
                        "mking.store.minio.parallel-parts", "64"), list, null, "mking.store.minio.part-size-mib",
                        "64 parts of 512 MiB need 32768 MiB", "MKING_JAVA_OPTS=-Xmx"),
                new Bad("typo in a job parameter", java.util.Map.of(), list, "      - name: keeplast\n        value: \"3\"\n",
                        "parameter 'keeplast'", "did you mean 'keepLast'"),
                new Bad("swapped letters in a job parameter", java.util.Map.of(), list, "      - name: prot\n        value: \"5432\"\n",
                        "/routes/app.yaml job 'app' parameter 'prot'", "did you mean 'port'"),
                new Bad("the same job twice in one file", java.util.Map.of(), list, """
                        - templatedRoute:
                            routeTemplateRef: pg-logical
                            parameters:
                              - {name: job, value: app}
                              - {name: database, value: other}
                        """, "/routes/app.yaml job 'app'", "already declared earlier in this file", "its own name"),
                new Bad("a job name that climbs out of the store", java.util.Map.of(), list, """
                        - templatedRoute:
                            routeTemplateRef: pg-logical
                            parameters:
                              - {name: job, value: ../escape}
                              - {name: database, value: other}
                        """, "job '../escape'", "is not a usable job name"),
                new Bad("management beyond loopback without a WAL token", java.util.Map.of("camel.management.host", "0.0.0.0",
                        "camel.management.port", freePort()), new String[]{"start"}, null, "mking.wal.token"),
                new Bad("retention count not a number", java.util.Map.of(), list, "      - name: keepDaily\n        value: many\n",
                        "parameter 'keepDaily'", "not a count"));
    }

    /** An S3 store, complete but for what {@code more} adds (key, value, ...). */
    private static java.util.Map<String, String> s3Store(String... more) {
        java.util.Map<String, String> properties = new java.util.HashMap<>(java.util.Map.of("mking.stores", "local,minio",
                "mking.store.minio.type", "minio", "mking.store.minio.endpoint", "http://127.0.0.1:9",
                "mking.store.minio.access-key", "access", "mking.store.minio.secret-key", "secret-0123456789"));
        for (int i = 0; i < more.length; i += 2) {
            properties.put(more[i], more[i + 1]);
        }
        return properties;
    }

    private static String freePort() {
        try {
            return Integer.toString(com.mking.backup.support.TestCluster.freePort());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void missingRoutesDirectory() throws Exception {
        try (var files = Files.walk(installation.routes())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertConfigError(installation.cli("list"), "--routes " + installation.routes(), "does not exist");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("badConfigurations")
    void eachBadConfigurationExitsTwoNamingTheKey(Bad bad) throws Exception {
        bad.properties().forEach(installation::set);
        if (bad.routeLine() != null) {
            java.nio.file.Path route = installation.routes().resolve("app.yaml");
            Files.writeString(route, Files.readString(route) + bad.routeLine());
        }
        CliResult result = installation.cli(bad.args());
        assertThat(result.exitCode()).as(result.all()).isEqualTo(2);
        assertThat(result.err()).contains("configuration error").contains(bad.named()).doesNotContain("Exception");
        assertThat(result.err().lines().filter(line -> line.contains("configuration error"))).as("printed once").hasSize(1);
        // a closed connection's server process leaves pg_stat_activity a few milliseconds after the client closed it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
            try (java.sql.Connection server = TestDatabases.connect("postgres");
                 java.sql.PreparedStatement sessions = server.prepareStatement(
                         "SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
                sessions.setString(1, installation.auditDatabase());
                try (java.sql.ResultSet count = sessions.executeQuery()) {
                    count.next();
                    assertThat(count.getInt(1)).as("audit connections left open by the failed start").isZero();
                }
            }
        });
    }

    private static void assertConfigError(CliResult result, String property, String detail) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(2);
        assertThat(result.err()).contains("configuration error").contains(property).contains(detail).contains("Fix:");
    }
}
