package com.mking.backup.verify;

import com.mking.backup.audit.CatalogEntry;
import com.mking.backup.exec.RunningTool;
import com.mking.backup.job.BackupRunner;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.ArtefactReader;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.source.SourceRegistry;
import com.mking.backup.source.ToolCommand;
import com.mking.backup.store.Store;
import com.mking.backup.store.StoreRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.exec.ExecBinding;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies stored copies: each copy is read back in full and its size and SHA-256 compared with the
 * manifest, then the decoded data is handed to the format's own check ({@code pg_restore --list},
 * {@code tar --list}) through camel-exec. The result of each copy is one {@link CopyResult}.
 */
public final class Verifier {

    private final StoreRegistry stores;
    private final SourceRegistry sources;
    private final JobCatalog jobs;
    private final ArtefactReader reader;
    private final ProducerTemplate producer;
    private final Clock clock;

    public Verifier(StoreRegistry stores, SourceRegistry sources, JobCatalog jobs, ArtefactReader reader,
                    ProducerTemplate producer, Clock clock) {
        this.stores = stores;
        this.sources = sources;
        this.jobs = jobs;
        this.reader = reader;
        this.producer = producer;
        this.clock = clock;
    }

    /** The outcome for one copy; getters are read by the audit SQL. */
    public record CopyResult(String backupId, String store, boolean checksumMatch, boolean formatChecked, boolean passed,
                             String error, Instant startedAt, Instant finishedAt) {
    }

    public List<CopyResult> verify(CatalogEntry entry) {
        return entry.copies().stream().map(copy -> verifyCopy(entry, copy)).toList();
    }

    public CopyResult verifyCopy(CatalogEntry entry, CatalogEntry.Copy copy) {
        Instant started = clock.instant();
        boolean checksum = false;
        boolean format = false;
        try {
            Store store = stores.get(copy.store());
            Manifest manifest = Manifest.read(store.get(copy.manifestKey()));
            reader.verifyStored(store, copy.dataKey(), manifest.artefact());
            checksum = true;
            JobSpec job = jobs.find(manifest.job()).orElse(new JobSpec(manifest.job(), manifest.source(), "", List.of(),
                    Map.of(), null));
            Optional<ToolCommand> check = sources.get(manifest.source()).checkCommand(job, manifest);
            if (check.isPresent()) {
                runCheck(check.get(), reader.openRaw(store, copy.dataKey(), manifest, manifest.artefact()));
                format = true;
            } else {
                // no format tool: decoding to the end checks the raw SHA-256 (and every encrypted segment)
                try (InputStream raw = reader.openRaw(store, copy.dataKey(), manifest, manifest.artefact())) {
                    raw.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            return new CopyResult(entry.backupId(), copy.store(), true, format, true, null, started, clock.instant());
        } catch (Exception e) {
            return new CopyResult(entry.backupId(), copy.store(), checksum, format, false, BackupRunner.describe(e), started,
                    clock.instant());
        }
    }

    private void runCheck(ToolCommand command, InputStream raw) throws Exception {
        Exchange result = producer.send("exec:verify-tool?commandExecutor=#toolExecutor", exchange -> {
            exchange.getMessage().setBody(raw);
            exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, command.executable());
            exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, command.args());
        });
        if (result.getException() != null) {
            throw result.getException();
        }
        result.getMessage().getBody(RunningTool.class).awaitSuccess();
    }
}
