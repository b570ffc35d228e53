package org.epicgateway.transport.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EPIC-node side: receives control packets on UDP 6080 (epic_decap passes them up untouched, so the source is the
 * client's NAT-translated address and port), verifies each and hands the verdict and source to {@code handler}.
 */
public final class ControlListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlListener.class);

  public interface Handler {
    void handle(ControlVerifier.Result result, InetSocketAddress source);
  }

  private final DatagramChannel channel;
  private final Thread thread;

  /** Starts receiving on {@code channel} (already bound, in the node's network namespace). */
  public ControlListener(DatagramChannel channel, ControlVerifier verifier, LongSupplier clockMs, Handler handler) {
    this.channel = channel;
    this.thread = new Thread(() -> run(verifier, clockMs, handler), "epic-control-listener");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(ControlVerifier verifier, LongSupplier clockMs, Handler handler) {
    // One byte more than a control packet, so an over-long datagram is seen as malformed, not truncated to fit.
    ByteBuffer buf = ByteBuffer.allocate(org.epicgateway.transport.maps.EpicMaps.CTRL_LEN + 1);
    while (channel.isOpen()) {
      try {
        buf.clear();
        InetSocketAddress source = (InetSocketAddress) channel.receive(buf);
        handler.handle(verifier.verify(buf.array(), buf.position(), clockMs.getAsLong()), source);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("control packet handling failed", e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
