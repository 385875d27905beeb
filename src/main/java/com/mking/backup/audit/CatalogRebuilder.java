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
            if (catalog.find(backup.getKey()).filter(entry -> !entry.copies().isEmpty()).isPresent()) {
                continue;
            }
            Map.Entry<Store, String> first = backup.getValue().entrySet().iterator().next();
            Manifest manifest = Manifest.read(first.getKey().get(first.getValue()));
            Integer executionId = catalog.find(backup.getKey()).isPresent() ? null : insertExecution(manifest, first);
            if (executionId == null) {
                continue;
            }
            added++;
            for (Map.Entry<Store, String> copy : backup.getValue().entrySet()) {
                String prefix = copy.getValue().substring(0, copy.getValue().length() - Manifest.FILE_NAME.length());
                Map<String, Object> row = new HashMap<>();
                row.put("executionId", executionId);
                row.put("store", copy.getKey().name());
                row.put("location", copy.getKey().describe());
                row.put("dataKey", prefix + manifest.artefact().storedName()); // the first artefact's, as a run records it
                row.put("manifestKey", copy.getValue());
                row.put("size", manifest.storedSize());
                row.put("sha256", manifest.storedSha256());
                producer.sendBody(COPY_ROUTE, row);
                copies++;
            }
            LOG.info("catalog: added backup {} of job {} from its manifests", manifest.backupId(), manifest.job());
        }
        return new Result(manifests.size(), added, copies);
    }

    private Integer insertExecution(Manifest manifest, Map.Entry<Store, String> first) {
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
        row.put("backupPath", first.getKey().describe() + "/" + Manifest.dataKey(first.getValue(), manifest.artefact()));
        row.put("manifestKey", first.getValue());
        row.put("compression", manifest.compression());
        row.put("keyId", manifest.encryption() == null ? null : manifest.encryption().keyId());
        row.put("toolVersion", manifest.toolVersion());
        row.put("serverVersion", manifest.serverVersion());
        List<?> ids = producer.requestBody(EXECUTION_ROUTE, row, List.class);
        return ids == null || ids.isEmpty() ? null : ((Number) ((Map<?, ?>) ids.get(0)).get("id")).intValue();
    }
}
