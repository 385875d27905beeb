package com.mking.backup.source.redis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wait for a fresh snapshot, against a simulated server whose state moves on with every command. */
class RedisSnapshotTest {

    /** A Redis whose saves take a few polls; {@code rdb_saves} counts saves as they start, as Redis does. */
    private static class FakeRedis implements RedisSnapshot.Cli {
        long time = 1000;
        long lastSave = 1000;
        long saves = 5;
        int running;          // polls left of the save in progress
        boolean scheduled;    // a save waits for another child
        int otherChild;       // polls left of an AOF rewrite holding the save back
        boolean ourSaveFails;
        boolean refuseFirst;  // "already in progress" once
        final List<String> log = new ArrayList<>();

        @Override
        public String run(String... command) {
            String line = String.join(" ", command);
            log.add(line);
            tick();
            return switch (line) {
                case "LASTSAVE" -> Long.toString(lastSave);
                case "TIME" -> time + "\n0";
                case "BGSAVE SCHEDULE" -> {
                    if (refuseFirst) {
                        refuseFirst = false;
                        yield "ERR Background save already in progress";
                    }
                    if (otherChild > 0) {
                        scheduled = true;
                        yield "Background saving scheduled";
                    }
                    start();
                    yield "Background saving started";
                }
                case "INFO persistence" -> "# Persistence\nrdb_bgsave_in_progress:" + (running > 0 ? 1 : 0) + "\nrdb_saves:" + saves
                        + "\nrdb_last_bgsave_status:" + (ourSaveFails && running == 0 && !scheduled ? "err" : "ok") + "\n";
                default -> throw new IllegalArgumentException(line);
            };
        }

        private void start() {
            saves++;
            running = 3;
        }

        private void tick() {
            time++; // one second per command: every wait below is quick in real time
            if (otherChild > 0 && --otherChild == 0 && scheduled) {
                scheduled = false;
                start();
            } else if (running > 0 && --running == 0 && !ourSaveFails) {
                lastSave = time;
            }
        }
    }

    @Test
    void waitsUntilItsOwnSaveEndedAndLastsaveMoved() throws IOException {
        FakeRedis redis = new FakeRedis();
        redis.time = 1000; // the same second as the last save: the request must wait for the clock first
        new RedisSnapshot(redis, 60).save();
        assertThat(redis.lastSave).isGreaterThan(1000);
        assertThat(redis.running).isZero();
        assertThat(redis.log.indexOf("TIME")).isLessThan(redis.log.indexOf("BGSAVE SCHEDULE"));
    }

    @Test
    void aScheduledSaveIsWaitedForUntilItRan() throws IOException {
        FakeRedis redis = new FakeRedis();
        redis.otherChild = 6;
        new RedisSnapshot(redis, 60).save();
        assertThat(redis.scheduled).isFalse();
        assertThat(redis.saves).isEqualTo(6);
        assertThat(redis.running).isZero();
    }

    @Test
    void aSaveAlreadyRunningIsWaitedForThenOursIsAskedFor() throws IOException {
        FakeRedis redis = new FakeRedis();
        redis.refuseFirst = true;
        new RedisSnapshot(redis, 60).save();
        assertThat(redis.log.stream().filter("BGSAVE SCHEDULE"::equals).count()).isEqualTo(2);
    }

    @Test
    void aFailedSaveFailsWithTheServersStatus() {
        FakeRedis redis = new FakeRedis();
        redis.ourSaveFails = true;
        assertThatThrownBy(() -> new RedisSnapshot(redis, 60).save())
                .hasMessageContaining("rdb_last_bgsave_status:err");
    }

    @Test
    void aClockThatNeverPassesTheLastSaveTimesOut() {
        FakeRedis redis = new FakeRedis() {
            @Override
            public String run(String... command) {
                time = 0; // stepped back, and stays behind LASTSAVE
                return super.run(command);
            }
        };
        assertThatThrownBy(() -> new RedisSnapshot(redis, 1).save()).hasMessageContaining("within 1 s");
    }

    @Test
    void theAofManifestNamesTheBaseFirstThenTheIncrementsNotTheHistory() throws IOException {
        assertThat(AofManifest.files("""
                file appendonly.aof.3.base.rdb seq 3 type b
                file appendonly.aof.2.incr.aof seq 2 type h
                file appendonly.aof.3.incr.aof seq 3 type i
                file appendonly.aof.4.incr.aof seq 4 type i
                """)).containsExactly("appendonly.aof.3.base.rdb", "appendonly.aof.3.incr.aof", "appendonly.aof.4.incr.aof");
        assertThatThrownBy(() -> AofManifest.files("file ../../etc/passwd seq 1 type b")).hasMessageContaining("unexpected line");
    }
}
