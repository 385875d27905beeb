package com.mking.backup.cli;

import com.mking.backup.app.VerifyService;
import com.mking.backup.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

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

    @Option(names = "--read-all", description = "files snapshots: decode every pack and compare every file (default: "
            + "every pack present with its size, a daily-changing sample of files decoded)")
    boolean readAll;

    @Override
    public Integer call() {
        if ((backupId == null) == !all) {
            throw new IllegalArgumentException("give a BACKUP_ID or --all");
        }
        if (samplePercent < 1 || samplePercent > 100) {
            throw new IllegalArgumentException("--sample must be 1 to 100");
        }
        try (BackupRuntime runtime = parent.boot(false)) {
            VerifyService verification = runtime.bean(VerifyService.class);
            List<String> ids = backupId != null ? List.of(backupId) : verification.sample(samplePercent);
            boolean allPassed = true;
            for (String id : ids) {
                List<Verifier.CopyResult> results;
                try {
                    results = verification.verify(id, readAll);
                } catch (IllegalArgumentException gone) {
                    if (backupId != null) {
                        throw gone; // the operator's id: exit 2 with the hint
                    }
                    System.err.println(id + ": not verified (deleted since the sample was drawn)");
                    continue;
                }
                if (results.isEmpty()) {
                    System.err.println(id + ": not verified (no copies)");
                    allPassed = false;
                    continue;
                }
                for (Verifier.CopyResult result : results) {
                    allPassed &= result.passed();
                    String detail = switch (result.outcome()) {
                        case PASSED -> result.formatChecked() ? " (decrypted, SHA-256, format)" : " (decrypted, SHA-256)";
                        case FAILED -> ": " + result.error();
                        case NOT_VERIFIED -> " (cannot check it here; its status is unchanged): " + result.error();
                    };
                    System.out.printf("%s %-8s %s%s%n", result.backupId(), result.store(), switch (result.outcome()) {
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
