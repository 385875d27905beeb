package com.mking.backup.alert;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

/**
 * Open alert conditions, kept in the audit database ({@code alert_conditions}) so that the daemon and
 * CLI commands, and restarts, agree on what was already said. Decisions come from {@link AlertPolicy}.
 */
public final class AlertLedger {

    private final DataSource dataSource;
    private final AlertPolicy policy;
    private final Clock clock;

    public AlertLedger(DataSource dataSource, AlertPolicy policy, Clock clock) {
        this.dataSource = dataSource;
        this.policy = policy;
        this.clock = clock;
    }

    /** Records the alert; true when it must be sent now. */
    public synchronized boolean raise(Alert alert) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<AlertPolicy.OpenCondition> open = find(connection, alert.condition());
            boolean send = policy.shouldSend(open, alert, clock.instant());
            Timestamp now = Timestamp.from(clock.instant());
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO alert_conditions (condition_key, level, subject, detail, opened_at, last_sent_at, send_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (condition_key) DO UPDATE SET level = EXCLUDED.level, subject = EXCLUDED.subject,
                        detail = EXCLUDED.detail,
                        last_sent_at = CASE WHEN ? THEN EXCLUDED.last_sent_at ELSE alert_conditions.last_sent_at END,
                        send_count = alert_conditions.send_count + EXCLUDED.send_count""")) {
                upsert.setString(1, alert.condition());
                upsert.setString(2, alert.level().name());
                upsert.setString(3, alert.subject());
                upsert.setString(4, alert.detail());
                upsert.setTimestamp(5, now);
                upsert.setTimestamp(6, now);
                upsert.setInt(7, send ? 1 : 0);
                upsert.setBoolean(8, send);
                upsert.executeUpdate();
            }
            return send;
        } catch (SQLException e) {
            // the audit database is down: better a repeated alert than a lost one
            return true;
        }
    }

    /** Closes the condition; true when it was open (a recovery notice is due). */
    public synchronized boolean clear(String condition) {
        try (Connection connection = dataSource.getConnection()) {
            boolean notify = policy.shouldNotifyRecovery(find(connection, condition));
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM alert_conditions WHERE condition_key = ?")) {
                delete.setString(1, condition);
                delete.executeUpdate();
            }
            return notify;
        } catch (SQLException e) {
            return false;
        }
    }

    private static Optional<AlertPolicy.OpenCondition> find(Connection connection, String condition) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT level, detail, opened_at, last_sent_at FROM alert_conditions WHERE condition_key = ?")) {
            select.setString(1, condition);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AlertPolicy.OpenCondition(Alert.Level.valueOf(row.getString(1)), row.getString(2),
                        row.getTimestamp(3).toInstant(), row.getTimestamp(4).toInstant()));
            }
        }
    }
}
