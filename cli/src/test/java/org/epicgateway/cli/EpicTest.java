package org.epicgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class EpicTest {

    @Test
    void helpListsTheCommands() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new Epic()).setOut(new PrintWriter(out)).execute("help");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("Commands:").containsPattern("(?m)^\\s+up\\s+Runs EPIC on this machine")
                .containsPattern("(?m)^\\s+test\\s+run every test");
    }

    @Test
    void anUnknownCommandIsNamedInTheError() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Epic()).setErr(new PrintWriter(err)).execute("upp");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("upp");
    }
}
