package org.epicgateway.projections.decider;

import java.util.List;
import java.util.Optional;
import org.epicgateway.schemas.avro.AggregateState;

/** Read access to the folded aggregate states the decider decides against (the {@code aggregate-state} store). */
public interface StateLookup {

  Optional<AggregateState> get(String aggregateId);

  /** Every state whose aggregate id starts with {@code prefix}, in id order, deleted ones included. */
  List<AggregateState> withPrefix(String prefix);
}
