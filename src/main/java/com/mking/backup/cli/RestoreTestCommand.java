package com.mking.backup.cli;

import com.mking.backup.restore.RestoreTester;
import com.mking.backup.route.VerifyRoutes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restore-test", mixinStandardHelpOptions = true, description = "Restore the newest backup of each database job into a scratch target, "
        + "run its testQueries, record the result and duration, remove the scratch target (exit 1 on a failure).")
final class RestoreTestCommand implements Callable<Integer> {

    @ParentCommand
    MkingBackup parent;

    @Option(names = "--job", paramLabel = "JOB", description = "only this job")
    String job;

    @Override
    public Integer call() {
        try (BackupRuntime runtime = parent.boot(false)) {
            com.mking.backup.restore.RestoreTester tester = runtime.bean(com.mking.backup.restore.RestoreTester.class);
            List<String> testable = runtime.jobs().jobs().stream().filter(tester::isTestable)
                    .map(com.mking.backup.job.JobSpec::name).toList();
            if (job != null && !tester.isTestable(runtime.jobs().job(job))) {
                throw new IllegalArgumentException("job '" + job + "' has no restore test here (its source has none, or "
                        + "the tools it needs are missing); jobs that have one: "
                        + (testable.isEmpty() ? "none" : String.join(", ", testable)));
            }
            if (testable.isEmpty()) {
                System.out.println("no job here has a restore test (PostgreSQL, Redis, git and files jobs have one)");
                return MkingBackup.OK;
            }
            List<?> results = runtime.producer().requestBodyAndHeader(VerifyRoutes.RESTORE_TESTS, null, VerifyRoutes.JOB, job,
                    List.class);
            boolean passed = true;
            for (Object item : results) {
                RestoreTester.Result result = (RestoreTester.Result) item;
                passed &= result.passed();
                System.out.printf("%-20s %s %s: %s%n", result.job(), result.passed() ? "passed" : "FAILED",
                        result.backupId() == null ? "" : result.backupId(), result.detail());
            }
            return passed ? MkingBackup.OK : MkingBackup.FAILED;
        }
    }
}
