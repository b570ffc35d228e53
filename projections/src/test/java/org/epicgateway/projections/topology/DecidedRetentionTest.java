package org.epicgateway.projections.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.epicgateway.projections.streams.PolledInput;
import org.junit.jupiter.api.Test;

/**
 * The decided-commands store forgets ids after the retention window (the decider topology under
 * TopologyTestDriver, whose wall clock the test moves; serdes through the real registry).
 */
class DecidedRetentionTest {

  private static final Duration RETENTION = Duration.ofMinutes(10);

  @Test
  void theSweepGoesRoundAnyStoreFourTimesPerWindow() {
    Duration day = Duration.ofHours(24);
    long sweepsPerRound = day.toMillis() / 4 / DeciderProcessor.SWEEP_EVERY.toMillis(); // 108,000
    assertThat(DeciderProcessor.sweepBatch(0, day)).isEqualTo(DeciderProcessor.SWEEP_BATCH);
    assertThat(DeciderProcessor.sweepBatch(1_000_000, day)).isEqualTo(DeciderProcessor.SWEEP_BATCH);
    // A day at 5,000 commands/s: 432M ids, beyond what 1,000 ids per sweep (5,000/s) could ever go round.
    assertThat(DeciderProcessor.sweepBatch(432_000_000L, day)).isEqualTo(4_000);
    for (long entries : new long[] {1, 107_999_999, 108_000_001, 432_000_000L, 5_000_000_000L}) {
      assertThat(DeciderProcessor.sweepBatch(entries, day) * sweepsPerRound).as("one round over %d ids", entries)
          .isGreaterThanOrEqualTo(entries);
    }
    assertThat(DeciderProcessor.sweepBatch(10_000_000, Duration.ofMinutes(10))).isEqualTo(13_334);
  }

  @Test
  void aRetryWithinTheWindowGetsTheStoredAnswerAndAnExpiredIdIsDecidedAgain() throws Exception {
    SchemaRegistryClient registry = TestDrivers.registry();
    try (TestDrivers run = TestDrivers.start(DeciderTopology.build(registry, RETENTION, null, new PolledInput()), "decided-retention")) {
      TopologyTestDriver driver = run.driver();
      TestInputTopic<String, CommandEnvelope> commands = driver.createInputTopic(Topics.COMMANDS,
          new StringSerializer(), new AvroSerializer<>(registry));
      TestOutputTopic<String, CommandResult> results = driver.createOutputTopic(Topics.COMMAND_RESULTS,
          new StringDeserializer(), new AvroDeserializer<>(CommandResult.class, registry));
      TestOutputTopic<String, EventEnvelope> events = driver.createOutputTopic(Topics.EVENTS,
          new StringDeserializer(), new AvroDeserializer<>(EventEnvelope.class, registry));
      Commands c = new Commands("retention");
      commands.pipeInput(c.createAccount("acme"));
      CommandEnvelope slice = c.upsertSlice("acme", "web-1", "web");
      commands.pipeInput(slice);
      results.readValue();
      CommandResult first = results.readValue();
      assertThat(first.getAccepted()).isTrue();
      assertThat(first.getVersion()).isEqualTo(1L);
      events.readValuesToList();

      // Within the window: the first answer again, nothing appended.
      driver.advanceWallClockTime(RETENTION.minusMinutes(1));
      commands.pipeInput(slice);
      assertThat(results.readValue()).isEqualTo(first);
      assertThat(events.isEmpty()).isTrue();
      assertThat(new AvroDeserializer<>(CommandResult.class, registry).deserialize(DeciderTopology.DECIDED_CHANGELOG,
          driver.<String, byte[]>getKeyValueStore(DeciderTopology.DECIDED).get(slice.getCommandId()))).isEqualTo(first);

      // After it: forgotten, so the same id is a new command; the upsert is applied again (version 2).
      driver.advanceWallClockTime(Duration.ofMinutes(2));
      assertThat(driver.<String, byte[]>getKeyValueStore(DeciderTopology.DECIDED).get(slice.getCommandId())).isNull();
      try (var left = driver.<String, byte[]>getKeyValueStore(DeciderTopology.DECIDED).all()) {
        assertThat(left.hasNext()).as("ids left after the window").isFalse();
      }
      commands.pipeInput(slice);
      CommandResult again = results.readValue();
      assertThat(again.getAccepted()).isTrue();
      assertThat(again.getVersion()).isEqualTo(2L);
      assertThat(events.readValuesToList()).extracting(EventEnvelope::getCorrelationId)
          .containsExactly(slice.getCommandId());
    }
  }

}
