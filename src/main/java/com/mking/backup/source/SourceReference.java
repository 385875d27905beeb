package com.mking.backup.source;

import java.util.List;

/**
 * The configuration reference of every source kind, made from the sources' own schemas: what
 * {@code mking-backup sources} prints and the README's parameter tables are (a test keeps the README equal to it).
 */
public final class SourceReference {

    private SourceReference() {
    }

    /**
     * Every source kind, made without a runtime (no audit database, no route files): the reference must print on a
     * fresh host and when a route file is broken. Nothing the sources look up is there; only their schemas are read.
     */
    public static SourceRegistry sources() {
        org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext();
        return SourceRegistry.load(new SourceFactory.Context(new com.mking.backup.config.Settings(context),
                new com.mking.backup.exec.RemoteShell(java.nio.file.Path.of("data", "ssh_known_hosts"), context), new SourceFactory.Lookup() {
                    @Override
                    public <T> T find(Class<T> type) {
                        throw new IllegalStateException("no runtime: " + type.getSimpleName() + " is not available here");
                    }
                }));
    }

    /** One Markdown table per source kind: parameter, type, default, meaning, example. */
    public static String markdown(List<Source> sources) {
        StringBuilder text = new StringBuilder();
        for (Source source : sources) {
            text.append("`").append(source.kind()).append("` parameters (besides job, cron, stores and the common ones):\n\n")
                    .append("| parameter | type | default | meaning | example |\n|---|---|---|---|---|\n");
            for (Source.Parameter parameter : source.parameters()) {
                text.append("| `").append(parameter.name()).append("` | ").append(parameter.typeName()).append(" | ")
                        .append(parameter.defaultValue() == null ? "*(required)*"
                                : parameter.defaultValue().isEmpty() ? "*(empty)*" : "`" + cell(parameter.defaultValue()) + "`")
                        .append(" | ").append(parameter.description().replace("|", "\\|")).append(" | `")
                        .append(cell(parameter.example())).append("` |\n");
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** A table cell's text: a '|' (a regular expression's alternative) would end the cell, even in a code span. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
