package org.epicgateway.cli;

import org.epicgateway.cli.agent.AgentCommand;
import org.epicgateway.cli.audit.AuditCommand;
import org.epicgateway.cli.audit.EventsCommand;
import org.epicgateway.cli.controller.ControllerCommand;
import org.epicgateway.cli.kafka.KafkaCommand;
import org.epicgateway.cli.up.Run;
import org.epicgateway.cli.up.Up;
import org.epicgateway.cli.xds.XdsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Java side of {@code ./epic}: every subcommand except {@code test} and {@code build}, which the launcher hands
 * to Maven. A new subcommand is one class plus one entry in {@code subcommands} below.
 */
@Command(name = "epic",
        mixinStandardHelpOptions = true,
        version = "EPIC on Kafka 0.1.0-SNAPSHOT",
        description = "EPIC on Kafka: API-Gateway-as-a-Service, event-sourced on Kafka.",
        footer = {"", "Launcher-only commands:",
                "  test    run every test (mvn verify over all modules)",
                "  build   compile and package every module, skipping tests"},
        subcommands = {CommandLine.HelpCommand.class, Up.class, Run.class, KafkaCommand.class, AuditCommand.class, EventsCommand.class,
                RouteCheckCommand.class, AgentCommand.class, XdsCommand.class, ControllerCommand.class})
public final class Epic {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Epic()).execute(args));
    }
}
