package com.mking.backup.source.postgres.wal;

import com.mking.backup.audit.CatalogEntry;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BaseBackupRetentionTest {

    @Test
    void theNewestKeepLastGoStoreByStoreAndWalFromTheOldestKept() {
        List<CatalogEntry> newestFirst = List.of(base("b3", "local", "minio"), base("b2", "local", "minio"),
                base("b1", "local", "minio"));
        List<BaseBackupRetention.StoreDecision> decisions = BaseBackupRetention.decide(newestFirst, List.of("local", "minio"), 2);
        assertThat(decisions).extracting(BaseBackupRetention.StoreDecision::store).containsExactly("local", "minio");
        for (BaseBackupRetention.StoreDecision decision : decisions) {
            assertThat(decision.oldestKept().backupId()).isEqualTo("b2");
            assertThat(decision.older()).extracting(CatalogEntry::backupId).containsExactly("b1");
        }
    }

    /**
     * keepLast 1, the newest base's local copy failed verification: local keeps its newest good base (b1) and its WAL;
     * minio keeps b2 alone. Before, b1 went from every store and local was left with a damaged base only.
     */
    @Test
    void aStoreWhoseNewestCopyIsDamagedKeepsItsNewestGoodOne() {
        List<CatalogEntry> newestFirst = List.of(base("b2", "local!", "minio"), base("b1", "local", "minio"));
        List<BaseBackupRetention.StoreDecision> decisions = BaseBackupRetention.decide(newestFirst, List.of("local", "minio"), 1);
        BaseBackupRetention.StoreDecision local = decisions.get(0);
        assertThat(local.store()).isEqualTo("local");
        assertThat(local.oldestKept().backupId()).isEqualTo("b1");
        assertThat(local.older()).isEmpty();
        BaseBackupRetention.StoreDecision minio = decisions.get(1);
        assertThat(minio.oldestKept().backupId()).isEqualTo("b2");
        assertThat(minio.older()).extracting(CatalogEntry::backupId).containsExactly("b1");
    }

    @Test
    void aStoreWithNoGoodBaseIsLeftAlone() {
        List<CatalogEntry> newestFirst = List.of(base("b2", "local!", "minio"), base("b1", "local!", "minio"));
        assertThat(BaseBackupRetention.decide(newestFirst, List.of("local", "minio"), 1))
                .extracting(BaseBackupRetention.StoreDecision::store).containsExactly("minio");
    }

    @Test
    void aStoreTheJobNoLongerNamesIsPrunedByTheSameRule() {
        List<CatalogEntry> newestFirst = List.of(base("b2", "minio"), base("b1", "old", "minio"));
        assertThat(BaseBackupRetention.decide(newestFirst, List.of("minio"), 1)).extracting(BaseBackupRetention.StoreDecision::store)
                .containsExactly("minio", "old");
    }

    /** A successful base with a copy in each store; "local!" is a copy whose latest verification failed. */
    private static CatalogEntry base(String id, String... stores) {
        List<CatalogEntry.Copy> copies = Arrays.stream(stores).map(store -> new CatalogEntry.Copy(store.replace("!", ""),
                store, id + "/base.tar", id + "/manifest.json", 1, "00", store.endsWith("!"))).toList();
        boolean failed = Arrays.stream(stores).anyMatch(store -> store.endsWith("!"));
        return new CatalogEntry(id, "pitr", "pg-physical", "basebackup", "success", LocalDateTime.now(), LocalDateTime.now(), 1,
                1L, 1L, "00", "00", "zstd", null, failed ? "failed" : "passed", null, null, copies);
    }
}
