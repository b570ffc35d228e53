package org.epicgateway.projections.decider;

import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import org.epicgateway.schemas.avro.AggregateState;

/** Read access to the folded aggregate states the decider decides against (the {@code aggregate-state} store). */
public interface StateLookup {

  Optional<AggregateState> get(String aggregateId);

  /** Every state whose aggregate id starts with {@code prefix}, in id order, deleted ones included. */
  List<AggregateState> withPrefix(String prefix);

  /** The states of a sorted map (by aggregate id), read live: the store's contract without Kafka (audit, tests). */
  static StateLookup of(NavigableMap<String, AggregateState> states) {
    return new StateLookup() {
      @Override
      public Optional<AggregateState> get(String aggregateId) {
        return Optional.ofNullable(states.get(aggregateId));
      }

      @Override
      public List<AggregateState> withPrefix(String prefix) {
        return List.copyOf(states.subMap(prefix, prefix + Character.MAX_VALUE).values());
      }
    };
  }
}
