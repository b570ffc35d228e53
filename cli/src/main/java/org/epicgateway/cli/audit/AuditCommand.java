package org.epicgateway.cli.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.projections.audit.AuditScope;
import org.epicgateway.projections.audit.ChainVerifier;
import org.epicgateway.projections.audit.Diff;
import org.epicgateway.projections.audit.EventLog;
import org.epicgateway.projections.audit.Progress;
import org.epicgateway.projections.audit.Rebuild;
import org.epicgateway.projections.audit.Replay;
import org.epicgateway.projections.audit.StateAt;
import org.epicgateway.projections.topology.DeciderTopology;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EndpointAssignment;
import org.epicgateway.schemas.avro.EnvoyConfigSnapshot;
import org.epicgateway.schemas.serde.AvroDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code ./epic audit}: questions answered from the event log alone (docs/audit.md has worked examples). */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Time travel, diffs, tamper evidence and determinism checks over epic.events.",
    subcommands = {AuditCommand.ReplayCommand.class, AuditCommand.DiffCommand.class,
        AuditCommand.VerifyCommand.class, AuditCommand.RebuildCommand.class})
public final class AuditCommand {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Instants as ISO-8601: {@code 2026-11-17T09:30:00Z}, or a local date-time read as UTC. */
  static final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return value.endsWith("Z") || value.contains("+") ? Instant.parse(value)
            : LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not an ISO-8601 instant such as 2026-11-17T09:30:00Z");
      }
    }
  }

  static final class Scope {
    @Option(names = "--account", description = "only this account's aggregates") String account;
    @Option(names = "--gateway", description = "only this gateway (account/namespace/name), its routes and slices")
    String gateway;

    AuditScope scope() {
      return AuditScope.of(account, gateway);
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "The state, and each gateway's Envoy configuration, exactly as they were at an instant.")
  static final class ReplayCommand implements Callable<Integer> {
    @Mixin PlatformOptions platform;
    @Option(names = "--at", required = true, converter = InstantConverter.class, description = "the instant")
    Instant at;
    @ArgGroup(exclusive = false) Scope scope = new Scope();

    @Override
    public Integer call() throws Exception {
      AuditScope auditScope = scope.scope();
      StateAt world = new StateAt(at);
      platform.eventLog().readEvents(Progress.onStderr("replay"), e -> {
        if (e.event() != null) {
          world.accept(e);
        }
      });
      System.out.println(JSON.writeValueAsString(Replay.snapshot(world, auditScope)));
      return 0;
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "What changed between two instants, field by field, and which events (actor, command) did it.")
  static final class DiffCommand implements Callable<Integer> {
    @Mixin PlatformOptions platform;
    @Option(names = "--from", required = true, converter = InstantConverter.class) Instant from;
    @Option(names = "--to", required = true, converter = InstantConverter.class) Instant to;
    @ArgGroup(exclusive = false) Scope scope = new Scope();

    @Override
    public Integer call() throws Exception {
      AuditScope auditScope = scope.scope();
      Diff diff = new Diff(from, to);
      platform.eventLog().readEvents(Progress.onStderr("diff"), e -> {
        if (e.event() != null) {
          diff.accept(e);
        }
      });
      System.out.println(JSON.writeValueAsString(diff.report(auditScope)));
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Walks every aggregate's hash chain and checks each event's seal with the audit chain key; "
          + "reports the first broken or missing link. Exit 1 if any.")
  static final class VerifyCommand implements Callable<Integer> {
    @Mixin PlatformOptions platform;

    @Override
    public Integer call() throws Exception {
      ChainVerifier verifier = new ChainVerifier(platform.seals());
      platform.eventLog().readEvents(Progress.onStderr("verify"), verifier::check);
      ChainVerifier.Result result = verifier.result();
      ObjectNode out = JSON.createObjectNode().put("intact", result.intact())
          .put("eventsChecked", result.eventsChecked()).put("aggregates", result.aggregates());
      out.set("firstBreak", JSON.valueToTree(result.firstBreak().orElse(null)));
      System.out.println(JSON.writeValueAsString(out));
      return result.intact() ? 0 : 1;
    }
  }

  @Command(name = "rebuild", mixinStandardHelpOptions = true,
      description = "Rebuilds every projection from the log and compares it byte for byte with the live one. "
          + "Exit 1 on any difference.")
  static final class RebuildCommand implements Callable<Integer> {
    @Mixin PlatformOptions platform;

    @Override
    public Integer call() throws Exception {
      StateAt world = new StateAt(Instant.MAX);
      Progress progress = Progress.onStderr("rebuild");
      long events = platform.eventLog().readEvents(progress, e -> {
        if (e.event() == null) {
          throw new IllegalStateException(e.position() + " cannot be decoded (" + e.undecodable()
              + "); run `epic audit verify`");
        }
        world.accept(e);
      });
      Rebuild.Projections rebuilt = Rebuild.project(world);
      EventLog log = platform.eventLog();
      Map<String, byte[]> liveStates = log.latestValues(DeciderTopology.STORE_CHANGELOG);
      Map<String, byte[]> liveViews = log.latestValues(Topics.GATEWAY_STATE);
      Map<String, String> liveConfigs = versions(log, Topics.ENVOY_CONFIG, EnvoyConfigSnapshot.class,
          EnvoyConfigSnapshot::getVersion);
      Map<String, String> liveEndpoints = versions(log, Topics.ENVOY_ENDPOINTS, EndpointAssignment.class,
          EndpointAssignment::getVersion);
      List<Rebuild.Mismatch> mismatches = new ArrayList<>();
      mismatches.addAll(Rebuild.compareDatums("aggregate-state", rebuilt.aggregateStates(), liveStates));
      mismatches.addAll(Rebuild.compareDatums("gateway-state", rebuilt.gatewayViews(), liveViews));
      mismatches.addAll(Rebuild.compareVersions("envoy-config", rebuilt.envoyConfigVersions(), liveConfigs));
      mismatches.addAll(Rebuild.compareVersions("envoy-endpoints", rebuilt.endpointVersions(), liveEndpoints));
      ObjectNode out = JSON.createObjectNode().put("events", events)
          .put("eventsPerSecond", Math.round(progress.perSecond()));
      out.putObject("compared")
          .put("aggregate-state", count(rebuilt.aggregateStates(), liveStates, DeciderTopology.STORE_CHANGELOG))
          .put("gateway-state", count(rebuilt.gatewayViews(), liveViews, Topics.GATEWAY_STATE))
          .put("envoy-config", count(rebuilt.envoyConfigVersions(), liveConfigs, Topics.ENVOY_CONFIG))
          .put("envoy-endpoints", count(rebuilt.endpointVersions(), liveEndpoints, Topics.ENVOY_ENDPOINTS));
      out.put("identical", mismatches.isEmpty());
      out.set("mismatches", JSON.valueToTree(mismatches));
      System.out.println(JSON.writeValueAsString(out));
      return mismatches.isEmpty() ? 0 : 1;
    }

    private <T extends SpecificRecord> Map<String, String> versions(EventLog log, String topic, Class<T> type,
                                                                    Function<T, String> version) {
      AvroDeserializer<T> values = new AvroDeserializer<>(type, platform.registry());
      Map<String, String> out = new TreeMap<>();
      log.latestValues(topic).forEach((key, value) -> out.put(key, version.apply(values.deserialize(topic, value))));
      return out;
    }

    private static String count(Map<String, ?> rebuilt, Map<String, ?> live, String topic) {
      return rebuilt.size() + " rebuilt vs " + live.size() + " live in " + topic;
    }
  }
}
