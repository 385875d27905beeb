package com.mking.backup.source.postgres;

import com.mking.backup.exec.ToolEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the PostgreSQL client tools. pg_dump must be at least the server's major version, so an explicit
 * bin directory wins, then the newest {@code /usr/lib/postgresql/N/bin} (Debian, Ubuntu), then the PATH.
 */
public final class PostgresTools {

    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private PostgresTools() {
    }

    /** Full path of a tool such as {@code pg_dump}, or the bare name to be found on the PATH. */
    public static String resolve(String tool, String configuredBinDir) {
        if (configuredBinDir != null && !configuredBinDir.isBlank()) {
            return Path.of(configuredBinDir.trim(), tool).toString();
        }
        return newestDebianBinDir().map(dir -> dir.resolve(tool).toString()).orElse(tool);
    }

    private static Optional<Path> newestDebianBinDir() {
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.filter(dir -> dir.getFileName().toString().matches("\\d+"))
                    .filter(dir -> Files.isExecutable(dir.resolve("bin/pg_dump")))
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
                    .map(dir -> dir.resolve("bin"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** First line a tool prints for {@code --version}, e.g. "pg_dump (PostgreSQL) 15.19". */
    public static String version(String tool) {
        try {
            Process process = ToolEnvironment.withoutOurSettings(new ProcessBuilder(tool, "--version")).redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes()).strip();
            process.waitFor();
            return out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
