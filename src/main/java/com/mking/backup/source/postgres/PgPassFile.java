package com.mking.backup.source.postgres;

import com.mking.backup.job.JobSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a private {@code pgpass} file (mode 0600) with the password of every PostgreSQL job that names
 * one through {@code passwordEnv}. The tools find it through {@code PGPASSFILE}, so no password is ever
 * on a command line or in a child's environment.
 */
public final class PgPassFile {

    private PgPassFile() {
    }

    /** Writes the file and returns true when at least one job has a password; removes it otherwise. */
    public static boolean write(Path file, List<JobSpec> jobs) throws IOException {
        List<String> lines = new ArrayList<>();
        for (JobSpec job : jobs) {
            PostgresConnections.password(job).ifPresent(password -> lines.add(String.join(":",
                    escape(job.parameter("host", "127.0.0.1")), escape(job.parameter("port", "5432")), "*",
                    escape(job.parameter("user", "postgres")), escape(password))));
        }
        if (lines.isEmpty()) {
            Files.deleteIfExists(file);
            return false;
        }
        // written aside and renamed: a tool reading it meanwhile (the daemon's, another command's) sees a whole file
        Files.createDirectories(file.getParent());
        Path next = Files.createTempFile(file.getParent(), "pgpass", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(next, lines);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }
}
