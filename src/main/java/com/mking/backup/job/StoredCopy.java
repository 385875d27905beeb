package com.mking.backup.job;

/** One complete copy of a backup in one store. */
public record StoredCopy(String store, String location, String dataKey, String manifestKey, long size, String sha256) {

    public String getStore() {
        return store;
    }

    public String getLocation() {
        return location;
    }

    public String getDataKey() {
        return dataKey;
    }

    public String getManifestKey() {
        return manifestKey;
    }

    public long getSize() {
        return size;
    }

    public String getSha256() {
        return sha256;
    }
}
