package org.epicgateway.projections.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.projections.streams.TestDrivers;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;
import org.epicgateway.schemas.serde.AvroSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decider topology record by record (TopologyTestDriver, the one-partition hop, RocksDB stores): what it writes
 * is exactly what the pure decider decides, a retry is answered from the store, a rejection appends nothing.
 */
class DeciderTopologyTest {

  private final Commands c = new Commands("ttd-decider");
  private TestDrivers run;
  private TestInputTopic<String, CommandEnvelope> commands;
  private TestOutputTopic<String, EventEnvelope> events;
  private TestOutputTopic<String, CommandResult> results;

  @BeforeEach
  void start() throws Exception {
    SchemaRegistryClient registry = TestDrivers.registry();
    run = TestDrivers.start(DeciderTopology.build(registry), DeciderTopology.APPLICATION_ID);
    commands = run.driver().createInputTopic(Topics.COMMANDS, new StringSerializer(),
        new AvroSerializer<CommandEnvelope>(registry));
    events = run.driver().createOutputTopic(Topics.EVENTS, new StringDeserializer(),
        new AvroDeserializer<>(EventEnvelope.class, registry));
    results = run.driver().createOutputTopic(Topics.COMMAND_RESULTS, new StringDeserializer(),
        new AvroDeserializer<>(CommandResult.class, registry));
  }

  @AfterEach
  void stop() throws Exception {
    run.close();
  }

  private void submit(CommandEnvelope command) {
    commands.pipeInput(command.getTargetAggregateId(), command);
  }

  @Test
  void itAppendsExactlyWhatThePureDeciderDecidesAndAnswersEachCommand() {
    List<CommandEnvelope> walkthrough = List.of(c.definePool("v4", null, "192.0.2.0/28"),
        c.defineTemplate("standard", "v4"), c.createAccount("acme"), c.createGateway("acme", "shop", "standard"),
        c.upsertRoute("acme", "web", "shop"), c.upsertSlice("acme", "web-1", "web"));
    MapLookup pure = new MapLookup();
    List<KeyValue<String, EventEnvelope>> expected = new ArrayList<>();
    List<CommandResult> expectedResults = new ArrayList<>();
    for (CommandEnvelope command : walkthrough) {
      Decision d = pure.submit(command);
      d.events().forEach(e -> expected.add(KeyValue.pair(e.getAggregateId(), e)));
      expectedResults.add(d.result(command));
      submit(command);
    }

    assertThat(events.readKeyValuesToList()).containsExactlyElementsOf(expected);
    assertThat(results.readValuesToList()).containsExactlyElementsOf(expectedResults)
        .allSatisfy(r -> assertThat(r.getAccepted()).isTrue());
    KeyValueStore<String, AggregateState> store = run.driver().getKeyValueStore(DeciderTopology.STORE);
    pure.states.forEach((id, state) -> assertThat(store.get(id)).as(id).isEqualTo(state));
  }

  @Test
  void aRetryIsAnsweredFromTheStoreAndARejectionAppendsNothing() {
    submit(c.definePool("v4", null, "192.0.2.0/28"));
    submit(c.defineTemplate("standard", "v4"));
    submit(c.createAccount("acme"));
    CommandEnvelope create = c.createGateway("acme", "shop", "standard");
    submit(create);
    events.readRecordsToList();
    List<CommandResult> first = results.readValuesToList();

    submit(create);
    assertThat(events.isEmpty()).as("a retry appends nothing").isTrue();
    assertThat(results.readValue()).isEqualTo(first.get(first.size() - 1));

    submit(c.createGateway("acme", "blog", "no-such-template"));
    assertThat(events.isEmpty()).as("a rejection appends nothing").isTrue();
    CommandResult rejected = results.readValue();
    assertThat(rejected.getAccepted()).isFalse();
    assertThat(rejected.getRejection().getCode()).isEqualTo(RejectionCode.NOT_FOUND);
    assertThat(rejected.getRejection().getField()).isNotBlank();
  }
}
