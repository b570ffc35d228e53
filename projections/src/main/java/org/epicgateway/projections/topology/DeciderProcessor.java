package org.epicgateway.projections.topology;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.decider.Decider;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: decides each command against the store, stores the folded states, and forwards the events and the
 * command result (gateway views are a projection of epic.events of their own, see viewtopology). Everything it forwards for one command is committed in one
 * exactly-once transaction together with the store's changelog, so a crash never leaves half a decision.
 * A command id that was already decided (a client's retry) gets the stored result again and appends nothing.
 */
final class DeciderProcessor implements Processor<String, CommandEnvelope, String, SpecificRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(DeciderProcessor.class);

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, AggregateState> store;
  private KeyValueStore<String, CommandResult> decided;
  private StoreLookup lookup;

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(DeciderTopology.STORE);
    this.lookup = new StoreLookup(store);
    this.decided = context.getStateStore(DeciderTopology.DECIDED);
  }

  @Override
  public void process(Record<String, CommandEnvelope> record) {
    CommandEnvelope command = record.value();
    if (command == null) {
      // A tombstone carries no command id, so there is nobody to answer.
      LOG.warn("ignoring a null command with key {}", record.key());
      return;
    }
    CommandResult earlier = decided.get(command.getCommandId());
    if (earlier != null) {
      context.forward(record.withKey(command.getCommandId()).withValue(earlier), DeciderTopology.RESULTS_SINK);
      return;
    }
    Decision decision = Decider.decide(command, lookup);
    decision.states().forEach(store::put);
    for (EventEnvelope event : decision.events()) {
      context.forward(record.withKey(event.getAggregateId()).withValue(event), DeciderTopology.EVENTS_SINK);
    }
    CommandResult result = decision.result(command);
    decided.put(command.getCommandId(), result);
    context.forward(record.withKey(command.getCommandId()).withValue(result), DeciderTopology.RESULTS_SINK);
  }
}
