package org.epicgateway.projections.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.streams.DeadLetters;
import org.epicgateway.projections.viewtopology.GatewayViewTopology;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outage on the real broker and registry: an EndpointSlice with one field of 700 KB (the command fits
 * epic.commands, its event would not fit the record limit). It must be rejected, land in epic.dlq with the reason,
 * change nothing, and leave the decider deciding, also after a restart. Garbage bytes on epic.commands go to
 * epic.dlq as they were written.
 */
class PoisonCommandTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  private static EmbeddedPlatform platform;
  private static DeciderService decider;

  private final Commands c = new Commands("poison-" + UUID.randomUUID());

  @BeforeAll
  static void start() throws Exception {
    platform = EmbeddedPlatform.sharedForTests();
    decider = new DeciderService();
    decider.start(platform.context());
  }

  @AfterAll
  static void stop() throws Exception {
    decider.close();
  }

  @Test
  void aCommandWhoseEventIsTooLargeIsRejectedDeadLetteredAndTheDeciderGoesOn() throws Exception {
    String account = "poison-" + RUN;
    accept(c.createAccount(account));
    Map<TopicPartition, Long> eventsBefore = endOffsets(Topics.EVENTS);

    Endpoint huge = Commands.endpoint("10.1.0.5", "198.51.100.7");
    huge.setZone("z".repeat(700_000));
    CommandEnvelope poison = c.upsertSlice(account, "web-1", "web", huge);
    CommandResult rejected = submit(poison);

    assertThat(rejected.getAccepted()).isFalse();
    assertThat(rejected.getRejection().getCode()).isEqualTo(RejectionCode.TOO_LARGE);
    assertThat(rejected.getRejection().getMessage())
        .contains("the event EndpointSliceUpserted", "above the limit of " + Topics.MAX_RECORD_BYTES + " bytes")
        .contains("payload.endpoints[0].zone");
    assertThat(rejected.getEventIds()).isEmpty();
    assertThat(endOffsets(Topics.EVENTS)).as("no event").isEqualTo(eventsBefore);
    assertThat(decider.queries().get(poison.getTargetAggregateId())).as("no store change").isEmpty();

    ConsumerRecord<String, byte[]> letter = deadLetterOf(poison.getCommandId());
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("TOO_LARGE");
    assertThat(header(letter, DeadLetters.MESSAGE)).isEqualTo(rejected.getRejection().getMessage());
    assertThat(letter.key()).isEqualTo(poison.getTargetAggregateId());

    // The next command is decided normally, and a retry of the poison gets the same answer.
    accept(c.upsertSlice(account, "web-2", "web"));
    assertThat(submit(poison)).isEqualTo(rejected);

    // A restart finds nothing to trip over.
    decider.close();
    decider = new DeciderService();
    decider.start(platform.context());
    accept(c.upsertSlice(account, "web-3", "web"));
    assertThat(submit(poison)).isEqualTo(rejected);
    assertThat(decider.queries().get(poison.getTargetAggregateId())).isEmpty();
  }

  @Test
  void anUndecodableRecordOnEpicCommandsIsDeadLetteredAndTheDeciderGoesOn() throws Exception {
    String key = "account/garbage-" + RUN;
    byte[] garbage = ("not a command " + RUN).getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(Topics.COMMANDS, key, garbage)).get();
    }
    accept(c.createAccount("garbage-" + RUN));
    ConsumerRecord<String, byte[]> letter = readAll(Topics.DLQ).stream()
        .filter(r -> key.equals(r.key())).findFirst().orElseThrow();
    assertThat(letter.value()).isEqualTo(garbage);
    assertThat(header(letter, DeadLetters.CODE)).isEqualTo("UNREADABLE");
    assertThat(header(letter, DeadLetters.TOPIC)).isEqualTo(Topics.COMMANDS);
    assertThat(header(letter, DeadLetters.MESSAGE)).contains("magic byte");
    assertThat(decider.health().up()).isTrue();
  }

  private static CommandResult submit(CommandEnvelope command) throws Exception {
    return decider.commandBus().submit(command, TIMEOUT).get();
  }

  private static void accept(CommandEnvelope command) throws Exception {
    CommandResult result = submit(command);
    assertThat(result.getRejection()).as("rejection of %s", command.getPayload().getClass()).isNull();
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** The record on epic.dlq holding the command (by its command-id header), decoded as epic.commands records are. */
  private static ConsumerRecord<String, byte[]> deadLetterOf(String commandId) {
    AvroDeserializer<CommandEnvelope> commands =
        new AvroDeserializer<>(CommandEnvelope.class, new SchemaRegistryClient(platform.schemaRegistryUrl()));
    List<ConsumerRecord<String, byte[]>> found = readAll(Topics.DLQ).stream()
        .filter(r -> commandId.equals(header(r, GatewayViewTopology.COMMAND_ID_HEADER))).toList();
    assertThat(found).as("dead letters of %s", commandId).hasSize(1);
    CommandEnvelope command = commands.deserialize(Topics.COMMANDS, found.get(0).value());
    assertThat(command.getCommandId()).isEqualTo(commandId);
    assertThat(command.getPayload()).isInstanceOf(UpsertEndpointSlice.class);
    return found.get(0);
  }

  private static KafkaConsumer<String, byte[]> consumer() {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.DLQ_MAX_MESSAGE_BYTES),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      return consumer.endOffsets(consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList());
    }
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime()).as("reading %s to its end", topic).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }
}
