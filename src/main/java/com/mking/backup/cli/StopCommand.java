package com.mking.backup.cli;

import com.mking.backup.config.Settings;
import com.mking.backup.config.PropertySources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the daemon of this installation (the pid in "
        + "<data-dir>/" + StopCommand.PID_FILE + "), as SIGTERM does: running jobs end, the schedule stays in the audit database.")
final class StopCommand implements Callable<Integer> {

    static final String PID_FILE = "mking-backup.pid";

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60", description = "how long to wait for it to stop (default ${DEFAULT-VALUE})")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        Path pidFile = Settings.home().resolve(PropertySources.load(Settings.home(), parent.configFiles)
                .get("mking.data-dir", "data")).resolve(PID_FILE);
        if (!Files.exists(pidFile)) {
            throw new IllegalArgumentException("no daemon is running here (" + pidFile + " does not exist)");
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Optional<ProcessHandle> daemon = ProcessHandle.of(pid);
        if (daemon.isEmpty() || !daemon.get().isAlive()) {
            Files.deleteIfExists(pidFile);
            throw new IllegalArgumentException("no daemon is running here (process " + pid + " of " + pidFile + " is gone)");
        }
        daemon.get().destroy();
        try {
            daemon.get().onExit().get(waitSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("the daemon (pid " + pid + ") has not stopped after " + waitSeconds + " s; it is still finishing running jobs");
            return MkingBackup.FAILED;
        }
        System.out.println("mking-backup daemon (pid " + pid + ") stopped");
        return MkingBackup.OK;
    }
}
