package com.mking.backup.source;

import java.util.List;

/** An executable and its arguments for camel-exec. Never holds a secret: those go through files or env. */
public record ToolCommand(String executable, List<String> args) {
}
