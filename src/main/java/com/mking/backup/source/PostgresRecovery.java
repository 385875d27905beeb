package com.mking.backup.source;

import com.mking.backup.job.JobSpec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Brings a restored data directory up: recovery settings (restore_command, target, promote), the
 * restored cluster's own port and no archiving (a copy must never write into the production archive),
 * ownership for the server's OS user, start, and a wait until recovery reached its target and the
 * server was promoted. A server that stops during recovery fails the restore with its log's last lines.
 */
public final class PostgresRecovery {

    /** Restore options understood here (RestoreRequest.options keys). */
    public static final String RESTORE_COMMAND = "restoreCommand";
    public static final String TARGET_TIME = "targetTime";
    public static final String TARGET_NAME = "targetName";
    public static final String PORT = "port";
    public static final String OS_USER = "osUser";
    public static final String TIMEOUT_MINUTES = "timeoutMinutes";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresRecovery.class);

    private final String defaultBinDir;

    public PostgresRecovery(String defaultBinDir) {
        this.defaultBinDir = defaultBinDir;
    }

    public void recover(JobSpec job, Path directory, RestoreRequest request) throws IOException {
        String port = request.option(PORT, "5433");
        List<String> settings = new ArrayList<>();
        settings.add("# written by mking-backup restore");
        settings.add("restore_command = " + quote(request.option(RESTORE_COMMAND, "false")));
        if (request.options().containsKey(TARGET_TIME)) {
            settings.add("recovery_target_time = " + quote(request.option(TARGET_TIME, "")));
        } else if (request.options().containsKey(TARGET_NAME)) {
            settings.add("recovery_target_name = " + quote(request.option(TARGET_NAME, "")));
        }
        settings.add("recovery_target_action = 'promote'");
        settings.add("archive_mode = 'off'");
        settings.add("port = " + Integer.parseInt(port));
        settings.add("listen_addresses = '127.0.0.1'");
        settings.add("unix_socket_directories = '/tmp'");
        Files.write(directory.resolve("postgresql.auto.conf"), settings, java.nio.file.StandardOpenOption.APPEND,
                java.nio.file.StandardOpenOption.CREATE);
        Files.deleteIfExists(directory.resolve("postmaster.pid"));
        Files.writeString(directory.resolve("recovery.signal"), "");

        String osUser = request.option(OS_USER, defaultOsUser());
        if (isRoot()) {
            run(List.of("chown", "-R", osUser + ":", directory.toString()), "chown");
        }
        run(asUser(osUser, List.of(tool(job, "pg_ctl"), "--pgdata=" + directory, "--log=" + logFile(directory),
                "--options=-p " + port, "--no-wait", "start")), "pg_ctl start");
        awaitPromotion(directory, port, Duration.ofMinutes(Long.parseLong(request.option(TIMEOUT_MINUTES, "240"))));
    }

    /** Stops a server left running by a failed restore (immediate: nothing in it is worth a checkpoint). */
    public void stopQuietly(Path directory, RestoreRequest request) {
        if (!Files.exists(directory.resolve("postmaster.pid"))) {
            return;
        }
        try {
            String binDir = defaultBinDir;
            run(asUser(request.option(OS_USER, defaultOsUser()), List.of(PostgresTools.resolve("pg_ctl", binDir),
                    "--pgdata=" + directory, "--mode=immediate", "stop")), "pg_ctl stop");
        } catch (IOException e) {
            LOG.warn("could not stop the server in {}: {}", directory, e.getMessage());
        }
    }

    private void awaitPromotion(Path directory, String port, Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "5");
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
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
                 Statement statement = connection.createStatement();
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

    private static Path logFile(Path directory) {
        return directory.resolve("mking-recovery.log");
    }

    private static String logTail(Path directory) throws IOException {
        if (!Files.exists(logFile(directory))) {
            return "(no server log)";
        }
        List<String> lines = Files.readAllLines(logFile(directory));
        List<String> important = lines.stream().filter(l -> l.contains("FATAL") || l.contains("PANIC")
                || l.contains("could not") || l.contains("recovery")).toList();
        List<String> tail = (important.isEmpty() ? lines : important);
        return String.join(" | ", tail.subList(Math.max(0, tail.size() - 4), tail.size()));
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
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
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
