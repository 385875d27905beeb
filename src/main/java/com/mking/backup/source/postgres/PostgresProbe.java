package com.mking.backup.source.postgres;

import com.mking.backup.job.JobSpec;
import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
}
