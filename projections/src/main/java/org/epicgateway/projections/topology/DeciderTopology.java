package org.epicgateway.projections.topology;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.streams.PolledInput;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroSerde;
import org.epicgateway.schemas.serde.AvroSerializer;

/**
 * The decider's Kafka Streams topology:
 * <pre>
 * epic.commands (ONE partition, keyed by aggregate id)
 *   -> decider [aggregate-state, decided-commands stores] -> epic.events (key aggregate id)
 *                                      -> epic.command-results (key command id)
 *                                      -> epic.dlq (a command it could not decide or write, with the reason)
 * </pre>
 * The one-partition command topic makes every command go through one task and one store, whoever produced it: pool
 * allocation, quotas and name uniqueness are then decided by a single writer against the complete state, in one
 * exactly-once transaction per commit (no repartition hop). Scaling past one task is described in
 * docs/modules/projections-decider.md.
 */
public final class DeciderTopology {

  public static final String APPLICATION_ID = "epic-decider";
  /** The folded state of every aggregate, keyed by aggregate id. */
  public static final String STORE = "aggregate-state";
  /**
   * The result of every decided command, keyed by command id, with when it was decided (the processor's wall clock,
   * which is also the changelog record's time, so a restore keeps it): a command whose id is already here is a
   * client's retry, answered with the same result and no event. Entries leave after the retention window
   * (docs/modules/projections-decider.md). Values are the results' Avro bytes as the changelog holds them, decoded
   * only when one is read, so the retention sweep reads times alone and never waits for the schema registry.
   */
  public static final String DECIDED = "decided-commands";
  /** The decided results' changelog; its name is the subject their schema is registered under, as before. */
  static final String DECIDED_CHANGELOG = APPLICATION_ID + "-" + DECIDED + "-changelog";
  /** How long a decided command id is remembered unless configured otherwise: a day of client retries. */
  public static final Duration DEFAULT_DECIDED_RETENTION = Duration.ofHours(24);
  /** The store's changelog topic, as Kafka Streams names it: the live aggregate states, which audit rebuild reads. */
  public static final String STORE_CHANGELOG = APPLICATION_ID + "-" + STORE + "-changelog";

  static final String DECIDER = "decider";
  static final String EVENTS_SINK = "events-sink";
  static final String RESULTS_SINK = "command-results-sink";
  static final String DLQ_SINK = "dlq-sink";

  private DeciderTopology() {}

  /** Unsealed events, the default retention: for topology tests. */
  public static Topology build(SchemaRegistryClient registry) {
    return build(registry, DEFAULT_DECIDED_RETENTION, null, new PolledInput());
  }

  /**
   * @param decidedRetention how long a command id is remembered: a retry within it gets the first result
   * @param seals the audit chain key the decider seals every event with (kept outside Kafka; null: unsealed)
   * @param polled the clients the topology runs with, telling it when to commit at once because everything polled
   *     is decided
   */
  public static Topology build(SchemaRegistryClient registry, Duration decidedRetention, EventSeals seals,
      PolledInput polled) {
    AvroSerde<CommandEnvelope> commands = new AvroSerde<>(CommandEnvelope.class, registry);
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
        new AvroSerde<>(AggregateState.class, registry)));
    builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(DECIDED),
        Serdes.String(), Serdes.ByteArray()));
    AvroSerde<CommandResult> results = new AvroSerde<>(CommandResult.class, registry);
    builder.stream(Topics.COMMANDS, Consumed.with(Serdes.String(), commands).withName("commands"))
        .process(polled.<String, CommandEnvelope>commitWhenDrained(), Named.as("commands-drained"))
        .process(() -> new DeciderProcessor(decidedRetention, seals, results), Named.as(DECIDER), STORE, DECIDED);
    Topology topology = builder.build();
    // Sinks hang off the decider by name, so each output type goes to its own topic with its own serializer.
    topology.addSink(EVENTS_SINK, Topics.EVENTS, new StringSerializer(),
        new AvroSerializer<EventEnvelope>(registry), DECIDER);
    topology.addSink(RESULTS_SINK, Topics.COMMAND_RESULTS, new StringSerializer(),
        new AvroSerializer<CommandResult>(registry), DECIDER);
    DeadLetters.addSink(topology, DLQ_SINK, Topics.COMMANDS, new AvroSerializer<CommandEnvelope>(registry), DECIDER);
    return topology;
  }
}
