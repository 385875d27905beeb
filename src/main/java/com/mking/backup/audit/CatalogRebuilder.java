package com.mking.backup.audit;

import com.mking.backup.pipeline.Manifest;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the backup catalog from the stores alone (the audit database was lost or restored from an
 * older copy): every {@code manifest.json} found becomes a successful backup_executions row with one
 * backup_copies row per store holding it. Backups the catalog already knows are left as they are.
 */
public final class CatalogRebuilder {

    public static final String EXECUTION_ROUTE = "direct:execution-rebuilt";
    public static final String COPY_ROUTE = "direct:copy-rebuilt";
    private static final Logger LOG = LoggerFactory.getLogger(CatalogRebuilder.class);

    private final StoreRegistry stores;
    private final Catalog catalog;
    private final ProducerTemplate producer;

    public CatalogRebuilder(StoreRegistry stores, Catalog catalog, ProducerTemplate producer) {
        this.stores = stores;
        this.catalog = catalog;
        this.producer = producer;
    }

    public record Result(int found, int added, int copiesAdded) {
    }

    public Result rebuild() throws IOException {
        Map<String, Map<Store, String>> manifests = new LinkedHashMap<>();
        for (String name : stores.names()) {
            Store store = stores.get(name);
            for (String key : store.list("")) {
                if (key.endsWith("/" + Manifest.FILE_NAME)) {
                    String backupId = key.split("/")[key.split("/").length - 2];
                    manifests.computeIfAbsent(backupId, id -> new LinkedHashMap<>()).put(store, key);
                }
            }
        }
        int added = 0;
        int copies = 0;
        for (Map.Entry<String, Map<Store, String>> backup : manifests.entrySet()) {
            if (catalog.find(backup.getKey()).isPresent()) {
                continue; // known, with or without copies: left as it is
            }
            Map.Entry<Store, String> first = backup.getValue().entrySet().iterator().next();
            Manifest manifest = Manifest.read(first.getKey().get(first.getValue()));
            if (!insertExecution(manifest, first.getKey(), first.getValue(), "catalog-rebuild")) {
                continue;
            }
            added++;
            for (Map.Entry<Store, String> copy : backup.getValue().entrySet()) {
                insertCopy(manifest, copy.getKey(), copy.getValue());
                copies++;
            }
            LOG.info("catalog: added backup {} of job {} from its manifests", manifest.backupId(), manifest.job());
        }
        return new Result(manifests.size(), added, copies);
    }

    /** What {@link #add} did with each manifest: backup ids added, ids that got a copy in the store, ids known, and why others were left out. */
    public record Added(List<String> added, List<String> copiesAdded, List<String> known, List<String> leftOut) {
    }

    /**
     * Adds the backups whose manifests are at {@code manifestKeys} in {@code store} (an import): a backup the catalog does
     * not know becomes a successful run with its copy there; a known one gets its copy in that store recorded if it had
     * none; one whose data is not all in the store yet (a later volume of an export) is left out, with the reason.
     * Adding the same manifests again changes nothing.
     */
    public Added add(Store store, List<String> manifestKeys, String triggeredBy) throws IOException {
        List<String> added = new java.util.ArrayList<>();
        List<String> copiesAdded = new java.util.ArrayList<>();
        List<String> known = new java.util.ArrayList<>();
        List<String> leftOut = new java.util.ArrayList<>();
        for (String manifestKey : manifestKeys) {
            Manifest manifest = Manifest.read(store.get(manifestKey));
            java.util.Optional<String> absent = java.util.Optional.empty();
            for (String dataKey : manifest.dataKeys(manifestKey)) {
                if (store.size(dataKey).isEmpty()) {
                    absent = java.util.Optional.of(dataKey);
                    break;
                }
            }
            if (absent.isPresent()) {
                leftOut.add("backup " + manifest.backupId() + " of job " + manifest.job() + ": " + absent.get()
                        + " is not in store '" + store.name() + "' (in another volume?)");
                continue;
            }
            java.util.Optional<CatalogEntry> entry = catalog.find(manifest.backupId());
            if (entry.isEmpty()) {
                if (insertExecution(manifest, store, manifestKey, triggeredBy)) {
                    insertCopy(manifest, store, manifestKey);
                    added.add(manifest.backupId());
                    LOG.info("catalog: added backup {} of job {} from store '{}' ({})", manifest.backupId(), manifest.job(),
                            store.name(), triggeredBy);
                }
            } else if (!"success".equals(entry.get().status()) || entry.get().storeNames().contains(store.name())) {
                known.add(manifest.backupId());
            } else {
                insertCopy(manifest, store, manifestKey);
                copiesAdded.add(manifest.backupId());
            }
        }
        return new Added(added, copiesAdded, known, leftOut);
    }

    private void insertCopy(Manifest manifest, Store store, String manifestKey) {
        String prefix = manifestKey.substring(0, manifestKey.length() - Manifest.FILE_NAME.length());
        Map<String, Object> row = new HashMap<>();
        row.put("backupId", manifest.backupId());
        row.put("store", store.name());
        row.put("location", store.describe());
        row.put("dataKey", prefix + manifest.artefact().storedName()); // the first artefact's, as a run records it
        row.put("manifestKey", manifestKey);
        row.put("size", manifest.storedSize());
        row.put("sha256", manifest.storedSha256());
        producer.sendBody(COPY_ROUTE, row);
    }

    private boolean insertExecution(Manifest manifest, Store store, String manifestKey, String triggeredBy) {
        Map<String, Object> row = new HashMap<>();
        row.put("backupId", manifest.backupId());
        row.put("job", manifest.job());
        row.put("source", manifest.source());
        row.put("method", manifest.method());
        row.put("startTime", AuditTimes.utc(manifest.startedAt()));
        row.put("endTime", AuditTimes.utc(manifest.finishedAt()));
        row.put("durationSeconds", AuditTimes.seconds(manifest.startedAt(), manifest.finishedAt()));
        row.put("storedSize", manifest.storedSize());
        row.put("rawSize", manifest.rawSize());
        row.put("sha256", manifest.storedSha256());
        row.put("rawSha256", manifest.rawSha256());
        row.put("fileCount", manifest.artefacts().size());
        // as a run records it: the first artefact's location
        row.put("backupPath", store.describe() + "/" + Manifest.dataKey(manifestKey, manifest.artefact()));
        row.put("manifestKey", manifestKey);
        row.put("compression", manifest.compression());
        row.put("keyId", manifest.encryption() == null ? null : manifest.encryption().keyId());
        row.put("toolVersion", manifest.toolVersion());
        row.put("serverVersion", manifest.serverVersion());
        row.put("triggeredBy", triggeredBy);
        List<?> ids = producer.requestBody(EXECUTION_ROUTE, row, List.class);
        return ids != null && !ids.isEmpty();
    }
}
