package org.epicgateway.transport.agent;

import java.net.InetSocketAddress;
import org.epicgateway.transport.control.ControlVerifier;
import org.epicgateway.transport.maps.EpicMaps.Tunnel;

/** What the agent observes and reports (as events once a reporter is plugged in); the agent never decides on it. */
public interface TransportObserver {
  /** A verified control packet moved tunnel {@code tunnelId}; {@code previous} is the map value before. */
  default void tunnelRemoteLearned(int tunnelId, Tunnel previous, Tunnel current) {}

  /** A control packet from {@code source} changed nothing. */
  default void controlRejected(ControlVerifier.Result result, InetSocketAddress source) {}

  /** Attaching the programs to {@code ifname} failed. */
  default void attachFailed(String ifname, RuntimeException error) {}

  TransportObserver NONE = new TransportObserver() {};
}
