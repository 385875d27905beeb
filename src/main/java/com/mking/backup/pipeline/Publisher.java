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
        void check(List<Store> targets, String dataKey, Manifest manifest, Manifest.Artefact artefact) throws IOException;
    }

    private final ReadBack readBack;

    public Publisher(ReadBack readBack) {
        this.readBack = readBack;
    }

    /** Reads each copy of each artefact back once ({@link ArtefactReader#verifyWritten}), or not at all when {@code verifyAfterWrite} is off. */
    public static Publisher readingBack(ArtefactReader reader, boolean verifyAfterWrite) {
        return new Publisher(verifyAfterWrite
                ? (targets, dataKey, manifest, artefact) -> reader.verifyWritten(targets, dataKey, manifest, artefact,
                        ArtefactReader.AlongsideCheck.NONE)
                : (targets, dataKey, manifest, artefact) -> { });
    }

    /** Publishes a backup whose artefacts lie beside its manifest ({@link Manifest#dataKeys}). */
    public void publish(List<Store> targets, String manifestKey, Manifest manifest) throws IOException {
        publish(targets, manifest.dataKeys(manifestKey), manifestKey, manifest);
    }

    /** {@code dataKeys}: where each of the manifest's artefacts was written, in the manifest's order. */
    public void publish(List<Store> targets, List<String> dataKeys, String manifestKey, Manifest manifest) throws IOException {
        try {
            for (int i = 0; i < dataKeys.size(); i++) {
                readBack.check(targets, dataKeys.get(i), manifest, manifest.artefacts().get(i));
            }
            for (Store store : targets) {
                store.put(manifestKey, new ByteArrayInputStream(manifest.toJson()));
            }
        } catch (IOException | RuntimeException e) {
            for (Store store : targets) {
                deleteQuietly(store, manifestKey);
                dataKeys.forEach(dataKey -> deleteQuietly(store, dataKey));
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
