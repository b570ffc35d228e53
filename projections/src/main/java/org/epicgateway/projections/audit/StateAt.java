package org.epicgateway.projections.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.epicgateway.projections.decider.StateLookup;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.view.GatewayViews;
import org.epicgateway.projections.view.MemoryViewStore;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayView;

/**
 * The state of every aggregate as it was at an instant, folded from the log with the decider's own {@link Fold}, and
 * the gateway views of that instant, kept by the gateway view projection's own code ({@link GatewayViews}).
 * Each aggregate's history is cut at its first event after the instant, so an event stamped earlier by a clock that
 * stepped back is never folded over the gap it would leave.
 */
public final class StateAt implements StateLookup {

  private final Instant at;
  private final TreeMap<String, AggregateState> states = new TreeMap<>();
  private final StateLookup lookup = StateLookup.of(states);
  private final Set<String> cut = new HashSet<>();
  private final MemoryViewStore views = new MemoryViewStore();
  private long folded;

  public StateAt(Instant at) {
    this.at = at;
  }

  /** Folds one event read from the log, chained by the hash of its stored bytes (schema evolution cannot break it). */
  public void accept(LoggedEvent logged) {
    EventEnvelope event = logged.event();
    String id = event.getAggregateId();
    if (cut.contains(id)) {
      return;
    }
    if (event.getTimestamp().isAfter(at)) {
      cut.add(id);
      return;
    }
    AggregateState state = Fold.apply(states.get(id), event, logged.storedHash());
    states.put(id, state);
    if (GatewayViews.partOfViews(id)) {
      GatewayViews.update(views, state);
    }
    folded++;
  }

  public Instant at() {
    return at;
  }

  public long eventsFolded() {
    return folded;
  }

  /** Every aggregate that had an event by the instant, deleted ones included, by aggregate id. */
  public SortedMap<String, AggregateState> states() {
    return Collections.unmodifiableSortedMap(states);
  }

  /** The gateway's view at the instant, or empty when it did not exist or was deleted. */
  public Optional<GatewayView> gatewayView(String gatewayId) {
    return GatewayViews.view(views, gatewayId);
  }

  @Override
  public Optional<AggregateState> get(String aggregateId) {
    return lookup.get(aggregateId);
  }

  @Override
  public List<AggregateState> withPrefix(String prefix) {
    return lookup.withPrefix(prefix);
  }
}
