package com.mking.backup.pipeline;

import com.mking.backup.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * The last step of every artefact (a backup or a WAL file): the stored copies are read back (verify-after-write),
 * then the manifest is written in every store. Only then does the artefact exist; on any failure the data and
 * manifests are removed everywhere.
 */
public final class Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    /** Reads the copies just written back; throws when one cannot be read back whole or decoded. */
    @FunctionalInterface
    public interface ReadBack {
        void check(List<Store> targets, String dataKey, Manifest manifest) throws IOException;
    }

    private final ReadBack readBack;

    public Publisher(ReadBack readBack) {
        this.readBack = readBack;
    }

    /** Reads each copy back once ({@link ArtefactReader#verifyWritten}), or not at all when {@code verifyAfterWrite} is off. */
    public static Publisher readingBack(ArtefactReader reader, boolean verifyAfterWrite) {
        return new Publisher(verifyAfterWrite
                ? (targets, dataKey, manifest) -> reader.verifyWritten(targets, dataKey, manifest, ArtefactReader.AlongsideCheck.NONE)
                : (targets, dataKey, manifest) -> { });
    }

    public void publish(List<Store> targets, String dataKey, String manifestKey, Manifest manifest) throws IOException {
        try {
            readBack.check(targets, dataKey, manifest);
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
