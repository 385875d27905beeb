package com.mking.backup.source.postgres.wal;

import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.postgres.PostgresConnections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What pushed WAL of a job must match: the cluster's wal_segment_size, system identifier and major
 * version, asked from the job's server (cached for a while) or, when it cannot be asked, taken from the
 * job's newest base backup manifest. With neither, pushed files are still checked for plausibility.
 */
public final class ArchiveExpectations implements WalArchive.ClusterFacts {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveExpectations.class);
    private static final Duration KEEP = Duration.ofMinutes(10);
    private static final Duration RETRY = Duration.ofMinutes(1);

    private final Function<JobSpec, Optional<Manifest>> newestBaseBackup;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(WalInspection.Expectations expectations, Instant until) {
    }

    public ArchiveExpectations(Function<JobSpec, Optional<Manifest>> newestBaseBackup, Clock clock) {
        this.newestBaseBackup = newestBaseBackup;
        this.clock = clock;
    }

    @Override
    public WalInspection.Expectations of(JobSpec job) {
        Cached cached = cache.get(job.name());
        if (cached != null && clock.instant().isBefore(cached.until())) {
            return cached.expectations();
        }
        Optional<WalInspection.Expectations> fromServer = askServer(job);
        WalInspection.Expectations expectations = fromServer.or(() -> fromManifest(job))
                .orElse(WalInspection.Expectations.unknown());
        // what the server said is kept for a while; without an answer it is asked again after a minute, not on
        // every push (a server that cannot be asked must not slow archiving down)
        cache.put(job.name(), new Cached(expectations, clock.instant().plus(fromServer.isPresent() ? KEEP : RETRY)));
        return expectations;
    }

    private static Optional<WalInspection.Expectations> askServer(JobSpec job) {
        try (Connection connection = PostgresConnections.open(job, "postgres");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("""
                     SELECT (SELECT system_identifier FROM pg_control_system()),
                            pg_size_bytes(current_setting('wal_segment_size')),
                            current_setting('server_version_num')::int / 10000""")) {
            row.next();
            return Optional.of(new WalInspection.Expectations(OptionalLong.of(row.getLong(2)), OptionalLong.of(row.getLong(1)),
                    OptionalInt.of(row.getInt(3))));
        } catch (Exception e) {
            LOG.debug("cannot ask the server of job {} for its WAL settings: {}", job.name(), e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<WalInspection.Expectations> fromManifest(JobSpec job) {
        try {
            return newestBaseBackup.apply(job).map(manifest -> {
                Map<String, String> details = manifest.details();
                OptionalInt major = OptionalInt.empty();
                if (manifest.serverVersion() != null && manifest.serverVersion().matches("PostgreSQL \\d+.*")) {
                    major = OptionalInt.of(Integer.parseInt(manifest.serverVersion().replaceAll("PostgreSQL (\\d+).*", "$1")));
                }
                return new WalInspection.Expectations(
                        details.containsKey("walSegmentSize") ? OptionalLong.of(Long.parseLong(details.get("walSegmentSize")))
                                : OptionalLong.empty(),
                        details.containsKey("systemIdentifier")
                                ? OptionalLong.of(Long.parseUnsignedLong(details.get("systemIdentifier"))) : OptionalLong.empty(),
                        major);
            });
        } catch (RuntimeException e) {
            LOG.debug("no base backup manifest of job {} to take WAL settings from: {}", job.name(), e.getMessage());
            return Optional.empty();
        }
    }
}
