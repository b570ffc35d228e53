package org.epicgateway.provisioner.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stand-in for Envoy where no {@code envoy} binary exists (these build machines): a plain TCP forwarder, started
 * as its own process by the local provider only when asked to ({@code epic.provisioner.stand-in=true}, tests and
 * demos), and named so in every report, so nobody mistakes it for Envoy. It listens on the gateway address and
 * ports and forwards each connection to the next upstream (round robin); with none it answers one line saying so.
 * It prints {@code READY} once every listener is bound: the provider's readiness signal.
 *
 * <p>Its upstreams come from a file ({@code host:port} a line; the provider replaces it atomically), read again every
 * {@value #POLL_MS} ms: like Envoy over xDS, it takes new endpoints without a restart, which would take the replica
 * out of ready and its node's advert with it. A file it cannot read or parse keeps the last good list, and it says
 * so on its output once per such content; each list it takes is printed too.
 *
 * <p>Usage: {@code StandInProxy <nodeId> <address> <port,...> <upstreams file>}
 */
public final class StandInProxy {
  static final long POLL_MS = 100;

  private StandInProxy() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: StandInProxy <nodeId> <address> <port,...> <upstreams file>");
      System.exit(2);
    }
    String nodeId = args[0];
    InetAddress address = InetAddress.getByName(args[1]);
    Path upstreamsFile = Path.of(args[3]);
    AtomicReference<List<InetSocketAddress>> upstreams = new AtomicReference<>(List.of());
    String seen = follow(upstreamsFile, null, upstreams);
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
    // Runs until killed (the provider stops it by destroying the process), following its upstreams file.
    try {
      while (true) {
        Thread.sleep(POLL_MS);
        seen = follow(upstreamsFile, seen, upstreams);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Takes the file's list if its content differs from {@code seen} and parses; returns the content now seen (a
   * failed read counts as its message, so it is reported once until the file changes).
   */
  private static String follow(Path file, String seen, AtomicReference<List<InetSocketAddress>> upstreams) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      content = "unreadable: " + e;
      if (!content.equals(seen)) {
        report("upstreams file " + file + " " + content + "; keeping " + upstreams.get());
      }
      return content;
    }
    if (content.equals(seen)) {
      return seen;
    }
    try {
      List<InetSocketAddress> parsed = parse(content);
      upstreams.set(parsed);
      report("upstreams " + parsed);
    } catch (IllegalArgumentException e) {
      report("upstreams file " + file + ": " + e.getMessage() + "; keeping " + upstreams.get());
    }
    return content;
  }

  /** One {@code host:port} a line; blank lines are ignored, so an empty file is no upstream. */
  static List<InetSocketAddress> parse(String content) {
    List<InetSocketAddress> upstreams = new ArrayList<>();
    for (String line : content.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
      int colon = line.lastIndexOf(':');
      int port;
      try {
        port = colon > 0 ? Integer.parseInt(line.substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("line '" + line + "' is not host:port");
      }
      upstreams.add(new InetSocketAddress(line.substring(0, colon), port));
    }
    return List.copyOf(upstreams);
  }

  private static void report(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void accept(ServerSocket server, String nodeId, AtomicReference<List<InetSocketAddress>> upstreams,
      AtomicInteger next) {
    while (true) {
      try {
        Socket client = server.accept();
        Thread.ofVirtual().start(() -> serve(client, nodeId, upstreams.get(), next));
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
