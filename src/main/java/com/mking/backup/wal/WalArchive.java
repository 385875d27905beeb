package com.mking.backup.wal;

import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.ArtefactWriter;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.pipeline.Publisher;
import com.mking.backup.pipeline.Sha256;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WAL archive of a pg-physical job: {@code <job>/wal/<file><suffix>} with {@code <file>.json}
 * beside it, written last (a segment without its manifest does not exist). Segments go through the same
 * pipeline as backups (compression, SHA-256, encryption) into every store of the job.
 *
 * <p>Pushing is idempotent: the same name with the same content succeeds without writing; the same
 * name with different content fails ({@link ConflictException}), because two clusters writing one
 * archive would corrupt it.
 */
public final class WalArchive {

    private static final Logger LOG = LoggerFactory.getLogger(WalArchive.class);

    private final JobCatalog jobs;
    private final StoreRegistry stores;
    private final ArtefactWriter writer;
    private final ArtefactReader reader;
    private final Clock clock;

    public WalArchive(JobCatalog jobs, StoreRegistry stores, ArtefactWriter writer, ArtefactReader reader, Clock clock) {
        this.jobs = jobs;
        this.stores = stores;
        this.writer = writer;
        this.reader = reader;
        this.clock = clock;
    }

    /** The same name already holds other content. */
    public static final class ConflictException extends IOException {
        ConflictException(String message) {
            super(message);
        }
    }

    public static String prefix(String job) {
        return job + "/wal/";
    }

    /** Stores the file durably in every store of the job; returns true when it was already there. */
    public boolean push(String job, String file, InputStream data) throws IOException {
        JobSpec spec = archiveJob(job);
        requireArchivable(file);
        List<Store> targets = spec.stores().stream().map(stores::get).toList();
        String manifestKey = prefix(job) + file + ".json";
        Optional<Manifest> existing = findManifest(targets, manifestKey);
        if (existing.isPresent()) {
            String incoming = Sha256.of(data).sha256();
            String stored = existing.get().artefact().rawSha256();
            if (!incoming.equals(stored)) {
                throw new ConflictException("WAL file " + file + " of job " + job + " is already archived with different "
                        + "content (sha256 " + stored + ", pushed " + incoming + "): is a second cluster archiving here?");
            }
            if (allHave(targets, manifestKey)) {
                LOG.info("WAL file {} of job {} is already archived with the same content", file, job);
                return true;
            }
            throw new IOException("WAL file " + file + " of job " + job + " is archived in some stores only; "
                    + "its archive needs repair before more WAL can be accepted under that name");
        }
        String dataKey = prefix(job) + file + writer.storedSuffix();
        for (Store store : targets) {
            store.delete(dataKey); // leftovers of an interrupted push, never published (no manifest)
        }
        Manifest.Artefact artefact = writer.write(dataKey, file, data, targets, job + "/" + file, new AtomicLong());
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, file, job, "pg-wal", "wal", clock.instant(), clock.instant(),
                null, null, writer.settings().compression().id(), writer.encryption(), List.of(artefact), Map.of());
        new Publisher(reader, writer.settings().verifyAfterWrite()).publish(targets, dataKey, manifestKey, manifest);
        return false;
    }

    /** True when the file is archived (has its manifest) in the store to read from. */
    public boolean isArchived(String job, String file, String fromStore) throws IOException {
        requireArchivable(file);
        return locate(job, file, fromStore).isPresent();
    }

    /** Writes the original bytes of an archived file; {@link FileNotFoundException} when it is not archived. */
    public void fetch(String job, String file, String fromStore, OutputStream out) throws IOException {
        requireArchivable(file);
        Map.Entry<Store, String> found = locate(job, file, fromStore).orElseThrow(() -> new FileNotFoundException(
                "WAL file " + file + " of job " + job + " is not in the archive"));
        Store store = found.getKey();
        Manifest manifest = Manifest.read(store.get(found.getValue()));
        String dataKey = prefix(job) + manifest.artefact().storedName();
        try (InputStream raw = reader.openRaw(store, dataKey, manifest, manifest.artefact())) {
            raw.transferTo(out);
        }
    }

    /** The first store (the named one, else the job's in order) holding the file's manifest. */
    private Optional<Map.Entry<Store, String>> locate(String job, String file, String fromStore) throws IOException {
        JobSpec spec = jobs.find(job).orElse(null);
        List<String> names = fromStore != null ? List.of(fromStore) : spec != null ? spec.stores() : stores.names();
        String manifestKey = prefix(job) + file + ".json";
        for (String name : names) {
            Store store = stores.get(name);
            if (store.size(manifestKey).isPresent()) {
                return Optional.of(Map.entry(store, manifestKey));
            }
        }
        return Optional.empty();
    }

    /** Names of the archived files (complete ones: those with a manifest), sorted. */
    public TreeSet<String> archived(String job, Store store) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (String key : store.list(prefix(job))) {
            if (key.endsWith(".json")) {
                names.add(key.substring(prefix(job).length(), key.length() - ".json".length()));
            }
        }
        return names;
    }

    /** Deletes an archived file (manifest first, so it stops existing before its data goes). */
    public void delete(String job, Store store, String file) throws IOException {
        String manifestKey = prefix(job) + file + ".json";
        if (store.size(manifestKey).isEmpty()) {
            return;
        }
        Manifest manifest = Manifest.read(store.get(manifestKey));
        store.delete(manifestKey);
        store.delete(prefix(job) + manifest.artefact().storedName());
    }

    private JobSpec archiveJob(String job) {
        JobSpec spec = jobs.job(job);
        if (!"pg-physical".equals(spec.source())) {
            throw new IllegalArgumentException("job '" + job + "' is a " + spec.source() + " job; WAL belongs to a pg-physical job");
        }
        return spec;
    }

    private static void requireArchivable(String file) {
        if (!WalNames.isArchivable(file)) {
            throw new IllegalArgumentException("'" + file + "' is not a WAL file name");
        }
    }

    private static Optional<Manifest> findManifest(List<Store> targets, String manifestKey) throws IOException {
        for (Store store : targets) {
            if (store.size(manifestKey).isPresent()) {
                return Optional.of(Manifest.read(store.get(manifestKey)));
            }
        }
        return Optional.empty();
    }

    private static boolean allHave(List<Store> targets, String key) throws IOException {
        for (Store store : targets) {
            if (store.size(key).isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
