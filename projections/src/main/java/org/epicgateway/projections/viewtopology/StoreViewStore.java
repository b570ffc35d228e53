package org.epicgateway.projections.viewtopology;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.schemas.avro.AggregateState;

/**
 * {@link ViewStore} over the projection's state stores. An index entry is the store key {@code key|member} (ids,
 * names and services never contain '|'), so a key's members are one prefix scan, in id order.
 */
final class StoreViewStore implements ViewStore {

  static final char SEPARATOR = '|';
  /** Marker key of an index holding the entries of every stored state; without a separator, no prefix scan sees it. */
  static final String COMPLETE = "#complete";
  private static final StringSerializer KEYS = new StringSerializer();

  private final KeyValueStore<String, AggregateState> states;
  private final Map<Index, KeyValueStore<String, String>> indexes;

  StoreViewStore(KeyValueStore<String, AggregateState> states, Map<Index, KeyValueStore<String, String>> indexes) {
    this.states = states;
    this.indexes = new EnumMap<>(indexes);
  }

  @Override
  public Optional<AggregateState> get(String aggregateId) {
    return Optional.ofNullable(states.get(aggregateId));
  }

  @Override
  public void put(AggregateState state) {
    states.put(state.getAggregateId(), state);
  }

  @Override
  public void add(Index index, String key, String member) {
    indexes.get(index).put(key + SEPARATOR + member, member);
  }

  @Override
  public void remove(Index index, String key, String member) {
    indexes.get(index).delete(key + SEPARATOR + member);
  }

  @Override
  public List<String> members(Index index, String key) {
    List<String> members = new ArrayList<>();
    try (KeyValueIterator<String, String> it = indexes.get(index).prefixScan(key + SEPARATOR, KEYS)) {
      it.forEachRemaining(kv -> members.add(kv.value));
    }
    return members;
  }
}
