package com.mking.backup.source.postgres.recovery;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetTimeTest {

    private static final ZoneId TAIPEI = ZoneId.of("Asia/Taipei");

    @Test
    void acceptsWhatPostgresPrintsAndIso8601() {
        assertThat(at("2026-11-27 14:19:38.123456+00")).isEqualTo(Instant.parse("2026-11-27T14:19:38.123456Z"));
        assertThat(at("2026-11-27 14:19:38.1+00")).isEqualTo(Instant.parse("2026-11-27T14:19:38.100Z"));
        assertThat(at("2026-11-27 14:19:38.12345+00")).isEqualTo(Instant.parse("2026-11-27T14:19:38.123450Z"));
        assertThat(at("2026-11-27 22:19:38+08")).isEqualTo(Instant.parse("2026-11-27T14:19:38Z"));
        assertThat(at("2026-11-27 19:49:38.5+05:30")).isEqualTo(Instant.parse("2026-11-27T14:19:38.5Z"));
        assertThat(at("2026-11-27 11:19:38-0300")).isEqualTo(Instant.parse("2026-11-27T14:19:38Z"));
        assertThat(at("2026-11-27T14:19:38Z")).isEqualTo(Instant.parse("2026-11-27T14:19:38Z"));
        assertThat(at("2026-11-27T15:19:38.250+01:00")).isEqualTo(Instant.parse("2026-11-27T14:19:38.250Z"));
        assertThat(at("2026-11-27 14:19:38 UTC")).isEqualTo(Instant.parse("2026-11-27T14:19:38Z"));
        assertThat(at("2026-11-27 22:19:38 Asia/Taipei")).isEqualTo(Instant.parse("2026-11-27T14:19:38Z"));
    }

    @Test
    void aTimeWithoutZoneIsReadInTheLocalZoneAndSaysSo() {
        TargetTime parsed = TargetTime.parse("2026-11-27 22:19:38.42", TAIPEI);
        assertThat(parsed.instant()).isEqualTo(Instant.parse("2026-11-27T14:19:38.42Z"));
        assertThat(parsed.zoneAssumed()).isTrue();
        assertThat(TargetTime.parse("2026-11-27 14:19:38+00", TAIPEI).zoneAssumed()).isFalse();
        assertThat(TargetTime.parse("2026-11-27 14:19", ZoneOffset.UTC).instant()).isEqualTo(Instant.parse("2026-11-27T14:19:00Z"));
    }

    @Test
    void nonsenseNamesTheOptionAndShowsAnExample() {
        assertThatThrownBy(() -> at("yesterday")).hasMessageContaining("--time 'yesterday'").hasMessageContaining("SELECT now()");
        assertThatThrownBy(() -> at("2026-13-45 10:00:00+00")).hasMessageContaining("--time");
        assertThatThrownBy(() -> at("2026-11-27 10:00:00 Mars/Olympus")).hasMessageContaining("--time");
    }

    @Test
    void timelineChoices() {
        assertThat(TimelineChoice.parse("latest")).isEqualTo(TimelineChoice.LATEST);
        assertThat(TimelineChoice.parse("current").mode()).isEqualTo(TimelineChoice.Mode.CURRENT);
        assertThat(TimelineChoice.parse("2").number()).isEqualTo(2);
        assertThat(TimelineChoice.parse("0x1A").number()).isEqualTo(26);
        assertThatThrownBy(() -> TimelineChoice.parse("newest")).hasMessageContaining("--timeline 'newest'");
        assertThatThrownBy(() -> TimelineChoice.parse("0")).hasMessageContaining("--timeline");
    }

    private static Instant at(String text) {
        return TargetTime.parse(text, TAIPEI).instant();
    }
}
