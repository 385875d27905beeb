package com.mking.backup.alert;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AlertPolicyTest {

    private final AlertPolicy policy = new AlertPolicy(Duration.ofHours(4));
    private final Instant t0 = Instant.parse("2026-11-25T03:00:00Z");
    private final Alert failed = new Alert("backup-failed:db", Alert.Level.DANGER, "backup of job db failed", "disk full");

    @Test
    void aNewConditionIsSent() {
        assertThat(policy.shouldSend(Optional.empty(), failed, t0)).isTrue();
    }

    @Test
    void theSameOpenConditionIsQuietUntilTheQuietPeriodEnds() {
        var open = Optional.of(new AlertPolicy.OpenCondition(Alert.Level.DANGER, "disk full", t0, t0));
        assertThat(policy.shouldSend(open, failed, t0.plus(Duration.ofHours(1)))).isFalse();
        assertThat(policy.shouldSend(open, failed, t0.plus(Duration.ofHours(4)))).isTrue();
    }

    @Test
    void aChangeOfLevelOrDetailIsSentAtOnce() {
        var open = Optional.of(new AlertPolicy.OpenCondition(Alert.Level.WARNING, "disk full", t0, t0));
        assertThat(policy.shouldSend(open, failed, t0.plusSeconds(60))).isTrue();
        var sameLevel = Optional.of(new AlertPolicy.OpenCondition(Alert.Level.DANGER, "timeout", t0, t0));
        assertThat(policy.shouldSend(sameLevel, failed, t0.plusSeconds(60))).isTrue();
    }

    @Test
    void recoveryIsNotifiedOnlyForAnOpenCondition() {
        assertThat(policy.shouldNotifyRecovery(Optional.empty())).isFalse();
        assertThat(policy.shouldNotifyRecovery(Optional.of(new AlertPolicy.OpenCondition(Alert.Level.DANGER, "x", t0, t0)))).isTrue();
    }
}
