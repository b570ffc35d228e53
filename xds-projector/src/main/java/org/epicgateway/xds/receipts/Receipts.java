package org.epicgateway.xds.receipts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For each command id, the proxies that ACKed a configuration containing it. Bounded (oldest commands are
 * forgotten first) because receipts answer "is my recent change live?", not the audit question the event log answers.
 */
public final class Receipts {
  /** One proxy's ACK of configuration containing the command: a gateway revision or a cluster's endpoints. */
  public record Ack(String nodeId, String gatewayId, String configuration, long ackedAt) {}

  private final Map<String, Map<String, Ack>> byCommand;

  public Receipts(int maxCommands) {
    this.byCommand = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Map<String, Ack>> eldest) {
        return size() > maxCommands;
      }
    };
  }

  /** Records the proxy's ACK of configuration containing the command; false when it was already recorded. */
  public synchronized boolean acked(String commandId, Ack ack) {
    return byCommand.computeIfAbsent(commandId, c -> new LinkedHashMap<>()).putIfAbsent(ack.nodeId(), ack) == null;
  }

  public synchronized List<Ack> of(String commandId) {
    Map<String, Ack> acks = byCommand.get(commandId);
    return acks == null ? List.of() : new ArrayList<>(acks.values());
  }
}
