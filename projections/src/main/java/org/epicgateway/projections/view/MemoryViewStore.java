package org.epicgateway.projections.view;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epicgateway.schemas.avro.AggregateState;

/** A {@link ViewStore} in memory: the gateway view projection's code run without Kafka (audit, route-check, tests). */
public final class MemoryViewStore implements ViewStore {

  private final Map<String, AggregateState> states = new TreeMap<>();
  private final Map<Index, Map<String, TreeSet<String>>> indexes = new EnumMap<>(Index.class);

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
    indexes.computeIfAbsent(index, i -> new TreeMap<>()).computeIfAbsent(key, k -> new TreeSet<>()).add(member);
  }

  @Override
  public void remove(Index index, String key, String member) {
    TreeSet<String> members = indexes.getOrDefault(index, Map.of()).get(key);
    if (members != null) {
      members.remove(member);
      if (members.isEmpty()) {
        indexes.get(index).remove(key);
      }
    }
  }

  @Override
  public List<String> members(Index index, String key) {
    return List.copyOf(indexes.getOrDefault(index, Map.of()).getOrDefault(key, new TreeSet<>()));
  }
}
