package com.mking.backup.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An executable and its arguments for camel-exec, and the secrets its environment needs (e.g. {@code REDISCLI_AUTH}).
 * Never holds a secret itself: a {@link Secret} says where the value is, and it is read only when the process starts,
 * straight into that process's environment (never on a command line, in a header or in a log).
 */
public record ToolCommand(String executable, List<String> args, Map<String, Secret> secretEnvironment) {

    public ToolCommand {
        args = List.copyOf(args);
        secretEnvironment = Map.copyOf(secretEnvironment);
    }

    public ToolCommand(String executable, List<String> args) {
        this(executable, args, Map.of());
    }

    /** The same command with {@code variable} set, in its environment only, to the secret's value. */
    public ToolCommand withSecret(String variable, Secret secret) {
        Map<String, Secret> all = new LinkedHashMap<>(secretEnvironment);
        all.put(variable, secret);
        return new ToolCommand(executable, args, all);
    }

    /**
     * Where a secret is: a file (its first line) or an environment variable of this process. {@code basicAuthUser}, when
     * set, turns the value into an HTTP header value {@code Basic base64(user:secret)} (a git token). {@link #plain}
     * values are not secret: they travel with the secrets when a tool needs both in its environment.
     */
    public record Secret(Path file, String environmentVariable, String basicAuthUser, String plainValue) {

        public static Secret file(Path file) {
            return new Secret(file, null, null, null);
        }

        public static Secret environment(String variable) {
            return new Secret(null, variable, null, null);
        }

        /** A value that is not secret (e.g. GIT_CONFIG_COUNT beside the header that is). */
        public static Secret plain(String value) {
            return new Secret(null, null, null, value);
        }

        /** The secret as an HTTP Basic authorization header value for {@code user}. */
        public Secret asBasicAuthorization(String user) {
            return new Secret(file, environmentVariable, user, plainValue);
        }

        /** The value; the error names where it was looked for and never includes it. */
        public String read() throws IOException {
            if (plainValue != null) {
                return plainValue;
            }
            String value;
            if (file != null) {
                try {
                    value = Files.readAllLines(file).stream().findFirst().orElse("").strip();
                } catch (IOException e) {
                    throw new IOException("cannot read the secret file " + file + ": " + e.getMessage(), e);
                }
            } else {
                value = System.getenv(environmentVariable);
                if (value == null) {
                    throw new IOException("the environment variable " + environmentVariable + " holding a secret is not set");
                }
            }
            return basicAuthUser == null ? value : "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                    (basicAuthUser + ":" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return plainValue != null ? "a plain value" : file != null ? "file " + file : "environment variable " + environmentVariable;
        }
    }
}
