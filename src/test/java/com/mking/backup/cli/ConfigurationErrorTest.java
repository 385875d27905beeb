package com.mking.backup.cli;

import com.mking.backup.support.CliResult;
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
    void malformedCron() throws Exception {
        installation.withPgLogicalJob("app", "postgres", "local", "0 0 25 * * ?");
        assertConfigError(installation.cli("list"), "routes/*.yaml job 'app' parameter 'cron'", "not a valid Quartz cron");
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
                "mking.pipeline.compression-level", "level 55");
    }

    @Test
    void unreadableKeyDirectory() throws Exception {
        installation.set("mking.encryption.key-dir", installation.home().resolve("no-such-keys").toString())
                .set("mking.encryption.key-id", "k1");
        assertConfigError(installation.cli("list"), "mking.encryption.key-id", "no-such-keys");
    }

    @Test
    void unreachableAuditDatabase() throws Exception {
        installation.set("mking.audit.url", "jdbc:postgresql://127.0.0.1:1");
        assertConfigError(installation.cli("list"), "mking.audit.url", "unreachable");
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
        assertConfigError(installation.cli("list"), "database", "pg-logical");
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
    }

    @Test
    void badUsage() throws Exception {
        assertThat(installation.cli("restore").exitCode()).isEqualTo(2);
        assertThat(installation.cli("frobnicate").exitCode()).isEqualTo(2);
    }

    private static void assertConfigError(CliResult result, String property, String detail) {
        assertThat(result.exitCode()).as(result.all()).isEqualTo(2);
        assertThat(result.err()).contains("configuration error").contains(property).contains(detail).contains("Fix:");
    }
}
