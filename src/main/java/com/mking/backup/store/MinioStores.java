package com.mking.backup.store;

/** Naming shared by the MinIO store and the configuration that binds its client. */
public final class MinioStores {

    private MinioStores() {
    }

    /** Registry name of the MinIO client of a store, so camel-minio endpoints can refer to it. */
    public static String clientBeanName(String storeName) {
        return "minioClient-" + storeName;
    }
}
