package org.epicgateway.transport.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.epicgateway.transport.netns.NetNs;

/**
 * A clearly named stand-in for an Envoy replica (no Envoy binary exists on these machines): accepts TCP on the
 * gateway address in its replica namespace and pipes each connection to one upstream (the workload pod), both ways.
 */
final class StandInProxy implements AutoCloseable {
  private final ServerSocketChannel server;
  private final NetNs ns;
  private final InetSocketAddress upstream;
  final AtomicInteger accepted = new AtomicInteger();

  StandInProxy(NetNs ns, InetSocketAddress listen, InetSocketAddress upstream) {
    this.ns = ns;
    this.upstream = upstream;
    this.server = ns.call(() -> ServerSocketChannel.open().bind(listen));
    Thread t = new Thread(this::acceptLoop, "stand-in-proxy-" + ns.name());
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel downstream = server.accept();
        accepted.incrementAndGet();
        SocketChannel up = ns.call(SocketChannel::open); // created in the replica's namespace, like Envoy's upstream
        up.socket().connect(upstream, 10_000);
        // Each direction ends with a half close; the connection closes once both directions have ended.
        AtomicInteger open = new AtomicInteger(2);
        Runnable ended = () -> {
          if (open.decrementAndGet() == 0) {
            closeQuietly(downstream);
            closeQuietly(up);
          }
        };
        pipe(downstream, up, ended);
        pipe(up, downstream, ended);
      } catch (IOException | UncheckedIOException e) {
        if (!server.isOpen()) return;
      }
    }
  }

  private static void pipe(SocketChannel from, SocketChannel to, Runnable ended) {
    Thread t = new Thread(() -> {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      try {
        while (from.read(buf) >= 0) {
          buf.flip();
          while (buf.hasRemaining()) to.write(buf);
          buf.clear();
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // the other side went away; the test sees it as a short or missing answer
      } finally {
        ended.run();
      }
    }, "stand-in-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed by the peer
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
