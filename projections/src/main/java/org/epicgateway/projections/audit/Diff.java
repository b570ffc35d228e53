package org.epicgateway.projections.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.generic.IndexedRecord;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.json.AvroJson;

/**
 * {@code audit diff}: what changed between two instants, field by field, and which events caused each change, with
 * their actor and command id. Built in one pass over the log: the world at both instants and the events between.
 */
public final class Diff {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One changed leaf of a resource, by JSON path ({@code rules[0].backendRefs[1].weight}). */
  public record FieldChange(String path, JsonNode before, JsonNode after) {}

  /** An event that moved the aggregate from one version to the next. */
  public record Cause(String eventId, String event, long sequence, String at, String actor, String commandId) {}

  /** @param change {@code created}, {@code changed} or {@code deleted} */
  public record Change(String aggregateId, String change, long fromVersion, long toVersion,
                       List<FieldChange> fields, List<Cause> causes) {}

  private final StateAt before;
  private final StateAt after;
  private final Map<String, List<EventEnvelope>> between = new TreeMap<>();

  public Diff(Instant from, Instant to) {
    if (!to.isAfter(from)) {
      throw new IllegalArgumentException("--to (" + to + ") must be after --from (" + from + ")");
    }
    before = new StateAt(from);
    after = new StateAt(to);
  }

  public void accept(LoggedEvent logged) {
    before.accept(logged);
    after.accept(logged);
    EventEnvelope event = logged.event();
    Instant at = event.getTimestamp();
    if (at.isAfter(before.at()) && !at.isAfter(after.at())) {
      between.computeIfAbsent(event.getAggregateId(), id -> new ArrayList<>()).add(event);
    }
  }

  /** The answer as the CLI and the REST API print it: both instants and the changes in scope. */
  public ObjectNode report(AuditScope scope) {
    ObjectNode out = JSON.createObjectNode().put("from", before.at().toString()).put("to", after.at().toString());
    out.set("changes", JSON.valueToTree(changes(scope)));
    return out;
  }

  /** The changes in scope, by aggregate id. A gateway scope covers what its view held at either instant. */
  public List<Change> changes(AuditScope scope) {
    Set<String> members = union(scope.members(before), scope.members(after));
    Set<String> ids = new TreeSet<>(before.states().keySet());
    ids.addAll(after.states().keySet());
    List<Change> changes = new ArrayList<>();
    for (String id : ids) {
      AggregateState was = live(before.states().get(id));
      AggregateState is = live(after.states().get(id));
      if (!scope.covers(id, members) || (was == null && is == null)
          || (was != null && is != null && was.getVersion() == is.getVersion())) {
        continue;
      }
      String change = was == null ? "created" : is == null ? "deleted" : "changed";
      changes.add(new Change(id, change, was == null ? 0 : was.getVersion(),
          after.states().get(id).getVersion(), fields(was, is), causes(between.getOrDefault(id, List.of()))));
    }
    return changes;
  }

  private static List<FieldChange> fields(AggregateState was, AggregateState is) {
    Map<String, JsonNode> a = leaves(was);
    Map<String, JsonNode> b = leaves(is);
    Set<String> paths = new TreeSet<>(a.keySet());
    paths.addAll(b.keySet());
    List<FieldChange> out = new ArrayList<>();
    for (String path : paths) {
      JsonNode x = a.getOrDefault(path, NullNode.instance);
      JsonNode y = b.getOrDefault(path, NullNode.instance);
      if (!x.equals(y)) {
        out.add(new FieldChange(path, x, y));
      }
    }
    return out;
  }

  private static Map<String, JsonNode> leaves(AggregateState state) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (state != null) {
      flatten("", AvroJson.toJson((IndexedRecord) state.getResource()), out);
    }
    return out;
  }

  private static void flatten(String path, JsonNode node, Map<String, JsonNode> out) {
    if (node.isObject() && !node.isEmpty()) {
      node.fields().forEachRemaining(f -> flatten(path.isEmpty() ? f.getKey() : path + "." + f.getKey(),
          f.getValue(), out));
    } else if (node.isArray() && !node.isEmpty()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "[" + i + "]", node.get(i), out);
      }
    } else {
      out.put(path, node);
    }
  }

  private static List<Cause> causes(List<EventEnvelope> events) {
    return events.stream().map(e -> new Cause(e.getEventId(), e.getPayload().getClass().getSimpleName(),
        e.getSequence(), e.getTimestamp().toString(),
        e.getActor().getKind() + ":" + e.getActor().getId(), e.getCorrelationId())).toList();
  }

  private static AggregateState live(AggregateState state) {
    return state == null || state.getDeleted() ? null : state;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    if (a == null) {
      return b;
    }
    Set<String> all = new HashSet<>(a);
    if (b != null) {
      all.addAll(b);
    }
    return all;
  }
}
