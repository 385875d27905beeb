package com.mking.backup.cli;

import com.mking.backup.app.RetentionService;
import com.mking.backup.retention.RetentionPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "prune", mixinStandardHelpOptions = true, description = "Apply each job's retention rules (keepLast/Daily/Weekly/Monthly/Yearly in routes/*.yaml): "
        + "print which rule keeps each backup, delete the others (audited).")
final class PruneCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--job", paramLabel = "JOB", description = "only this job")
    String job;

    @Option(names = "--dry-run", description = "print what would be deleted and why the rest stays; delete nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        try (BackupRuntime runtime = parent.boot(false)) {
            RetentionService.Result result = runtime.bean(RetentionService.class).prune(job, dryRun);
            for (RetentionService.StoreDecision decision : result.decisions()) {
                RetentionPolicy.Rules rules = decision.rules();
                System.out.printf("job %s, store %s: keep last %d, daily %d, weekly %d, monthly %d, yearly %d%s%n", decision.job(),
                        decision.store(), rules.last(), rules.daily(), rules.weekly(), rules.monthly(), rules.yearly(),
                        dryRun ? " (dry run)" : "");
                decision.decision().kept().forEach((id, reasons) ->
                        System.out.printf("  keep   %s  %s%n", id, String.join(", ", reasons)));
                decision.decision().removed().forEach(removed -> System.out.printf("  %s %s%s%n",
                        dryRun ? "would delete" : "delete", removed.backupId(),
                        removed.verificationFailed() ? "  (verification failed)" : ""));
                if (decision.sweep() != null) {
                    System.out.printf("  packs: %d referenced by the snapshots kept; %d unreferenced (%s) %s%n",
                            decision.sweep().kept(), decision.sweep().unreferenced().size(),
                            com.mking.backup.report.Bytes.human(decision.sweep().bytes()), dryRun ? "would be removed" : "removed");
                }
            }
            result.failures().forEach((failed, reason) -> System.err.printf("job %s not pruned: %s%n", failed, reason));
            return result.failures().isEmpty() ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
