package com.mking.backup.source.files;

import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Pipe;
import com.mking.backup.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Packs file content into objects of about {@code packSize} raw bytes, each written by the pipeline (zstd, AES-GCM,
 * SHA-256s) into every store of the job while the files are still being read: the reading thread fills a bounded pipe
 * (4 MiB), a pack thread encodes, one thread per store uploads. A blob never spans two packs. {@link #abort} removes
 * every pack this run wrote (no snapshot references them yet).
 */
final class PackWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PackWriter.class);
    private static final int CHUNK = 256 << 10;
    private static final SecureRandom IDS = new SecureRandom();

    private final String job;
    private final ArtefactWriter writer;
    private final List<Store> stores;
    private final long packSize;
    /** One pack being encoded while the next fills, the one before being read back: two threads. */
    private final ExecutorService encoder = Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "pack-writer");
        thread.setDaemon(true);
        return thread;
    });
    private final ArtefactReader reader;
    private final List<PackRecord> written = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();

    private String packId;
    private Pipe pipe;
    private OutputStream sink;
    private long packOffset;
    private long blobStart;

    /** A pack sent off: its id, key and the upload (then read-back) that ends with its artefact. */
    private record Pending(String id, String key, Future<Manifest.Artefact> upload) {
    }

    /** @param reader reads each pack back once written (verify-after-write), when the pipeline does so */
    PackWriter(String job, ArtefactWriter writer, ArtefactReader reader, List<Store> stores, long packSize) {
        this.job = job;
        this.writer = writer;
        this.reader = reader;
        this.stores = stores;
        this.packSize = packSize;
    }

    /** Starts a blob; its bytes follow with {@link #write}. */
    void beginBlob() {
        if (pipe == null) {
            openPack();
        }
        blobStart = packOffset;
    }

    void write(byte[] buffer, int offset, int length) throws IOException {
        try {
            for (int done = 0; done < length; done += CHUNK) { // one large write must not become one large chunk in the pipe
                sink.write(buffer, offset + done, Math.min(CHUNK, length - done));
            }
        } catch (IOException e) {
            throw storeFailure(pending.peekLast(), e);
        }
        packOffset += length;
    }

    /** Ends the blob begun last; the pack is sent off once it is full. */
    FileEntry.Blob endBlob(String sha256) throws IOException {
        FileEntry.Blob blob = new FileEntry.Blob(packId, blobStart, packOffset - blobStart, sha256);
        if (packOffset >= packSize) {
            closePack();
        }
        return blob;
    }

    /** Closes the last pack, waiting until every store has every pack (and each was read back). */
    void finish() throws IOException {
        if (pipe != null) {
            closePack();
        }
        while (!pending.isEmpty()) {
            collect(pending.poll());
        }
    }

    /** Packs written by this run, in order. */
    List<PackRecord> written() {
        return written;
    }

    long storedBytes() {
        return written.stream().mapToLong(PackRecord::storedSize).sum();
    }

    /** After a failure: stops the pack being written and removes every pack of this run from every store. */
    void abort(Throwable cause) {
        if (pipe != null) {
            pipe.abort(cause);
            pipe = null;
        }
        for (Pending sent : pending) {
            try {
                sent.upload().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException expected) {
                // the writer removed its partial object
            }
        }
        pending.clear();
        for (String key : keys) {
            for (Store store : stores) {
                try {
                    store.delete(key);
                } catch (IOException e) {
                    LOG.warn("could not remove pack {} from store '{}' after a failed backup: {}", key, store.name(), e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        encoder.shutdownNow();
    }

    private void openPack() {
        byte[] id = new byte[16];
        IDS.nextBytes(id);
        packId = HexFormat.of().formatHex(id);
        String key = PackRecord.key(job, packId, writer.storedSuffix());
        keys.add(key);
        pipe = new Pipe(16);
        sink = new BufferedOutputStream(pipe.sink(), CHUNK);
        packOffset = 0;
        String associatedData = Manifest.artefactAssociatedData(PackRecord.backupIdOf(job, packId), PackRecord.ARTEFACT);
        Pipe current = pipe;
        String currentId = packId;
        pending.add(new Pending(packId, key, encoder.submit(() -> {
            Manifest.Artefact artefact;
            try (InputStream raw = current.source()) {
                artefact = writer.write(key, PackRecord.ARTEFACT, raw, stores, associatedData, new AtomicLong());
            }
            if (writer.settings().verifyAfterWrite()) {
                PackRecord record = record(currentId, key, artefact);
                reader.verifyWritten(stores, key, record.manifest(job), record.artefact(), raw -> { });
            }
            return artefact;
        })));
    }

    private PackRecord record(String id, String key, Manifest.Artefact artefact) throws IOException {
        return new PackRecord(id, key, artefact.rawSize(), artefact.rawSha256(), artefact.storedSize(),
                artefact.storedSha256(), writer.settings().compression().id(), writer.encryption());
    }

    /** Ends the pack being filled; it is encoded and read back while the next one fills (at most two in flight). */
    private void closePack() throws IOException {
        try {
            sink.close();
        } catch (IOException e) {
            throw storeFailure(pending.peekLast(), e);
        }
        pipe = null;
        sink = null;
        while (pending.size() > 1) {
            collect(pending.poll());
        }
    }

    private void collect(Pending sent) throws IOException {
        try {
            written.add(record(sent.id(), sent.key(), sent.upload().get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while storing a pack");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** A write into the pipe failed because its upload did: the upload's own error says more. */
    private IOException storeFailure(Pending sent, IOException pipeError) {
        if (sent == null) {
            return pipeError;
        }
        try {
            sent.upload().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException ignored) {
            // fall through: the pipe's own error
        }
        return pipeError;
    }
}
