package org.epicgateway.xds;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.epicgateway.xds.acks.ConfigReports;

/** Collects the projector's reports as lines, in order, so tests can wait for them. */
final class RecordedReports implements ConfigReports {
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  @Override
  public void applied(String gatewayId, String nodeId, String version, List<String> sourceCommandIds) {
    lines.add("applied " + gatewayId + " " + nodeId + " " + version + " " + sourceCommandIds);
  }

  @Override
  public void rejected(String gatewayId, String nodeId, String version, String typeUrl, String errorDetail) {
    lines.add("rejected " + gatewayId + " " + nodeId + " " + version + " " + typeUrl + " " + errorDetail);
  }

  @Override
  public void rolledBack(String gatewayId, String fromVersion, String toVersion, String reason) {
    lines.add("rolledBack " + gatewayId + " " + fromVersion + " " + toVersion + " " + reason);
  }

  /** Waits for the next report matching, skipping others. */
  String await(Predicate<String> matching) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && matching.test(line)) {
        return line;
      }
    }
    throw new AssertionError("no matching report within 60 s");
  }

  void awaitReceipt(XdsProjector projector, String commandId, String nodeId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (projector.receipt(commandId).acked().stream().anyMatch(a -> a.nodeId().equals(nodeId))) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no receipt of " + commandId + " by " + nodeId + " within 60 s");
  }
}
