package com.mking.backup.source;

import com.mking.backup.job.JobSpec;
import com.mking.backup.pipeline.Manifest;
import com.mking.backup.config.ConfigException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One kind of data source (the borgmatic pattern): how to dump it as one or more named streams (artefacts), how to
 * describe it for the manifest, and how to restore them. A new source is one class implementing this, listed in
 * {@code META-INF/services/com.mking.backup.source.Source}, plus a route-file entry and a test extending
 * {@code SourceContractTest}.
 */
public interface Source {

    /** Route template id and manifest "source", e.g. {@code pg-logical}. */
    String kind();

    /** The seed's execution_type for its runs: full, incremental, wal or logical. */
    String method();

    /** The job parameters this source understands, in the order the documentation lists them. */
    List<Parameter> parameters();

    /** Checks a job's parameters at start-up; throws {@link ConfigException}. */
    void validate(JobSpec job);

    /**
     * Runs before anything is dumped, after {@link #describe}: makes the data ready to be read consistently (Redis:
     * BGSAVE and wait for it; git: bring the mirrors up to date). A failure here fails the run before any tool ran.
     *
     * @return facts learned meanwhile, for the manifest's details (Redis: keys per type, a sample of values)
     */
    default Map<String, String> prepareBackup(JobSpec job) throws IOException {
        return Map.of();
    }

    /**
     * The artefacts of one backup, in order, each the stdout of a command (run on the job's host over SSH when the
     * job names one) or a stream written by Java code. Called after {@link #prepareBackup}. At least one.
     */
    List<Output> outputs(JobSpec job) throws IOException;

    /** Where the job's data is, in a few words, for the job's audit row (source_path), e.g. {@code db.internal:5432/shop}. */
    String location(JobSpec job);

    /** Tool and server versions and other facts for the manifest (method, toolVersion, serverVersion...). */
    Description describe(JobSpec job) throws IOException;

    /**
     * Facts the tool printed while it ran (for pg_basebackup: WAL start and end positions), added to the
     * manifest's details after a successful dump.
     */
    default Map<String, String> resultDetails(JobSpec job, String toolStderr) {
        return Map.of();
    }

    /** Called after a backup of this job succeeded (retention of tool-specific artefacts such as WAL). */
    default void afterBackup(JobSpec job) throws IOException {
    }

    /**
     * The format's own integrity check, reading the raw artefact on stdin (exit 0 = intact), e.g.
     * {@code pg_restore --list}; empty when the format has none beyond its checksums.
     */
    default java.util.Optional<ToolCommand> checkCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact) {
        return java.util.Optional.empty();
    }

    /**
     * Checks, before anything is read or written, that the target can take the restore: an operator's
     * mistake (no target given, a non-empty one without force) is an {@link IllegalArgumentException}.
     */
    default void checkRestoreTarget(JobSpec job, RestoreRequest request) throws IOException {
    }

    /**
     * What the operator can do about a restore that failed with {@code message} when the source knows the cause (the
     * target server lacks a role, say); empty when it does not.
     */
    default java.util.Optional<String> restoreAdvice(JobSpec job, RestoreRequest request, String message) {
        return java.util.Optional.empty();
    }

    /** Makes the restore target ready (creates it, refuses a non-empty one unless forced). */
    void prepareRestoreTarget(JobSpec job, RestoreRequest request) throws IOException;

    /** The command that reads one raw artefact on stdin and restores it into the prepared target. */
    ToolCommand restoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact, RestoreRequest request);

    /**
     * Restores one raw artefact with Java code instead of a command (a snapshot's file tree, a configuration's
     * secrets merged back into its files); empty: {@link #restoreCommand} runs. The stream's checksums are compared
     * when it ends; whatever this writes goes into the prepared (scratch) target.
     */
    default java.util.Optional<ArtefactRestore> inProcessRestore(JobSpec job, Manifest manifest, Manifest.Artefact artefact,
                                                                 RestoreRequest request) {
        return java.util.Optional.empty();
    }

    /**
     * Java code restoring one raw artefact (see {@link #inProcessRestore}); it may stop reading before the end.
     * {@code store} is the store the backup is read from (a snapshot's packs are there too).
     */
    @FunctionalInterface
    interface ArtefactRestore {
        void restoreFrom(java.io.InputStream raw, com.mking.backup.store.Store store) throws IOException;
    }

    /**
     * A command that restores from the decoded artefact in {@code file} with {@code jobs} parallel workers, when the
     * format allows it (pg_restore -j needs a seekable custom-format dump); empty: this source restores from stdin only.
     */
    default java.util.Optional<ToolCommand> parallelRestoreCommand(JobSpec job, Manifest manifest, Manifest.Artefact artefact,
                                                                  RestoreRequest request, java.nio.file.Path file, int jobs) {
        return java.util.Optional.empty();
    }

    /** Key of {@link #finishRestore}'s answer: the position a recovery reached (a PostgreSQL LSN), for the audit. */
    String REACHED_POSITION = "reachedPosition";
    /** Key of {@link #finishRestore}'s answer: the timeline a recovery ended on, for the audit. */
    String REACHED_TIMELINE = "reachedTimeline";
    /** Key in {@link #finishRestore}'s answer: how many files a restore of many wrote (else the audit counts 1). */
    String REACHED_FILES = "restoredFiles";
    /** Key in {@link #finishRestore}'s answer: the bytes restored, when not the backup's raw size (an index and packs). */
    String REACHED_BYTES = "restoredBytes";
    /** Key in {@link #finishRestore}'s answer: what the restored data was compared with, e.g. "6 key counts per type". */
    String REACHED_COMPARED = "compared";

    /**
     * Called after the last artefact's restore command ended: on success, puts the restored data in place (what existed
     * is moved aside, never dropped) and returns what the restore reached, for the audit (e.g. the WAL
     * position of a recovery); on failure, removes what the attempt left behind.
     */
    Map<String, String> finishRestore(JobSpec job, Manifest manifest, RestoreRequest request, boolean succeeded)
            throws IOException;

    /**
     * An optional capability of this source ({@link ContinuousArchive}, {@link RetentionDefaults}), asked for here and
     * nowhere else, so that no code outside the source branches on its kind.
     */
    default <T> java.util.Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : java.util.Optional.empty();
    }

    /**
     * One artefact of a backup: its raw file name (e.g. {@code dump.rdb}) and either the command whose stdout it is or
     * the Java code that writes it ({@link #written}: a file walker's archive, a text read while preparing).
     */
    record Output(String name, ToolCommand command, ArtefactStream stream) {

        public Output {
            if ((command == null) == (stream == null)) {
                throw new IllegalArgumentException("artefact " + name + " needs either a command or a stream");
            }
        }

        /** The stdout of {@code command}. */
        public Output(String name, ToolCommand command) {
            this(name, command, null);
        }

        /** Bytes Java code writes. */
        public static Output written(String name, ArtefactStream stream) {
            return new Output(name, null, stream);
        }

        public boolean isCommand() {
            return command != null;
        }
    }

    /**
     * Writes one artefact's raw bytes to {@code out} (on a thread of its own; the pipeline reads them as they come). An
     * exception fails the run with its message; returning normally says the artefact is complete.
     */
    @FunctionalInterface
    interface ArtefactStream {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /**
     * A job parameter (the borgmatic schema pattern): its name, type, default (null when required), what it means and an
     * example. This one schema drives the check of every job at start-up, the route template's parameters and the
     * reference {@code mking-backup sources} prints (the README's parameter tables).
     */
    record Parameter(String name, Type type, List<String> choices, String defaultValue, String description, String example) {

        public enum Type { TEXT, PORT, COUNT, FLAG, CHOICE, FILE }

        public static Parameter text(String name, String defaultValue, String description, String example) {
            return new Parameter(name, Type.TEXT, List.of(), defaultValue, description, example);
        }

        public static Parameter port(String name, String defaultValue, String description, String example) {
            return new Parameter(name, Type.PORT, List.of(), defaultValue, description, example);
        }

        public static Parameter count(String name, String defaultValue, String description, String example) {
            return new Parameter(name, Type.COUNT, List.of(), defaultValue, description, example);
        }

        public static Parameter flag(String name, String defaultValue, String description, String example) {
            return new Parameter(name, Type.FLAG, List.of(), defaultValue, description, example);
        }

        /** A file or directory path. */
        public static Parameter file(String name, String defaultValue, String description, String example) {
            return new Parameter(name, Type.FILE, List.of(), defaultValue, description, example);
        }

        public static Parameter choice(String name, List<String> choices, String defaultValue, String description,
                                       String example) {
            return new Parameter(name, Type.CHOICE, List.copyOf(choices), defaultValue, description, example);
        }

        /** Why {@code value} does not fit, with the fix; empty when it fits (an empty value means the default). */
        public java.util.Optional<String> problem(String value) {
            if (value == null || value.isBlank()) {
                return java.util.Optional.empty();
            }
            String v = value.trim();
            boolean fits = switch (type) {
                case PORT -> v.matches("\\d{1,5}") && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 65535;
                case COUNT -> v.matches("\\d{1,9}");
                case FLAG -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
                case CHOICE -> choices.contains(v);
                case TEXT, FILE -> true;
            };
            return fits ? java.util.Optional.empty() : java.util.Optional.of("'" + v + "' is not " + typeName()
                    + " (e.g. " + example + ")");
        }

        /** The type as the reference and error messages say it. */
        public String typeName() {
            return switch (type) {
                case TEXT -> "text";
                case PORT -> "a port number (1-65535)";
                case COUNT -> "a whole number";
                case FLAG -> "true or false";
                case CHOICE -> "one of " + String.join(", ", choices);
                case FILE -> "a path";
            };
        }
    }

    /** What {@link #describe} learned: goes into the manifest and the audit row. */
    record Description(String toolVersion, String serverVersion, Map<String, String> details) {
    }
}
