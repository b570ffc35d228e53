package org.epicgateway.projections.viewtopology;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.epicgateway.projections.view.ViewStore;
import org.epicgateway.schemas.avro.AggregateState;

/**
 * {@link ViewStore} over the running projection's stores through interactive queries: read-only (the projection is
 * their only writer), entries laid out as {@link StoreViewStore} writes them.
 */
final class QueryViewStore implements ViewStore {

  private static final StringSerializer KEYS = new StringSerializer();

  private final ReadOnlyKeyValueStore<String, AggregateState> states;
  private final Map<Index, ReadOnlyKeyValueStore<String, String>> indexes = new EnumMap<>(Index.class);

  private QueryViewStore(KafkaStreams streams) {
    this.states = streams.store(StoreQueryParameters.fromNameAndType(GatewayViewTopology.STATES,
        QueryableStoreTypes.keyValueStore()));
    GatewayViewTopology.INDEX_STORES.forEach((index, name) -> indexes.put(index,
        streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()))));
  }

  static QueryViewStore of(KafkaStreams streams) {
    return new QueryViewStore(streams);
  }

  @Override
  public Optional<AggregateState> get(String aggregateId) {
    return Optional.ofNullable(states.get(aggregateId));
  }

  /**
   * Over every partition's store: a grantee's routes, Services and slices that a shared gateway uses are indexed in
   * their account's partition and in the owner's, so the members of all are merged, each once, in id order.
   */
  @Override
  public List<String> members(Index index, String key) {
    Set<String> members = new TreeSet<>();
    try (KeyValueIterator<String, String> it = indexes.get(index).prefixScan(key + StoreViewStore.SEPARATOR, KEYS)) {
      it.forEachRemaining(kv -> members.add(kv.value));
    }
    return List.copyOf(members);
  }

  @Override
  public void put(AggregateState state) {
    throw new UnsupportedOperationException("the gateway view projection is the only writer of its stores");
  }

  @Override
  public void add(Index index, String key, String member) {
    throw new UnsupportedOperationException("the gateway view projection is the only writer of its stores");
  }

  @Override
  public void remove(Index index, String key, String member) {
    throw new UnsupportedOperationException("the gateway view projection is the only writer of its stores");
  }
}
