package com.mking.backup.source.postgres.recovery;

import java.time.Instant;

/** Where a point-in-time recovery stops: the end of the archive, a moment, or a named restore point. */
public sealed interface RecoveryTarget {

    /** Replay everything archived on the chosen timeline. */
    record Latest() implements RecoveryTarget {
        @Override
        public String describe() {
            return "the end of the archive";
        }
    }

    /** Stop before the first transaction that committed after {@code instant}. */
    record Time(Instant instant) implements RecoveryTarget {
        @Override
        public String describe() {
            return "time " + instant;
        }
    }

    /** Stop at a point made with {@code pg_create_restore_point(name)}. */
    record RestorePoint(String name) implements RecoveryTarget {
        @Override
        public String describe() {
            return "restore point '" + name + "'";
        }
    }

    String describe();
}
