package com.mking.backup.cli;

import com.mking.backup.job.JobCatalog;
import com.mking.backup.job.JobSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.Date;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "start", description = "Run the daemon: every job on its Quartz cron from routes/*.yaml, until stopped.")
final class StartCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Override
    public Integer call() throws Exception {
        BackupRuntime runtime = parent.boot(true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "shutdown"));
        runtime.startObservability();
        runtime.startTriggers();
        System.out.println("mking-backup daemon started; jobs:");
        Date now = new Date();
        for (JobSpec job : runtime.jobs().jobs()) {
            System.out.printf("  %-24s %-8s cron \"%s\"  next %s  stores %s%n", job.name(), job.source(), job.cron(),
                    JobCatalog.nextFire(job, now).map(Date::toString).orElse("never"), String.join(",", job.stores()));
        }
        if (runtime.jobs().jobs().isEmpty()) {
            System.out.println("  (none: add templatedRoute entries to routes/*.yaml)");
        }
        stopped.await();
        return MkingBackup.OK;
    }
}
