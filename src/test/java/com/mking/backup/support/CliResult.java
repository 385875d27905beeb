package com.mking.backup.support;

/** What a CLI invocation printed and returned. */
public record CliResult(int exitCode, String out, String err) {

    public String all() {
        return out + "\n" + err;
    }
}
