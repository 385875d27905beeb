package com.mking.backup.config;

/**
 * A configuration value is wrong. The message names the property (or route-file entry) and the fix;
 * the CLI prints it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String property, String problem, String fix) {
        super(property + ": " + problem + ". Fix: " + fix);
    }
}
