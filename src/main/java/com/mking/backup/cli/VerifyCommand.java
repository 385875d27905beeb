package com.mking.backup.cli;

import com.mking.backup.audit.Catalog;
import com.mking.backup.route.VerifyRoutes;
import com.mking.backup.verify.Sampling;
import com.mking.backup.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-read stored copies, compare SHA-256 and run the format's own check; "
        + "one backup_verifications row per copy (exit 1 when a copy fails).")
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Parameters(paramLabel = "BACKUP_ID", arity = "0..1", description = "the backup to verify")
    String backupId;

    @Option(names = "--all", description = "verify successful backups, least recently verified first")
    boolean all;

    @Option(names = "--sample", paramLabel = "PERCENT", defaultValue = "100",
            description = "with --all: this share of the backups per run, so that a daily run reads every copy "
                    + "within 100/PERCENT days (default ${DEFAULT-VALUE})")
    int samplePercent;

    @Override
    public Integer call() {
        if ((backupId == null) == !all) {
            throw new IllegalArgumentException("give a BACKUP_ID or --all");
        }
        if (samplePercent < 1 || samplePercent > 100) {
            throw new IllegalArgumentException("--sample must be 1 to 100");
        }
        try (BackupRuntime runtime = parent.boot(false)) {
            List<String> ids = new ArrayList<>();
            if (backupId != null) {
                if (runtime.bean(Catalog.class).find(backupId).isEmpty()) {
                    throw new IllegalArgumentException("no backup " + backupId + " in the catalog ('mking-backup list' shows "
                            + "the backups; after losing the audit database: 'mking-backup catalog-rebuild')");
                }
                ids.add(backupId);
            } else {
                ids.addAll(Sampling.pick(runtime.bean(Catalog.class).list(null, null, "success", 1_000_000), samplePercent));
            }
            boolean allPassed = true;
            for (String id : ids) {
                List<?> results = runtime.producer().requestBodyAndHeader(VerifyRoutes.VERIFY, null, VerifyRoutes.BACKUP_ID, id,
                        List.class);
                if (results == null || results.isEmpty()) {
                    System.err.println(id + ": not verified (unknown backup or no copies)");
                    allPassed = false;
                    continue;
                }
                for (Object item : results) {
                    Verifier.CopyResult result = (Verifier.CopyResult) item;
                    allPassed &= result.passed();
                    String detail = switch (result.outcome()) {
                        case PASSED -> result.formatChecked() ? " (decrypted, SHA-256, format)" : " (decrypted, SHA-256)";
                        case FAILED -> ": " + result.error();
                        case NOT_VERIFIED -> " (cannot check it here; its status is unchanged): " + result.error();
                    };
                    System.out.printf("%s %-8s %s%s%n", id, result.store(), switch (result.outcome()) {
                        case PASSED -> "passed";
                        case FAILED -> "FAILED";
                        case NOT_VERIFIED -> "NOT VERIFIED";
                    }, detail);
                }
            }
            return allPassed ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
