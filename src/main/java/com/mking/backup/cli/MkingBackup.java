package com.mking.backup.cli;

import com.mking.backup.config.ConfigException;
import com.mking.backup.audit.AuditDatabase;
import com.mking.backup.audit.AuditUnavailableException;
import com.mking.backup.job.BackupRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator's entry point: {@code mking-backup start | run | list | restore | keygen}.
 * Exit codes: 0 success, 1 the operation failed, 2 bad usage or configuration, 3 skipped (the job is already
 * running).
 */
@Command(name = "mking-backup", mixinStandardHelpOptions = true, version = "mking-backup 0.1.0",
        description = "Backup and disaster-recovery orchestrator (Apache Camel routes).",
        subcommands = {StartCommand.class, RunCommand.class, ListCommand.class, RestoreCommand.class, RecoverCommand.class,
                WalVerifyCommand.class, WalFetchCommand.class, StopCommand.class, VerifyCommand.class, PruneCommand.class, CheckCommand.class, ReportCommand.class, RestoreTestCommand.class, CatalogRebuildCommand.class, ExportCommand.class, ImportCommand.class, StatusCommand.class, SourcesCommand.class, KeygenCommand.class})
public final class MkingBackup {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int CONFIG = 2;
    public static final int SKIPPED = 3;

    @Option(names = "--config", paramLabel = "FILE", description = "extra properties file (repeatable); wins over application.properties")
    List<Path> configFiles = new ArrayList<>();

    @Option(names = "--routes", paramLabel = "DIR", description = "directory of the policy route files (default: routes/)")
    Path routesDir;

    BackupRuntime boot(boolean daemon) {
        return boot(daemon ? BackupRuntime.Profile.DAEMON : BackupRuntime.Profile.COMMAND);
    }

    BackupRuntime boot(BackupRuntime.Profile profile) {
        Map<String, String> overrides = routesDir == null ? Map.of() : Map.of("mking.routes-dir", routesDir.toString());
        return BackupRuntime.boot(configFiles, profile, overrides);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new MkingBackup());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("configuration error: " + e.getMessage());
                return CONFIG;
            }
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + e.getMessage());
                return CONFIG;
            }
            if (e instanceof AuditUnavailableException
                    || AuditDatabase.isUnreachable(e)) {
                cmd.getErr().println("failed: " + (e instanceof AuditUnavailableException
                        ? e.getMessage() : AuditDatabase.unreachable(e)));
                return FAILED;
            }
            cmd.getErr().println("failed: " + BackupRunner.describe(e));
            return FAILED;
        });
        return commandLine.execute(args);
    }
}
