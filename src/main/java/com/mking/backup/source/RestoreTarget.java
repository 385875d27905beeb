package com.mking.backup.source;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where a restore goes, typed: a source takes one kind ({@link RestoreRequest#target(Class, String)}) and names the
 * right one when given another. {@link Database} and {@link Directory} serve most sources; a source with more to say
 * (a PostgreSQL recovery: port, timeline, target time) implements its own.
 */
public interface RestoreTarget {

    /** The target as messages and the audit ({@code restore_tasks.target_path}) name it. */
    String describe();

    /** Parallel workers of the restore tool, where the target takes them. */
    default OptionalInt parallelJobs() {
        return OptionalInt.empty();
    }

    /** Only some of the backup is asked for (a files snapshot's --include): the audit's restore type 'partial'. */
    default boolean partial() {
        return false;
    }

    /** A recovery to a point in time: that target in words (empty: the restore is of a whole backup). */
    default Optional<String> recoveryTarget() {
        return Optional.empty();
    }

    /** The instant a recovery to a point in time aims at. */
    default Optional<Instant> targetInstant() {
        return Optional.empty();
    }

    /** The restore point a recovery aims at. */
    default Optional<String> restorePointName() {
        return Optional.empty();
    }

    /**
     * A PostgreSQL database (created if missing), on the job's server unless {@code server} names another (a DR host);
     * {@code noOwner}: ownership and privileges are not restored; {@code jobs}: parallel workers (null: the default).
     */
    record Database(String name, Server server, boolean noOwner, Integer jobs) implements RestoreTarget {

        public Database {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("no database given: name the target database (--database NAME)");
            }
        }

        public static Database named(String name) {
            return new Database(name, null, false, null);
        }

        @Override
        public String describe() {
            return name;
        }

        @Override
        public OptionalInt parallelJobs() {
            return jobs == null ? OptionalInt.empty() : OptionalInt.of(jobs);
        }
    }

    /** Another server than the job's (a DR host); a null field keeps the job's value. */
    record Server(String host, Integer port, String user, String passwordEnv, String passwordFile) {
    }

    /**
     * A directory (Redis files, git mirrors), absolute; {@code port}: a Redis restore starts a loopback redis-server on
     * the restored files there (null: none).
     */
    record Directory(Path path, Integer port) implements RestoreTarget {

        public Directory {
            if (path == null) {
                throw new IllegalArgumentException("no target directory given: name one (--target DIR)");
            }
            path = path.toAbsolutePath().normalize();
        }

        public static Directory of(Path path) {
            return new Directory(path, null);
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /**
     * A directory that takes a file tree (a files snapshot): only the paths matching {@code includes} (globs on the
     * path relative to the backed-up directory; a directory's glob takes what is in it; empty: everything), and with
     * {@code delete} what the target holds outside the snapshot is moved aside too.
     */
    record FileTree(Path path, java.util.List<String> includes, boolean delete) implements RestoreTarget {

        public FileTree {
            if (path == null) {
                throw new IllegalArgumentException("no target directory given: name one (--target DIR)");
            }
            path = path.toAbsolutePath().normalize();
            includes = java.util.List.copyOf(includes);
        }

        @Override
        public String describe() {
            return path.toString();
        }

        @Override
        public boolean partial() {
            return !includes.isEmpty();
        }
    }

    /**
     * A remote the restored data is pushed to (git: a new, empty remote repository; {@code {name}} in the URL is replaced
     * by each repository's name). Credentials are the job's (keyFile, tokenFile).
     */
    record Remote(String url) implements RestoreTarget {

        public static final String NAME = "{name}";

        public Remote {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("no remote given: name one (--push-to URL)");
            }
            // a password or token in the URL would reach process arguments, logs and the audit
            if (url.matches("(?i)https?://[^/]*@.*") || url.matches("[a-zA-Z][a-zA-Z0-9+.-]*://[^/@]*:[^/@]*@.*")) {
                throw new IllegalArgumentException("--push-to " + url.replaceFirst("//[^/]*@", "//***@") + " holds "
                        + "credentials: give the URL without them; the job's tokenFile (HTTPS) or keyFile (SSH) is used");
            }
        }

        /** The URL for one repository. */
        public String urlOf(String name) {
            return url.replace(NAME, name);
        }

        @Override
        public String describe() {
            return url;
        }
    }
}
