package com.mking.backup.pipeline;

import com.mking.backup.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * The last step of every artefact (a backup or a WAL file): each stored copy is read back through every
 * layer (stored SHA-256, authenticated decryption, decompression, raw SHA-256) when verify-after-write is
 * on, then the manifest is written in every store. Only
 * then does the artefact exist; on any failure the data and manifests are removed everywhere.
 */
public final class Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    private final ArtefactReader reader;
    private final boolean verifyAfterWrite;

    public Publisher(ArtefactReader reader, boolean verifyAfterWrite) {
        this.reader = reader;
        this.verifyAfterWrite = verifyAfterWrite;
    }

    public void publish(List<Store> targets, String dataKey, String manifestKey, Manifest manifest) throws IOException {
        try {
            if (verifyAfterWrite) {
                for (Store store : targets) {
                    reader.verifyDecodable(store, dataKey, manifest, manifest.artefact());
                }
            }
            for (Store store : targets) {
                store.put(manifestKey, new ByteArrayInputStream(manifest.toJson()));
            }
        } catch (IOException | RuntimeException e) {
            for (Store store : targets) {
                deleteQuietly(store, manifestKey);
                deleteQuietly(store, dataKey);
            }
            throw e;
        }
    }

    private static void deleteQuietly(Store store, String key) {
        try {
            store.delete(key);
        } catch (IOException e) {
            LOG.warn("could not remove {} from store '{}': {}", key, store.name(), e.getMessage());
        }
    }
}
