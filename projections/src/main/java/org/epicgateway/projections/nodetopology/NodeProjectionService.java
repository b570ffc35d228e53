package org.epicgateway.projections.nodetopology;

import org.epicgateway.projections.streams.StreamsService;

/** Runs the per-node projection (epic.events + epic.gateway-state -> epic.node-bpf, epic.node-adverts). */
public final class NodeProjectionService extends StreamsService {
  public NodeProjectionService() {
    super("node-projection", "the node projection", NodeTopology.APPLICATION_ID, NodeTopology::build);
  }
}
