package com.mking.backup.cli;

import com.mking.backup.config.Settings;
import com.mking.backup.job.InterruptedRuns;
import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "start", mixinStandardHelpOptions = true, description = "Run the daemon: every job on its Quartz cron "
        + "from routes/*.yaml, the WAL endpoint, health and metrics, until stopped (SIGTERM, Ctrl-C or 'mking-backup stop'; exit 0).")
final class StartCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Override
    public Integer call() throws Exception {
        BackupRuntime runtime = parent.boot(true);
        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM and Ctrl-C end the daemon like any other stop: a clean shutdown and exit 0, not 143
        for (String signal : new String[]{"TERM", "INT"}) {
            Signal.handle(new Signal(signal), received -> stopRequested.countDown());
        }
        Path pidFile = new Settings(runtime.context()).dataDir().resolve(StopCommand.PID_FILE);
        try {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
            runtime.startObservability();
            for (InterruptedRuns.Aborted aborted : runtime.bean(InterruptedRuns.class).sweep()) {
                System.out.printf("found %s interrupted: marked aborted, %d leftovers removed%n", aborted.what(),
                        aborted.leftoversRemoved());
            }
            runtime.startTriggers();
            System.out.println("mking-backup daemon started (pid " + ProcessHandle.current().pid() + "); jobs:");
            Date now = new Date();
            for (JobSpec job : runtime.jobs().jobs()) {
                System.out.printf("  %-24s %-8s cron \"%s\"  next %s  stores %s%n", job.name(), job.source(), job.cron(),
                        JobCatalog.nextFire(job, now).map(Date::toString).orElse("never"), String.join(",", job.stores()));
            }
            if (runtime.jobs().jobs().isEmpty()) {
                System.out.println("  (none: add templatedRoute entries to routes/*.yaml)");
            }
            stopRequested.await();
            System.out.println("mking-backup daemon stopping ...");
        } finally {
            runtime.close();
            Files.deleteIfExists(pidFile);
        }
        System.out.println("mking-backup daemon stopped");
        return MkingBackup.OK;
    }
}
