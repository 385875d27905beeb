package com.mking.backup.source.postgres;

import com.mking.backup.exec.ToolEnvironment;
import com.mking.backup.job.JobSpec;
import com.mking.backup.source.postgres.wal.Lsn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Brings a restored data directory up: recovery settings (restore_command, target, timeline, promote),
 * ownership for the server's OS user, start, a wait until recovery reached its target and the server was
 * promoted, and a check of where replay actually stopped: a recovery that stopped short of its target
 * (an unreadable file, WAL that ends early) is a failure, not a success.
 *
 * <p>A drill or scratch copy runs on its own port with {@code archive_mode = off}, so it never writes
 * into the production archive. A real failover ({@link #PROMOTE_AS_PRIMARY}) keeps the cluster's own
 * archive settings, so the new timeline (its history file and WAL) is archived into the same job.
 */
public final class PostgresRecovery {

    /** How long replay may take before the recovery is given up. */
    private static final Duration RECOVERY_TIMEOUT = Duration.ofHours(4);
    /** Keys of what {@link #recover} reports back. */

    private static final Logger LOG = LoggerFactory.getLogger(PostgresRecovery.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final String defaultBinDir;

    public PostgresRecovery(String defaultBinDir) {
        this.defaultBinDir = defaultBinDir;
    }

    /** Recovers, checks where replay stopped, and returns it (Source.REACHED_POSITION, Source.REACHED_TIMELINE). */
    public Map<String, String> recover(JobSpec job, ClusterTarget target) throws IOException {
        Path directory = target.directory();
        String port = Integer.toString(target.port());
        Files.write(directory.resolve("postgresql.auto.conf"), settings(target),
                java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.CREATE);
        Files.deleteIfExists(directory.resolve("postmaster.pid"));
        Files.writeString(directory.resolve("recovery.signal"), "");

        String osUser = osUser(target);
        if (isRoot()) {
            run(List.of("chown", "-R", osUser + ":", directory.toString()), "chown");
        }
        run(asUser(osUser, List.of(tool(job, "pg_ctl"), "--pgdata=" + directory, "--log=" + logFile(directory),
                "--options=-p " + port, "--no-wait", "start")), "pg_ctl start");
        awaitPromotion(directory, port, RECOVERY_TIMEOUT);
        return checkReached(directory, port, target);
    }

    private String osUser(ClusterTarget target) {
        return target.osUser() != null ? target.osUser() : defaultOsUser();
    }

    static List<String> settings(ClusterTarget target) {
        List<String> settings = new ArrayList<>();
        settings.add("# written by mking-backup recover");
        settings.add("restore_command = " + quote(target.restoreCommand()));
        if (target.targetTime() != null) {
            settings.add("recovery_target_time = " + quote(target.targetTime()));
        } else if (target.targetName() != null) {
            settings.add("recovery_target_name = " + quote(target.targetName()));
        }
        settings.add("recovery_target_timeline = " + quote(Long.toString(target.timeline())));
        settings.add("recovery_target_action = 'promote'");
        // the log is read to tell whether recovery reached its target: keep its messages untranslated
        settings.add("lc_messages = 'C'");
        settings.add("port = " + target.port());
        if (!target.promoteAsPrimary()) {
            settings.add("archive_mode = 'off'");
            settings.add("listen_addresses = '127.0.0.1'");
            settings.add("unix_socket_directories = '/tmp'");
        }
        return settings;
    }

    /**
     * Where replay stopped, compared with what was asked: a named or timed target must have been found
     * ("recovery stopping ..."), and a recovery to the end of the archive must have replayed into the
     * archive's last segment.
     */
    private Map<String, String> checkReached(Path directory, String port, ClusterTarget target) throws IOException {
        String reachedLsn;
        String timeline;
        Instant lastTransaction;
        try (Connection connection = connect(port); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_last_wal_replay_lsn()::text, "
                     + "(SELECT timeline_id FROM pg_control_checkpoint())::text, pg_last_xact_replay_timestamp()")) {
            row.next();
            reachedLsn = row.getString(1);
            timeline = row.getString(2);
            java.sql.Timestamp replayed = row.getTimestamp(3);
            lastTransaction = replayed == null ? null : replayed.toInstant();
        } catch (SQLException e) {
            throw new IOException("the recovered server does not say where replay stopped: " + e.getMessage(), e);
        }
        Map<String, String> reached = new LinkedHashMap<>();
        reached.put(com.mking.backup.source.Source.REACHED_POSITION, reachedLsn);
        reached.put(com.mking.backup.source.Source.REACHED_TIMELINE, timeline);
        String log = Files.exists(logFile(directory)) ? Files.readString(logFile(directory)) : "";
        boolean targeted = target.targeted();
        if (targeted && !log.contains("recovery stopping")) {
            throw new IOException("recovery ended at " + reachedLsn + " without reaching its target (the server never logged "
                    + "'recovery stopping'): " + logTail(directory));
        }
        Long expectedEnd = target.expectedEndSegment();
        if (!targeted && expectedEnd != null && reachedLsn != null) {
            long segment = Lsn.parse(reachedLsn).segment(target.segmentSize());
            if (segment < expectedEnd) {
                throw new IOException("recovery stopped early at " + reachedLsn + " (segment " + segment + "), before the end of "
                        + "the archive (segment " + expectedEnd + "): " + logTail(directory));
            }
        }
        Instant expectedTransaction = target.expectedLastTransaction();
        if (!targeted && expectedTransaction != null
                && (lastTransaction == null || lastTransaction.isBefore(expectedTransaction))) {
            throw new IOException("recovery stopped early at " + reachedLsn + ": the last transaction it replayed is from "
                    + (lastTransaction == null ? "none" : lastTransaction) + " but the archive holds transactions until "
                    + expectedTransaction + ", so it stopped before the end of the archive: " + logTail(directory));
        }
        LOG.info("recovery of {} reached {} on timeline {}", directory, reachedLsn, timeline);
        return reached;
    }

    /** Stops a server left running by a failed restore (immediate: nothing in it is worth a checkpoint). */
    public void stopQuietly(ClusterTarget target) {
        Path directory = target.directory();
        if (!Files.exists(directory.resolve("postmaster.pid"))) {
            return;
        }
        try {
            run(asUser(osUser(target), List.of(PostgresTools.resolve("pg_ctl", defaultBinDir),
                    "--pgdata=" + directory, "--mode=immediate", "stop")), "pg_ctl stop");
        } catch (IOException e) {
            LOG.warn("could not stop the server in {}: {}", directory, e.getMessage());
        }
    }

    /** Keeps the log of a failed recovery beside the data directory, which is about to be removed. */
    public void keepServerLog(Path directory) {
        Path log = logFile(directory);
        if (!Files.exists(log)) {
            return;
        }
        Path kept = directory.resolveSibling(directory.getFileName() + ".recovery-failed-"
                + LocalDateTime.now().format(STAMP) + ".log");
        try {
            Files.copy(log, kept);
            LOG.error("the server log of the failed recovery is kept in {}", kept);
        } catch (IOException e) {
            LOG.warn("could not keep the server log {}: {}", log, e.getMessage());
        }
    }

    private void awaitPromotion(Path directory, String port, Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        Instant startBy = Instant.now().plusSeconds(60);
        boolean seenRunning = false;
        while (Instant.now().isBefore(deadline)) {
            sleep(500);
            boolean running = Files.exists(directory.resolve("postmaster.pid"));
            if (running) {
                seenRunning = true;
            } else if (seenRunning || Instant.now().isAfter(startBy)) {
                throw new IOException("the restored server stopped during recovery: " + logTail(directory));
            }
            try (Connection connection = connect(port); Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                row.next();
                if (!row.getBoolean(1)) {
                    LOG.info("restored server in {} finished recovery and was promoted (port {})", directory, port);
                    return;
                }
            } catch (SQLException e) {
                LOG.debug("restored server not ready yet: {}", e.getMessage());
            }
        }
        throw new IOException("recovery did not finish within " + timeout.toMinutes() + " minutes: " + logTail(directory));
    }

    private static Connection connect(String port) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
    }

    private static Path logFile(Path directory) {
        return directory.resolve("mking-recovery.log");
    }

    /** The server log's telling lines (errors, recovery progress), last first-in-last. */
    static String logTail(Path directory) throws IOException {
        if (!Files.exists(logFile(directory))) {
            return "(no server log)";
        }
        List<String> lines = Files.readAllLines(logFile(directory));
        List<String> important = lines.stream().filter(l -> l.contains("FATAL") || l.contains("PANIC") || l.contains("ERROR")
                || l.contains("could not") || l.contains("invalid") || l.contains("recovery")
                || l.contains("mking-backup:")).toList();
        List<String> tail = (important.isEmpty() ? lines : important);
        return String.join(" | ", tail.subList(Math.max(0, tail.size() - 5), tail.size()));
    }

    private String tool(JobSpec job, String name) {
        return PostgresTools.resolve(name, job.parameter("binDir", defaultBinDir));
    }

    private static List<String> asUser(String osUser, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", osUser, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Output goes to a file: a server started by the command would otherwise hold a pipe open forever. */
    private static void run(List<String> command, String what) throws IOException {
        Path output = Files.createTempFile("mking-" + what.replace(' ', '-'), ".out");
        try {
            // the recovered server lives on after us: it must not carry our secrets in its environment, but the WAL token,
            // which a promoted primary's archive_command may read from it ($MKING_WAL_TOKEN), is the server's own
            Process process = ToolEnvironment.withoutOurSettings(new ProcessBuilder(command), "MKING_WAL_TOKEN")
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException(what + " failed: " + Files.readString(output).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(what + " interrupted");
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** PostgreSQL refuses to run as root; as root the restored server runs as "postgres". */
    private static String defaultOsUser() {
        return isRoot() ? "postgres" : System.getProperty("user.name");
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for recovery");
        }
    }
}
