package com.mking.backup.retention;

import com.mking.backup.job.JobSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrunerRulesTest {

    @Test
    void rulesMayDifferPerStore() {
        JobSpec job = new JobSpec("db", "pg-logical", "0 0 3 * * ?", List.of("local", "minio"),
                Map.of("keepDaily", "30, local=3", "keepWeekly", "local=0"), null);
        assertThat(Pruner.rules(job, "local", 0)).isEqualTo(new RetentionPolicy.Rules(0, 3, 0, 12, 7));
        assertThat(Pruner.rules(job, "minio", 0)).isEqualTo(new RetentionPolicy.Rules(0, 30, 12, 12, 7));
    }

    @Test
    void physicalJobsKeepTheirLastSevenByDefault() {
        JobSpec job = new JobSpec("pitr", "pg-physical", "0 0 2 * * ?", List.of("local"), Map.of(), null);
        com.mking.backup.source.postgres.PostgresPhysicalSource source =
                new com.mking.backup.source.postgres.PostgresPhysicalSource("", ignored -> { }, null, null);
        int keepLast = source.capability(com.mking.backup.source.RetentionDefaults.class).orElseThrow().keepLast();
        assertThat(Pruner.rules(job, "local", keepLast).last()).isEqualTo(7);
        assertThat(Pruner.rules(job.with(Map.of("keepLast", "3")), "local", keepLast).last()).as("the job's own wins").isEqualTo(3);
    }

    @Test
    void ruleSyntax() {
        assertThat(Pruner.isValidRule("30")).isTrue();
        assertThat(Pruner.isValidRule("30, local=3, minio=90")).isTrue();
        assertThat(Pruner.isValidRule("many")).isFalse();
        assertThat(Pruner.isValidRule("local=")).isFalse();
    }
}
