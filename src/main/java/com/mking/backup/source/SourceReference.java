package com.mking.backup.source;

import java.util.List;

/**
 * The configuration reference of every source kind, made from the sources' own schemas: what
 * {@code mking-backup sources} prints and the README's parameter tables are (a test keeps the README equal to it).
 */
public final class SourceReference {

    private SourceReference() {
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
                                : parameter.defaultValue().isEmpty() ? "*(empty)*" : "`" + parameter.defaultValue() + "`")
                        .append(" | ").append(parameter.description().replace("|", "\\|")).append(" | `")
                        .append(parameter.example()).append("` |\n");
            }
            text.append('\n');
        }
        return text.toString();
    }
}
