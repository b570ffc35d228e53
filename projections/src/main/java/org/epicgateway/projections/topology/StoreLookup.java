package org.epicgateway.projections.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.epicgateway.projections.decider.StateLookup;
import org.epicgateway.schemas.avro.AggregateState;

/** {@link StateLookup} over the {@code aggregate-state} store, for the decider's task and for interactive queries. */
final class StoreLookup implements StateLookup {

  /** Above every character of an aggregate id (ids are ASCII), so [prefix, prefix + END] spans the prefix. */
  private static final String END = "\uffff";

  private final ReadOnlyKeyValueStore<String, AggregateState> store;

  StoreLookup(ReadOnlyKeyValueStore<String, AggregateState> store) {
    this.store = store;
  }

  @Override
  public Optional<AggregateState> get(String aggregateId) {
    return Optional.ofNullable(store.get(aggregateId));
  }

  @Override
  public List<AggregateState> withPrefix(String prefix) {
    return range(prefix, prefix + END);
  }

  /** States with ids in [from, to], in id order. */
  List<AggregateState> range(String from, String to) {
    return range(from, to, s -> true, Integer.MAX_VALUE);
  }

  /** The first {@code limit} states with ids in [from, to] that pass {@code filter}, reading no further. */
  List<AggregateState> range(String from, String to, Predicate<AggregateState> filter, int limit) {
    List<AggregateState> states = new ArrayList<>();
    try (KeyValueIterator<String, AggregateState> it = store.range(from, to)) {
      while (states.size() < limit && it.hasNext()) {
        AggregateState s = it.next().value;
        if (filter.test(s)) {
          states.add(s);
        }
      }
    }
    return states;
  }
}
