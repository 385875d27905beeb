package com.mking.backup.exec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a tool can run here, checked at start-up so that a missing client is a configuration error, not a 3 a.m. alert. */
public final class Executables {

    private Executables() {
    }

    /** True when the tool can be executed (an absolute path that exists, or a name found on the PATH). */
    public static boolean isExecutable(String tool) {
        Path path = Path.of(tool);
        if (path.isAbsolute()) {
            return Files.isExecutable(path);
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
