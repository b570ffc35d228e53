package org.epicgateway.transport.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-node side: every {@code interval} sends one signed control packet per tunnel from the node's GUE socket
 * (local port 6080) to the tunnel's EPIC node. The packets keep the NAT mapping open and tell the EPIC node the
 * translated address; EPIC→client data must come from the port they went to, which the EPIC tunnel pins.
 */
public final class ControlSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlSender.class);

  /** Where and under which key one tunnel's control packets go. */
  public record Target(InetSocketAddress epicNode, byte[] key) {}

  private final DatagramChannel channel;
  private final MonotonicCounter counter;
  private final Supplier<Map<Integer, Target>> targets;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "epic-control-sender");
    t.setDaemon(true);
    return t;
  });

  public ControlSender(DatagramChannel channel, MonotonicCounter counter, Supplier<Map<Integer, Target>> targets,
                       Duration interval) {
    if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("control interval must be positive");
    this.channel = channel;
    this.counter = counter;
    this.targets = targets;
    timer.scheduleAtFixedRate(this::sendAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends one round now (also called by the timer); a failure for one tunnel does not stop the others. */
  public void sendAll() {
    targets.get().forEach((id, target) -> {
      try {
        channel.send(ByteBuffer.wrap(ControlPacket.encode(id, counter.next(), target.key())), target.epicNode());
      } catch (IOException | RuntimeException e) {
        LOG.warn("sending control packet for tunnel {} to {} failed: {}", Integer.toUnsignedString(id), target.epicNode(), e.toString());
      }
    });
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    channel.close();
  }
}
