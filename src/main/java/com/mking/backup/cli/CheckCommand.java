package com.mking.backup.cli;

import com.mking.backup.monitor.MonitorRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true, description = "Run the daemon's monitoring once: staleness, store usage (recorded in storage_monitoring) "
        + "and copy counts; alerts as the daemon would (exit 1 when something is wrong).")
final class CheckCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            List<MonitorRunner.Finding> findings = runtime.bean(MonitorRunner.class).runOnce();
            boolean clear = true;
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
