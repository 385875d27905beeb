package com.mking.backup.cli;

import com.mking.backup.job.JobSpec;
import com.mking.backup.retention.Pruner;
import com.mking.backup.retention.RetentionPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
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
            Pruner pruner = runtime.bean(Pruner.class);
            List<JobSpec> jobs = job == null ? runtime.jobs().jobs() : List.of(runtime.jobs().job(job));
            for (JobSpec spec : jobs) {
                for (var perStore : pruner.prune(spec, dryRun).entrySet()) {
                    RetentionPolicy.Rules rules = pruner.rules(spec, perStore.getKey());
                    System.out.printf("job %s, store %s: keep last %d, daily %d, weekly %d, monthly %d, yearly %d%s%n", spec.name(),
                            perStore.getKey(), rules.last(), rules.daily(), rules.weekly(), rules.monthly(), rules.yearly(),
                            dryRun ? " (dry run)" : "");
                    perStore.getValue().kept().forEach((id, reasons) ->
                            System.out.printf("  keep   %s  %s%n", id, String.join(", ", reasons)));
                    perStore.getValue().removed().forEach(removed -> System.out.printf("  %s %s%s%n",
                            dryRun ? "would delete" : "delete", removed.backupId(),
                            removed.verificationFailed() ? "  (verification failed)" : ""));
                }
            }
            return MkingBackup.OK;
        }
    }
}
