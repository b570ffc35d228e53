package org.epicgateway.projections.topology;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.CommandResult;

/**
 * Reads of the decider's {@code aggregate-state} and {@code decided-commands} stores through interactive queries (this
 * JVM's decider instance, which with the single-writer topology holds every aggregate and every decided command).
 */
public final class AggregateQueries {

  /** How long a read waits for the store while the decider starts, restores or rebalances. */
  private static final Duration STORE_WAIT = Duration.ofSeconds(30);

  /**
   * One page of a listing.
   *
   * @param nextPageToken pass to the next {@link #list} call; null on the last page
   */
  public record Page(List<AggregateState> items, String nextPageToken) {}

  private final KafkaStreams streams;
  private final Deserializer<CommandResult> results;

  /** @param results reads the decided store's values (the results' Avro bytes) */
  public AggregateQueries(KafkaStreams streams, Deserializer<CommandResult> results) {
    this.streams = streams;
    this.results = results;
  }

  /** The aggregate's state with its version; deleted aggregates are returned with {@code deleted=true}. */
  public Optional<AggregateState> get(String aggregateId) {
    return lookup().get(aggregateId);
  }

  /**
   * Live (not deleted) aggregates of one type in id order, a page at a time. For tenant resources (gateways, routes,
   * endpoint slices, namespaces...) {@code account} narrows to that tenant (null lists every tenant's); for accounts it selects that one
   * account; pools and templates have no account and ignore it.
   *
   * @param pageToken null for the first page, else the previous page's {@link Page#nextPageToken()}
   * @param limit 1..1000 items per page
   */
  public Page list(AggregateType type, String account, String pageToken, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be 1..1000, got " + limit);
    }
    String prefix;
    if ((type.tenantNamespaced() || type.accountNamed()) && account != null) {
      prefix = type.prefix() + "/" + account + "/";
    } else if (type == AggregateType.ACCOUNT && account != null) {
      prefix = AggregateIds.account(account);
    } else {
      prefix = type.prefix() + "/";
    }
    if (pageToken != null && !pageToken.startsWith(prefix)) {
      throw new IllegalArgumentException("page token '" + pageToken + "' does not belong to this listing");
    }
    // '\0' is below every id character, so the range starts right after the token's id.
    String from = pageToken == null ? prefix : pageToken + "\0";
    List<AggregateState> live = lookup().range(from, prefix + "\uffff", s -> !s.getDeleted()
        && (type != AggregateType.ACCOUNT || account == null || s.getAggregateId().equals(prefix)), limit + 1);
    if (live.size() <= limit) {
      return new Page(live, null);
    }
    List<AggregateState> page = live.subList(0, limit);
    return new Page(page, page.get(limit - 1).getAggregateId());
  }

  /** The result the decider gave the command with this id, if it decided one (a retry then gets the same). */
  public Optional<CommandResult> decided(String commandId) {
    return Optional.ofNullable(this.<byte[]>store(DeciderTopology.DECIDED).get(commandId))
        .map(bytes -> results.deserialize(DeciderTopology.DECIDED_CHANGELOG, bytes));
  }

  StoreLookup lookup() {
    return new StoreLookup(store(DeciderTopology.STORE));
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
    long deadline = System.nanoTime() + STORE_WAIT.toNanos();
    while (true) {
      try {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
      } catch (InvalidStateStoreException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the " + name + " store is not queryable (decider state "
              + streams.state() + ")", e);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the " + name + " store", ie);
        }
      }
    }
  }
}
