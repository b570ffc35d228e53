package org.epicgateway.projections.decider;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.AggregateState;

/** The decider's state held in a sorted map: the same contract as the aggregate-state store, for pure tests. */
public final class MapLookup implements StateLookup {

  public final TreeMap<String, AggregateState> states = new TreeMap<>();
  /** The audit chain key events are sealed with, as on the platform; null leaves them unsealed. */
  public EventSeals seals;
  private final StateLookup lookup = StateLookup.of(states);

  @Override
  public Optional<AggregateState> get(String aggregateId) {
    return lookup.get(aggregateId);
  }

  @Override
  public List<AggregateState> withPrefix(String prefix) {
    return lookup.withPrefix(prefix);
  }

  /** Decides and, when accepted, stores the new states as the topology does. */
  public Decision submit(org.epicgateway.schemas.avro.CommandEnvelope command) {
    Decision d = Decider.decide(command, this, seals);
    states.putAll(d.states());
    return d;
  }

  public Map<String, AggregateState> snapshot() {
    return new TreeMap<>(states);
  }
}
