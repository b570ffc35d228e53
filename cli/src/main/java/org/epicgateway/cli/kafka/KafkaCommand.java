package org.epicgateway.cli.kafka;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.epicgateway.cli.up.Up;
import org.epicgateway.infra.kafka.TopicSetup;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.transport.agent.NodeAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code epic kafka}: what a production Kafka needs before {@code epic run}: EPIC's topics, and for each service a
 * principal with ACLs for exactly the topics, groups and transactional ids it declares (docs/security.md).
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
    description = "Prepares a production Kafka for EPIC: topics, and one principal per service with its ACLs.",
    subcommands = {KafkaCommand.Acls.class, KafkaCommand.Setup.class})
public final class KafkaCommand {

  static class PrincipalOptions {
    @Option(names = "--principal-format", defaultValue = "User:epic-%s",
        description = "each service's principal, %%s being the service name (default: ${DEFAULT-VALUE})")
    String principalFormat;

    /** Every service's ACLs, in the order `epic up` starts them. */
    List<AclBinding> acls() {
      List<AclBinding> acls = new ArrayList<>();
      for (PlatformService service : Up.allServices()) {
        acls.addAll(ServiceAcls.bindings(principalFormat.formatted(service.name()), service.kafkaAccess()));
      }
      // The transport agents run on the nodes, not in `epic run`, and share one principal.
      acls.addAll(ServiceAcls.bindings(principalFormat.formatted(NodeAgent.KAFKA_SERVICE), NodeAgent.KAFKA_ACCESS));
      return acls;
    }
  }

  @Command(name = "acls", mixinStandardHelpOptions = true,
      description = "Prints the kafka-acls.sh arguments that give each service's principal what it uses.")
  static final class Acls implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--bootstrap-server", defaultValue = "<bootstrap>", description = "put into the printed lines")
    String bootstrapServers;
    @Option(names = "--command-config", defaultValue = "<admin.properties>", description = "put into the printed lines")
    String commandConfig;
    @picocli.CommandLine.Mixin PrincipalOptions principals = new PrincipalOptions();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (AclBinding acl : principals.acls()) {
        out.println("kafka-acls.sh --bootstrap-server " + bootstrapServers + " --command-config " + commandConfig + " "
            + ServiceAcls.kafkaAclsArguments(acl));
      }
      return 0;
    }
  }

  @Command(name = "setup", mixinStandardHelpOptions = true,
      description = "Creates EPIC's topics (where missing) and every service's ACLs, as an administrator principal.")
  static final class Setup implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--bootstrap-server", required = true, description = "Kafka bootstrap servers")
    String bootstrapServers;
    @Option(names = "--kafka-config", paramLabel = "FILE",
        description = "the administrator's Kafka client settings (security.protocol, ssl.*, sasl.*)")
    Path kafkaConfig;
    @picocli.CommandLine.Mixin PrincipalOptions principals = new PrincipalOptions();

    @Override
    public Integer call() throws Exception {
      KafkaConnection kafka = kafkaConfig == null ? KafkaConnection.plaintext(bootstrapServers)
          : KafkaConnection.load(bootstrapServers, kafkaConfig);
      List<AclBinding> acls = principals.acls();
      try (Admin admin = Admin.create(kafka.client("operator"))) {
        TopicSetup.ensure(admin);
        admin.createAcls(acls).all().get();
      }
      spec.commandLine().getOut().println("epic kafka setup: topics ensured, " + acls.size() + " ACLs created");
      return 0;
    }
  }
}
