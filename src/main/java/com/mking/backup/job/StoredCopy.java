package com.mking.backup.job;

/** One complete copy of a backup in one store. */
public record StoredCopy(String store, String location, String dataKey, String manifestKey, long size, String sha256) {
}
