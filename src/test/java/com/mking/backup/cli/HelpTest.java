package com.mking.backup.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** --help and -h work on the program and on every subcommand, exit 0, and print no picocli warning. */
class HelpTest {

    @Test
    void everyCommandHasHelp() {
        CommandLine root = new CommandLine(new MkingBackup());
        assertThat(help("--help")).contains("recover").contains("stop").contains("export").contains("import")
                .doesNotContain("WARN");
        for (String name : root.getSubcommands().keySet()) {
            for (String flag : new String[]{"--help", "-h"}) {
                String out = help(name, flag);
                assertThat(out).as(name + " " + flag).startsWith("Usage: mking-backup " + name).doesNotContain("WARN");
            }
        }
    }

    private static String help(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            assertThat(MkingBackup.execute(args)).as(String.join(" ", args)).isEqualTo(0);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
