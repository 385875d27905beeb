package com.mking.backup.source.postgres;

import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.RestoreRequest;
import com.mking.backup.source.RestoreTarget;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the password goes: a dump run on the job's host over ssh gets none (it authenticates there), a restore, which
 * always runs here, gets PGPASSWORD in its own environment, also for a job that names ssh and for a DR host's password.
 */
class PostgresToolSecretsTest {

    private final PostgresLogicalSource source = new PostgresLogicalSource("", () -> null);

    @Test
    void aDumpOverSshGetsNoPasswordButItsRestoreHereDoes() throws Exception {
        JobSpec job = new JobSpec("app", "pg-logical", "0 0 3 * * ?", List.of("local"), Map.of("database", "app",
                "ssh", "backup@db.internal", "passwordFile", "/run/secrets/pg"), null);
        assertThat(source.outputs(job).get(0).command().secretEnvironment()).isEmpty();
        var restore = source.restoreCommand(job, manifest(), manifest().artefacts().get(0),
                new RestoreRequest("b1", RestoreTarget.Database.named("app_copy"), null, false, "test"));
        assertThat(restore.secretEnvironment()).containsKey("PGPASSWORD");
        assertThat(restore.args()).noneMatch(arg -> arg.contains("/run/secrets/pg"));
    }

    @Test
    void aLocalJobsDumpGetsThePasswordFromItsVariable() throws Exception {
        JobSpec job = new JobSpec("app", "pg-logical", "0 0 3 * * ?", List.of("local"), Map.of("database", "app",
                "passwordEnv", "APP_PG_PASSWORD"), null);
        assertThat(source.outputs(job).get(0).command().secretEnvironment()).containsOnlyKeys("PGPASSWORD");
    }

    private static Manifest manifest() {
        return new Manifest(Manifest.FORMAT_VERSION, "b1", "app", "pg-logical", "logical", Instant.now(), Instant.now(), null,
                null, "zstd", null, List.of(new Manifest.Artefact("dump.pgdump", "dump.pgdump.zst", 1, "a", 1, "b")),
                Map.of("format", "custom"));
    }
}
