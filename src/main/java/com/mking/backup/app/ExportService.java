package com.mking.backup.app;

import com.mking.backup.export.ExportVerifier;
import com.mking.backup.export.Exporter;
import com.mking.backup.export.Importer;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Offline copies (seed: tape/DVD): {@code export} writes chosen backups, the WAL their point-in-time recovery needs, a
 * catalog, a recovery sheet and a sha256sum listing to a directory (or volumes of a given size) laid out as a local store;
 * {@code export --verify} checks one anywhere; {@code import} makes one restorable on a machine that has nothing else.
 * Used by the CLI; the mechanism is in {@code com.mking.backup.export}.
 */
public final class ExportService {

    private final Exporter exporter;
    private final Importer importer;
    private final StoreRegistry stores;

    public ExportService(Exporter exporter, Importer importer, StoreRegistry stores) {
        this.exporter = exporter;
        this.importer = importer;
        this.stores = stores;
    }

    /** Exports; an operator mistake (unknown id or job, a non-empty target, a volume too small) is an IllegalArgumentException. */
    public Exporter.Result export(Exporter.Request request, Consumer<String> progress) throws IOException {
        return exporter.export(request, progress);
    }

    /** Checks an export on its own: needs no configuration, audit database or key. */
    public static ExportVerifier.Report verify(Path dir) throws IOException {
        return ExportVerifier.verify(dir, "--verify");
    }

    /**
     * Imports into the store named (null: the first local store of the configuration). A damaged export
     * ({@link Importer.DamagedExportException}) imports nothing.
     */
    public Importer.Result importInto(Path dir, String storeName, Consumer<String> progress) throws IOException {
        return importer.importInto(dir, target(storeName), progress);
    }

    /** The store an import writes to: the one named, else the first local store. */
    public Store target(String storeName) {
        if (storeName != null) {
            return stores.get(storeName);
        }
        return stores.names().stream().map(stores::get).filter(store -> store.localDirectory().isPresent()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no local store in mking.stores (" + String.join(", ", stores.names())
                        + ") to import into: name one with --into STORE"));
    }
}
