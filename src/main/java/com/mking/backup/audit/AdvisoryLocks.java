package com.mking.backup.audit;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * Named locks shared by the daemon, CLI commands and every node of one installation: PostgreSQL session
 * advisory locks in the audit database, each held on its own connection. If a process dies, the server
 * releases its locks with its connections; that is also how a run whose process died is recognised
 * (its job's lock is free while its row still says running).
 *
 * <p>Names in use: {@code job/<job>} for backup runs, {@code wal/<job>/<file>} for publishing one WAL
 * file, {@code restore/<task id>} for restores.
 */
public final class AdvisoryLocks {

    private static final String PREFIX = "mking-backup/";
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final DataSource dataSource;

    public AdvisoryLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public static String job(String job) {
        return "job/" + job;
    }

    /** The lock, or empty when another holder has it. */
    public Optional<Lock> tryLock(String name) throws SQLException {
        Connection connection = dataSource.getConnection();
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            statement.setString(1, PREFIX + name);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                if (result.getBoolean(1)) {
                    return Optional.of(new Lock(connection, name));
                }
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        connection.close();
        return Optional.empty();
    }

    /** Waits up to {@code wait} for the lock; fails naming the lock when it stays taken. */
    public Lock lock(String name, Duration wait) throws IOException {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new IOException("cannot take lock " + name + ": " + AuditDatabase.unreachable(e), e);
        }
        try (Statement settings = connection.createStatement();
             PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
            settings.execute("SET lock_timeout = " + Math.max(1, wait.toMillis()));
            statement.setString(1, PREFIX + name);
            statement.execute();
            settings.execute("RESET lock_timeout");
            return new Lock(connection, name);
        } catch (SQLException e) {
            closeQuietly(connection);
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw new IOException("lock " + name + " is still held by another process after " + wait.toSeconds() + " s");
            }
            throw new IOException("cannot take lock " + name + ": " + AuditDatabase.unreachable(e), e);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the connection is broken anyway
        }
    }

    /** A held lock; {@link #close()} releases it. */
    public static final class Lock implements AutoCloseable {
        private final Connection connection;
        private final String name;

        Lock(Connection connection, String name) {
            this.connection = connection;
            this.name = name;
        }

        public String name() {
            return name;
        }

        /**
         * True while the lock is still held: its connection is alive. A run that lost its lock (the audit
         * database restarted) can no longer prove that no other run is active and must not publish.
         */
        public boolean isHeld() {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted")) {
                statement.setQueryTimeout(10);
                try (ResultSet result = statement.executeQuery()) {
                    return result.next() && result.getLong(1) > 0;
                }
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public void close() {
            try (connection; PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                statement.setString(1, PREFIX + name);
                statement.execute();
            } catch (SQLException ignored) {
                // closing the connection releases the lock anyway
            }
        }
    }
}
