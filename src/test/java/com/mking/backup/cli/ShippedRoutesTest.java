package com.mking.backup.cli;

import com.mking.backup.support.CliResult;
import com.mking.backup.support.TestInstallation;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The route files as shipped load and pass every job's checks: the README's first command starts on them. */
class ShippedRoutesTest {

    @Test
    void everyShippedRouteFileLoads() throws Exception {
        TestInstallation installation = new TestInstallation();
        try (var shipped = Files.list(Path.of("routes"))) {
            for (Path file : shipped.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, installation.routes().resolve(file.getFileName()));
            }
            CliResult list = installation.cli("list");
            assertThat(list.exitCode()).as(list.all()).isZero();
            CliResult status = installation.cli("status");
            assertThat(status.out()).contains("pg-logical").contains("pg-physical").contains("redis")
                    .as("nothing ran yet: not ok").contains("no backup to restore yet");
            // the same answer for a route file, by the status route
            try (BackupRuntime runtime = installation.runtime(false)) {
                List<?> statuses = runtime.producer().requestBody("direct:status", null, List.class);
                assertThat(statuses).extracting(s -> ((com.mking.backup.app.StatusService.JobStatus) s).job())
                        .containsExactlyInAnyOrder("pg-logical", "pg-physical", "redis");
            }
        } finally {
            installation.close();
        }
    }
}
