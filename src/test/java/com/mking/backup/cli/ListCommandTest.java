package com.mking.backup.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ListCommandTest {

    @Test
    void anUnknownJobIsAnsweredWithTheRouteFilesJobsAndThoseOnlyTheCatalogHolds() {
        String message = ListCommand.unknownJob("uplods", List.of("pg-logical", "uploads"), List.of("uploads", "old-redis"));
        assertThat(message).isEqualTo("no job named 'uplods' in the route files or the catalog; did you mean 'uploads'? "
                + "jobs in the route files: pg-logical, uploads; only in the catalog (no longer in the route files): old-redis");
    }

    @Test
    void aJobRemovedFromTheRouteFilesIsStillSuggested() {
        assertThat(ListCommand.unknownJob("old-rediss", List.of(), List.of("old-redis")))
                .contains("did you mean 'old-redis'?").contains("jobs in the route files: none");
    }

    @Test
    void catalogTimesArePrintedInUtcWithTheirZone() throws Exception {
        record Row(java.time.LocalDateTime startTime) {
        }
        assertThat(JsonOutput.of(new Row(java.time.LocalDateTime.of(2026, 11, 29, 9, 30, 0, 123_000_000))))
                .contains("\"startTime\" : \"2026-11-29T09:30:00.123Z\"");
        assertThat(JsonOutput.of(new Row(java.time.LocalDateTime.of(2026, 11, 29, 9, 30))))
                .as("whole minutes keep their seconds: Instant.parse reads it").contains("\"2026-11-29T09:30:00Z\"");
    }
}
