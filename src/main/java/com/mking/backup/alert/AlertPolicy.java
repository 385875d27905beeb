package com.mking.backup.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When an alert is sent (pure decision, no I/O): a new condition is sent; the same open condition is
 * not sent again unless its level or detail changed or the quiet period has passed since it was last
 * sent; a condition that clears sends one recovery notice.
 */
public final class AlertPolicy {

    private final Duration quietPeriod;

    public AlertPolicy(Duration quietPeriod) {
        this.quietPeriod = quietPeriod;
    }

    /** What is remembered about an open condition. */
    public record OpenCondition(Alert.Level level, String detail, Instant openedAt, Instant lastSentAt) {
    }

    public boolean shouldSend(Optional<OpenCondition> open, Alert alert, Instant now) {
        if (open.isEmpty()) {
            return true;
        }
        OpenCondition current = open.get();
        if (current.level() != alert.level() || !current.detail().equals(alert.detail())) {
            return true;
        }
        return !now.isBefore(current.lastSentAt().plus(quietPeriod));
    }

    /** A recovery notice is due when the condition that clears was open. */
    public boolean shouldNotifyRecovery(Optional<OpenCondition> open) {
        return open.isPresent();
    }
}
