package com.mking.backup.export;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits an export into volumes of at most a given size (discs, tapes, removable disks), before anything is copied.
 * Files keep their order and are never split: a volume is filled until the next file does not fit, so a backup's data
 * always comes before its manifest, in the same or an earlier volume. Each volume keeps room for its catalog, recovery
 * sheet and listing. Pure arithmetic.
 */
public final class VolumePlan {

    private VolumePlan() {
    }

    /** One file to place: its key, size and what it belongs to (for messages). */
    public record Item(String key, long size, String what) {
    }

    /** A file larger than a volume can take: nothing was copied. */
    public static final class TooLargeException extends IllegalArgumentException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * @param metadata bytes each volume needs besides its files and their listing lines: the catalog, the recovery
     *                 sheet and their own listing lines
     * @return the items of each volume, in order
     */
    public static List<List<Item>> plan(List<Item> items, long volumeSize, long metadata, String option) {
        Item largest = items.stream().max(Comparator.comparingLong(Item::size)).orElse(null);
        if (largest != null && needs(largest, metadata) > volumeSize) {
            long needed = needs(largest, metadata);
            throw new TooLargeException(option + " " + ByteSize.ceil(volumeSize) + " is too small: " + largest.key() + " ("
                    + largest.what() + ") is " + largest.size() + " bytes and a file is never split; a volume must hold at least "
                    + needed + " bytes with the catalog and listing: use " + option + " " + ByteSize.ceil(needed)
                    + " or more. Nothing was copied.");
        }
        if (metadata >= volumeSize) {
            throw new TooLargeException(option + " " + ByteSize.ceil(volumeSize) + " is too small for the catalog, recovery "
                    + "sheet and listing alone (" + metadata + " bytes): use " + option + " " + ByteSize.ceil(metadata * 2)
                    + " or more. Nothing was copied.");
        }
        List<List<Item>> volumes = new ArrayList<>();
        List<Item> current = new ArrayList<>();
        long used = metadata;
        for (Item item : items) {
            long adds = item.size() + Sha256Listing.lineLength(item.key());
            if (!current.isEmpty() && used + adds > volumeSize) {
                volumes.add(current);
                current = new ArrayList<>();
                used = metadata;
            }
            current.add(item);
            used += adds;
        }
        if (!current.isEmpty() || volumes.isEmpty()) {
            volumes.add(current);
        }
        return volumes;
    }

    private static long needs(Item item, long metadata) {
        return item.size() + Sha256Listing.lineLength(item.key()) + metadata;
    }

    /** The directory of volume {@code number} (1-based): {@code vol-001}. */
    public static String directory(int number) {
        return String.format("vol-%03d", number);
    }
}
