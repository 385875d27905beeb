package com.mking.backup.verify;

import com.mking.backup.audit.CatalogEntry;

import java.util.Comparator;
import java.util.List;

/**
 * Which backups a sampled verification reads: the least recently verified first, {@code percent} of
 * them, so that runs every day cover every copy within 100/percent days.
 */
public final class Sampling {

    private Sampling() {
    }

    public static List<String> pick(List<CatalogEntry> backups, int percent) {
        List<CatalogEntry> candidates = backups.stream()
                .filter(entry -> !entry.copies().isEmpty())
                .sorted(Comparator.comparing(CatalogEntry::lastVerified, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        int count = (int) Math.ceil(candidates.size() * percent / 100.0);
        return candidates.stream().limit(count).map(CatalogEntry::backupId).toList();
    }
}
