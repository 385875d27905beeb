package com.mking.backup.cli;

import com.mking.backup.job.InterruptedRuns;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.monitor.MonitorRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true, description = "Run the daemon's monitoring once: interrupted runs, staleness, protection, store usage "
        + "(recorded in storage_monitoring), copy counts, host; alerts as the daemon would (exit 1 when something is wrong).")
final class CheckCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            boolean clear = true;
            for (InterruptedRuns.Aborted aborted : runtime.bean(InterruptedRuns.class).sweep()) {
                clear = false;
                System.out.printf("%-8s %s was interrupted: marked aborted, %d leftovers removed%n", "DANGER",
                        aborted.what(), aborted.leftoversRemoved());
            }
            // not a fault (a store may be there for restores alone): said, without failing the check
            for (String store : runtime.bean(JobCatalog.class).unusedStores()) {
                System.out.printf("%-8s %s%n", "NOTICE", BackupRuntime.unusedStoreWarning(store));
            }
            List<MonitorRunner.Finding> findings = runtime.bean(MonitorRunner.class).runOnce();
            for (MonitorRunner.Finding finding : findings) {
                if (finding.alert().isPresent()) {
                    clear = false;
                    System.out.printf("%-8s %s: %s%n", finding.alert().get().level(), finding.alert().get().subject(),
                            finding.alert().get().detail());
                } else {
                    System.out.printf("%-8s %s%n", "OK", finding.condition());
                }
            }
            return clear ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
