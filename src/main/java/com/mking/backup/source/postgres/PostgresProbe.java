package com.mking.backup.source.postgres;

import com.mking.backup.job.JobSpec;
import com.mking.backup.source.ContinuousArchive;
import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Asks a pg-physical job's server whether it is set up to be protected: WAL archiving on, archive_command
 * sending to this job, and a replication connection allowed for the job's role (pg_basebackup needs one).
 * Read-only, cheap: it runs with every monitoring pass, before the first backup would fail.
 */
public final class PostgresProbe {

    private PostgresProbe() {
    }

    /** What the server said; an empty archive command means it could not be read (not a superuser). */
    public record ArchivingFacts(String archiveMode, Optional<String> archiveCommand, Optional<String> replicationProblem) {
    }

    public static ArchivingFacts archiving(JobSpec job) throws SQLException {
        String mode;
        Optional<String> command;
        try (Connection connection = PostgresConnections.open(job, "postgres"); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('archive_mode'), "
                     + "(SELECT setting FROM pg_settings WHERE name = 'archive_command')")) {
            row.next();
            mode = row.getString(1);
            command = Optional.ofNullable(row.getString(2)); // null when the role may not see it
        }
        return new ArchivingFacts(mode, command, replicationProblem(job));
    }

    /** Opens a physical replication connection as pg_basebackup does, and asks the server who it is. */
    private static Optional<String> replicationProblem(JobSpec job) {
        Properties properties = new Properties();
        properties.setProperty("user", job.parameter("user", "postgres"));
        PostgresConnections.password(job).ifPresent(password -> properties.setProperty("password", password));
        PGProperty.REPLICATION.set(properties, "true");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        PGProperty.CONNECT_TIMEOUT.set(properties, "10");
        String url = "jdbc:postgresql://" + job.parameter("host", "127.0.0.1") + ":" + job.parameter("port", "5432") + "/postgres";
        try (Connection connection = DriverManager.getConnection(url, properties); Statement statement = connection.createStatement()) {
            statement.execute("IDENTIFY_SYSTEM");
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(e.getMessage().lines().findFirst().orElse(e.getMessage()));
        }
    }

    /**
     * Whether a pg-physical job's server is set up to be protected: archiving on, archive_command sending to this job
     * (with the token when one is required), replication allowed for its role. Every problem found is named with its
     * fix; an archive_command the role may not read is an uncertain gap (the rest may still be right).
     */
    public static Optional<ContinuousArchive.Gap> gap(String job, String server, String user, ArchivingFacts facts,
                                                      boolean tokenRequired) {
        String expected = "archive_command = 'curl -fsS -H \"Expect:\"" + (tokenRequired ? " -H \"X-Mking-Token: TOKEN\"" : "")
                + " -T %p http://BACKUP_HOST:8080/wal/" + job + "/%f'";
        List<String> problems = new ArrayList<>();
        Optional<String> archiveCommand = facts.archiveCommand();
        if (!"on".equals(facts.archiveMode()) && !"always".equals(facts.archiveMode())) {
            problems.add("archive_mode is " + facts.archiveMode() + " on " + server + ". Fix: set archive_mode = on and "
                    + expected + " in its postgresql.conf, then restart the server (archive_mode takes effect only after a "
                    + "restart)");
        } else if (archiveCommand.isPresent() && !archiveCommand.get().contains("/wal/" + job + "/")) {
            problems.add("archive_command on " + server + " does not send WAL to this job ('" + archiveCommand.get()
                    + "'). Fix: " + expected + ", then reload");
        } else if (archiveCommand.isPresent() && tokenRequired && !archiveCommand.get().contains("X-Mking-Token")) {
            problems.add("archive_command on " + server + " sends no X-Mking-Token header, so every push is refused (403). "
                    + "Fix: " + expected + " with the value of MKING_WAL_TOKEN, then reload");
        }
        facts.replicationProblem().ifPresent(problem -> problems.add("no replication connection to " + server + " as " + user
                + " (" + problem + "). Fix: add 'host replication " + user + " BACKUP_HOST/32 scram-sha-256' to its "
                + "pg_hba.conf and reload, and ALTER ROLE " + user + " REPLICATION"));
        if (!problems.isEmpty()) {
            return Optional.of(new ContinuousArchive.Gap(true, String.join("; ", problems)));
        }
        if (archiveCommand.isEmpty()) {
            return Optional.of(new ContinuousArchive.Gap(false, "role " + user + " may not read archive_command on " + server
                    + ". Fix: GRANT pg_read_all_settings TO " + user + ", so the setting can be checked"));
        }
        return Optional.empty();
    }
}
