package com.mking.backup.pipeline;

import com.mking.backup.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams one artefact from a tool's output to every store at once: raw bytes → the {@link ArtefactStages} (SHA-256 →
 * compression → encryption) → SHA-256 of the stored bytes → one pipe per store.
 * Memory is bounded by the pipes, whatever the size of the data. All or nothing: when the source or
 * any store fails, copies already published are deleted and the error is rethrown.
 */
public final class ArtefactWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ArtefactWriter.class);
    /**
     * Stored bytes reach the stores in chunks of this size: the cipher writes one 4 KiB segment at a time, and
     * handing each to the upload threads on its own cost more CPU (copies, thread wake-ups) than the encryption.
     */
    private static final int CHUNK_SIZE = 256 << 10;
    /** Chunks waiting per store: 4 MiB. */
    private static final int PIPE_CHUNKS = 16;

    private final PipelineSettings settings;
    private final Keyring keyring;
    private final StageTotals totals = new StageTotals();

    public ArtefactWriter(PipelineSettings settings, Keyring keyring) {
        this.settings = settings;
        this.keyring = keyring;
    }

    /** Bytes and time per stage since start-up. */
    public StageTotals totals() {
        return totals;
    }

    public PipelineSettings settings() {
        return settings;
    }

    /** File name suffix of stored data, e.g. {@code .zst.enc}. */
    public String storedSuffix() {
        return settings.compression().extension() + (settings.encrypt() ? ".enc" : "");
    }

    /** The manifest's encryption block for new backups, or null when they are not encrypted. */
    public Manifest.Encryption encryption() throws IOException {
        if (!settings.encrypt()) {
            return null;
        }
        String keyId = keyring.currentKeyId().orElseThrow();
        return new Manifest.Encryption(EncryptionFormat.CURRENT.id(), keyId, keyring.fingerprint(keyId));
    }

    /** The stages every artefact passes: checksum → compress → encrypt (as the backup route adds them step by step). */
    public ArtefactStages stages(String associatedData) {
        ArtefactStages stages = new ArtefactStages().checksum();
        compress(stages);
        encrypt(stages, associatedData);
        return stages;
    }

    /** Adds the configured compression (none: no stage). */
    public void compress(ArtefactStages stages) {
        if (settings.compression() != Compression.NONE) {
            stages.add("compress", out -> settings.compression().compress(out, settings.compressionLevel(),
                    settings.compressionThreads()));
        }
    }

    /**
     * Adds encryption when it is on.
     *
     * @param associatedData bound into the encryption (the backup id and artefact), so a data file cannot be passed
     *                       off as another backup's
     */
    public void encrypt(ArtefactStages stages, String associatedData) {
        if (settings.encrypt()) {
            String keyId = keyring.currentKeyId().orElseThrow();
            stages.add("encrypt", out -> keyring.encrypt(out, EncryptionFormat.CURRENT, keyId, associatedData));
        }
    }

    /** {@link #write(String, String, InputStream, ArtefactStages, List, AtomicLong)} through the usual stages. */
    public Manifest.Artefact write(String key, String name, InputStream raw, List<Store> stores,
                                   String associatedData, AtomicLong progress) throws IOException {
        return write(key, name, raw, stages(associatedData), stores, progress);
    }

    /**
     * Pumps {@code raw} through the stages into every store at once, under {@code key}.
     *
     * @param progress raw bytes read so far, for the CLI's progress line
     */
    public Manifest.Artefact write(String key, String name, InputStream raw, ArtefactStages stages, List<Store> stores,
                                   AtomicLong progress) throws IOException {
        ExecutorService uploads = Executors.newFixedThreadPool(stores.size(), r -> {
            Thread thread = new Thread(r, "store-upload");
            thread.setDaemon(true);
            return thread;
        });
        List<Pipe> pipes = new ArrayList<>();
        List<Future<Long>> puts = new ArrayList<>();
        for (Store store : stores) {
            Pipe pipe = new Pipe(PIPE_CHUNKS);
            pipes.add(pipe);
            puts.add(uploads.submit(() -> {
                try (InputStream source = pipe.source()) {
                    // every caller reads the copies back when verify-after-write is on
                    return settings.verifyAfterWrite() ? store.putReadBack(key, source) : store.put(key, source);
                }
            }));
        }
        try {
            DigestOutputStream stored = new DigestOutputStream(
                    new BufferedOutputStream(new FanOutOutputStream(pipes), CHUNK_SIZE));
            try {
                // joining runs the stages' set-up (a cipher's key, a compressor): its failure cleans up as any other
                OutputStream chain = stages.join(stored);
                byte[] buffer = new byte[1 << 18];
                long waitStart = System.nanoTime();
                for (int n; (n = raw.read(buffer)) > 0; ) {
                    stages.toolWaited(System.nanoTime() - waitStart);
                    chain.write(buffer, 0, n);
                    progress.addAndGet(n);
                    waitStart = System.nanoTime();
                }
                chain.close();
            } catch (IOException | RuntimeException | Error e) {
                pipes.forEach(pipe -> pipe.abort(e));
                Throwable storeFailure = firstStoreFailure(puts);
                deleteQuietly(stores, key);
                // a store that failed first closes its pipe; its own error says more than "pipe closed"
                if (storeFailure != null && e instanceof Pipe.ReaderGone) {
                    throw new IOException(storeFailure.getMessage(), storeFailure);
                }
                throw e;
            }
            List<String> failures = new ArrayList<>();
            Throwable firstFailure = null;
            for (int i = 0; i < stores.size(); i++) {
                try {
                    puts.get(i).get();
                } catch (ExecutionException e) {
                    failures.add(e.getCause().getMessage());
                    firstFailure = firstFailure == null ? e.getCause() : firstFailure;
                }
            }
            if (!failures.isEmpty()) {
                deleteQuietly(stores, key);
                throw new IOException(String.join("; ", failures), firstFailure);
            }
            totals.add(stages.statistics());
            return new Manifest.Artefact(name, key.substring(key.lastIndexOf('/') + 1), stages.rawDigest().count(), stages.rawDigest().sha256(), stored.count(), stored.sha256());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pipes.forEach(pipe -> pipe.abort(e));
            deleteQuietly(stores, key);
            throw new java.io.InterruptedIOException("backup interrupted");
        } finally {
            uploads.shutdownNow();
        }
    }

    /** Waits for every put to end and returns the first one that failed on its own, if any. */
    private static Throwable firstStoreFailure(List<Future<Long>> puts) {
        Throwable first = null;
        for (Future<Long> put : puts) {
            try {
                put.get();
            } catch (ExecutionException e) {
                if (first == null && !Pipe.isPipeSignal(e.getCause())) {
                    first = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return first;
    }

    /** Removes whatever a failed write may have published, so nothing half-done looks like a backup. */
    static void deleteQuietly(List<Store> stores, String key) {
        for (Store store : stores) {
            try {
                store.delete(key);
            } catch (IOException e) {
                LOG.warn("could not remove {} from store '{}' after a failed backup: {}", key, store.name(), e.getMessage());
            }
        }
    }

    /**
     * Writes every byte to each pipe in turn; a pipe whose store failed makes the write fail, and then closing
     * ends no pipe (the writer aborts them all: no store may take what it got for a complete artefact).
     */
    private static final class FanOutOutputStream extends OutputStream {
        private final List<OutputStream> sinks = new ArrayList<>();
        private boolean failed;

        FanOutOutputStream(List<Pipe> pipes) {
            pipes.forEach(pipe -> sinks.add(pipe.sink()));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            try {
                for (OutputStream sink : sinks) {
                    sink.write(buffer, offset, length);
                }
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (failed) {
                return;
            }
            for (OutputStream sink : sinks) {
                sink.close();
            }
        }
    }
}
