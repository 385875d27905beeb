package com.mking.backup.support;

/** What a CLI invocation printed and returned. */
public record CliResult(int exitCode, String out, String err) {

    /** The backup id from a successful {@code run}'s summary. */
    public String backupId(String job) {
        return out.replaceAll("(?s).*backup (\\S+) of job " + java.util.regex.Pattern.quote(job) + " succeeded.*", "$1");
    }

    public String all() {
        return out + "\n" + err;
    }
}
