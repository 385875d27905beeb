package com.mking.backup.alert;

import org.apache.camel.ProducerTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Open alert conditions, kept in the audit database ({@code alert_conditions}, through the camel-sql routes
 * {@value #CONDITION_ROUTE}, {@value #RAISED_ROUTE} and {@value #CLEARED_ROUTE}) so that the daemon and CLI commands, and
 * restarts, agree on what was already said. Decisions come from {@link AlertPolicy}.
 */
public final class AlertLedger {

    public static final String CONDITION_ROUTE = "direct:alert-condition";
    public static final String RAISED_ROUTE = "direct:alert-raised";
    public static final String CLEARED_ROUTE = "direct:alert-cleared";

    private final ProducerTemplate producer;
    private final AlertPolicy policy;
    private final Clock clock;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlertLedger.class);

    public AlertLedger(ProducerTemplate producer, AlertPolicy policy, Clock clock) {
        this.producer = producer;
        this.policy = policy;
        this.clock = clock;
    }

    /** Records the alert; true when it must be sent now. */
    public synchronized boolean raise(Alert alert) {
        try {
            boolean send = policy.shouldSend(find(alert.condition()), alert, clock.instant());
            producer.sendBodyAndHeaders(RAISED_ROUTE, null, Map.of("condition", alert.condition(),
                    "level", alert.level().name(), "subject", alert.subject(), "detail", alert.detail(),
                    "now", Timestamp.from(clock.instant()), "sendCount", send ? 1 : 0, "send", send));
            return send;
        } catch (RuntimeException e) {
            // the audit database is down: better a repeated alert than a lost one
            LOG.warn("alert ledger unavailable ({}); sending '{}' without checking whether it was sent already",
                    e.getMessage(), alert.subject());
            return true;
        }
    }

    /** Closes the condition; true when it was open (a recovery notice is due). */
    public synchronized boolean clear(String condition) {
        try {
            boolean notify = policy.shouldNotifyRecovery(find(condition));
            producer.sendBodyAndHeader(CLEARED_ROUTE, null, "condition", condition);
            return notify;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Optional<AlertPolicy.OpenCondition> find(String condition) {
        List<?> rows = producer.requestBodyAndHeader(CONDITION_ROUTE, null, "condition", condition, List.class);
        if (rows == null || rows.isEmpty()) {
            return Optional.empty();
        }
        Map<?, ?> row = (Map<?, ?>) rows.get(0);
        return Optional.of(new AlertPolicy.OpenCondition(Alert.Level.valueOf((String) row.get("level")),
                (String) row.get("detail"), ((Timestamp) row.get("opened_at")).toInstant(),
                ((Timestamp) row.get("last_sent_at")).toInstant()));
    }
}
