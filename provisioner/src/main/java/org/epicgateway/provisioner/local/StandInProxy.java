package org.epicgateway.provisioner.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stand-in for Envoy where no {@code envoy} binary exists (these build machines): a plain TCP forwarder, started
 * as its own process by the local provider only when asked to ({@code epic.provisioner.stand-in=true}, tests and
 * demos), and named so in every report, so nobody mistakes it for Envoy. It listens on the gateway address and
 * ports and forwards each connection to the next upstream (round robin); with none it answers one line saying so.
 * It prints {@code READY} once every listener is bound: the provider's readiness signal.
 *
 * <p>Usage: {@code StandInProxy <nodeId> <address> <port,...> [<upstream host:port>...]}
 */
public final class StandInProxy {
  private StandInProxy() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: StandInProxy <nodeId> <address> <port,...> [<upstream host:port>...]");
      System.exit(2);
    }
    String nodeId = args[0];
    InetAddress address = InetAddress.getByName(args[1]);
    List<InetSocketAddress> upstreams = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      int colon = args[i].lastIndexOf(':');
      upstreams.add(new InetSocketAddress(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1))));
    }
    AtomicInteger next = new AtomicInteger();
    List<ServerSocket> listeners = new ArrayList<>();
    for (String port : args[2].split(",")) {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(address, Integer.parseInt(port)));
      listeners.add(server);
    }
    for (ServerSocket server : listeners) {
      Thread.ofVirtual().start(() -> accept(server, nodeId, upstreams, next));
    }
    System.out.println("READY " + nodeId);
    System.out.flush();
    // Runs until killed; the provider stops it by destroying the process.
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void accept(ServerSocket server, String nodeId, List<InetSocketAddress> upstreams,
      AtomicInteger next) {
    while (true) {
      try {
        Socket client = server.accept();
        Thread.ofVirtual().start(() -> serve(client, nodeId, upstreams, next));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serve(Socket client, String nodeId, List<InetSocketAddress> upstreams, AtomicInteger next) {
    try (client) {
      if (upstreams.isEmpty()) {
        client.getOutputStream().write(("epic stand-in proxy " + nodeId + ": no upstream endpoint\n")
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      InetSocketAddress target = upstreams.get(Math.floorMod(next.getAndIncrement(), upstreams.size()));
      try (Socket upstream = new Socket()) {
        upstream.connect(target, 5000);
        Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
        pipe(client, upstream);
        back.join();
      }
    } catch (IOException | InterruptedException e) {
      // the connection ends; the proxy goes on
    }
  }

  private static void pipe(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      in.transferTo(out);
      to.shutdownOutput();
    } catch (IOException e) {
      // one side closed
    }
  }
}
