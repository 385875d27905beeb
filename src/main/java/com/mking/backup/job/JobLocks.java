package com.mking.backup.job;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One run of a job at a time, across the daemon, CLI commands and several nodes: a PostgreSQL session
 * advisory lock in the audit database, held on its own connection for the whole run. If the process
 * dies, the server releases the lock with the connection.
 */
public final class JobLocks {

    private final DataSource dataSource;

    public JobLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The lock, or empty when another run of the job holds it. */
    public Optional<Lock> tryLock(String job) throws SQLException {
        Connection connection = dataSource.getConnection();
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            statement.setString(1, "mking-backup/job/" + job);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                if (result.getBoolean(1)) {
                    return Optional.of(new Lock(connection, job));
                }
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        connection.close();
        return Optional.empty();
    }

    /** A held job lock; {@link #close()} releases it. */
    public static final class Lock implements AutoCloseable {
        private final Connection connection;
        private final String job;

        Lock(Connection connection, String job) {
            this.connection = connection;
            this.job = job;
        }

        @Override
        public void close() {
            try (connection; PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                statement.setString(1, "mking-backup/job/" + job);
                statement.execute();
            } catch (SQLException ignored) {
                // closing the connection releases the lock anyway
            }
        }
    }
}
