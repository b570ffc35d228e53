package org.epicgateway.schemas;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every Kafka topic of EPIC with its partitions and configs, so topic creation, producers and consumers agree on one
 * list. Keys on all topics are plain UTF-8 strings (aggregate ids, command ids, gateway/cluster/node ids).
 */
public final class Topics {
  /**
   * Commands, keyed by target aggregate id; consumed by the decider. One partition: the decider is a single writer
   * (one task decides every command against the complete state), and reading its input directly saves the
   * repartition hop, a second exactly-once transaction per command.
   */
  public static final String COMMANDS = "epic.commands";
  /** Command outcomes, keyed by command id; the REST API waits on these. */
  public static final String COMMAND_RESULTS = "epic.command-results";
  /** The event log, keyed by aggregate id; kept forever because it is the audit log and the source of every projection. */
  public static final String EVENTS = "epic.events";
  /** Latest state per aggregate id. */
  public static final String GATEWAY_STATE = "epic.gateway-state";
  /**
   * The gateway view projection's own loop (it writes and reads it): the states of one account's routes, Services,
   * slices and ReferenceGrants that a gateway of another account, shared with it, needs. Keyed
   * {@code <owner account>|<aggregate id>} and partitioned by the owner account, so the partition of the owner's views
   * folds them; compacted, since the latest state per key is all a restart needs.
   */
  public static final String GATEWAY_VIEW_SHARES = "epic.gateway-view-shares";
  /** Envoy listeners/routes/clusters per gateway id. */
  public static final String ENVOY_CONFIG = "epic.envoy-config";
  /** Envoy endpoints (EDS) per cluster, separate so endpoint churn never re-derives listeners and routes. */
  public static final String ENVOY_ENDPOINTS = "epic.envoy-endpoints";
  /**
   * Every distinct Envoy configuration revision of a gateway, keyed {@code <gatewayId>@<version>} (EnvoyConfigSnapshot):
   * the xds-projector's revision history, so a rollback target survives a restart although epic.envoy-config keeps
   * only the latest revision.
   */
  public static final String ENVOY_REVISIONS = "epic.envoy-revisions";
  /**
   * The xds-projector's receipts, keyed {@code <commandId>@<proxy>} (ProxyReceipt): which proxies ACKed configuration
   * containing a command, so receipts survive a restart. Compacted, and forgotten after 7 days like the commands
   * they answer for.
   */
  public static final String ENVOY_RECEIPTS = "epic.envoy-receipts";
  /** BGP route advertisements per node. */
  public static final String NODE_ADVERTS = "epic.node-adverts";
  /** BPF map contents per node. */
  public static final String NODE_BPF = "epic.node-bpf";
  /** Records a processor could not handle, with the reason in headers. */
  public static final String DLQ = "epic.dlq";

  /**
   * Kafka's bound on one record as this platform runs it: the broker's {@code message.max.bytes} (and so every
   * topic's {@code max.message.bytes}) and the producer's {@code max.request.size} are both their 1 MiB defaults.
   */
  public static final int KAFKA_MAX_MESSAGE_BYTES = 1 << 20;

  /**
   * The largest record (key + Confluent-framed value) EPIC writes to a topic or a store changelog: half of
   * {@link #KAFKA_MAX_MESSAGE_BYTES}, leaving room for headers, batch and record overhead and schema growth. Processors
   * check what they would write against it before writing anything (a record above Kafka's limit aborts the whole
   * exactly-once transaction and would fail again on every retry); a command whose outputs are above it is rejected.
   */
  public static final int MAX_RECORD_BYTES = KAFKA_MAX_MESSAGE_BYTES / 2;

  /**
   * epic.dlq takes records up to twice Kafka's limit, so any record read from a topic still fits with its reason in
   * headers; Streams applications raise their producer's {@code max.request.size} to match.
   */
  public static final int DLQ_MAX_MESSAGE_BYTES = 2 * KAFKA_MAX_MESSAGE_BYTES;

  /** Partitions of every topic but epic.commands. Small because one embedded node runs everything. */
  public static final int PARTITIONS = 3;

  /** A topic's name, partition count and topic-level configs. */
  public record Spec(String name, int partitions, Map<String, String> configs) {
    public NewTopic newTopic(short replicationFactor) {
      return new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor)).configs(configs);
    }
  }

  public static final List<Spec> ALL = List.of(
      deleteAfter(COMMANDS, 1, Duration.ofDays(7)),
      deleteAfter(COMMAND_RESULTS, PARTITIONS, Duration.ofHours(6)),
      new Spec(EVENTS, PARTITIONS, Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, "-1",
          TopicConfig.RETENTION_BYTES_CONFIG, "-1")),
      compacted(GATEWAY_STATE),
      compacted(GATEWAY_VIEW_SHARES),
      compacted(ENVOY_CONFIG),
      compacted(ENVOY_ENDPOINTS),
      compacted(ENVOY_REVISIONS),
      new Spec(ENVOY_RECEIPTS, PARTITIONS, Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG,
          TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()))),
      compacted(NODE_ADVERTS),
      compacted(NODE_BPF),
      new Spec(DLQ, PARTITIONS, Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
          TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(DLQ_MAX_MESSAGE_BYTES))));

  /** The spec of a topic by name; fails naming the unknown topic and the known ones. */
  public static Spec spec(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown topic '" + name + "'; known topics: "
            + ALL.stream().map(Spec::name).toList()));
  }

  private static Spec deleteAfter(String name, int partitions, Duration retention) {
    return new Spec(name, partitions, Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis())));
  }

  private static Spec compacted(String name) {
    return new Spec(name, PARTITIONS, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  private Topics() {}
}
