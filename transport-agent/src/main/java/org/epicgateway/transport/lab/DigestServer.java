package org.epicgateway.transport.lab;

import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A workload "pod" for root tests: answers each TCP connection, once its client half-closes, with the SHA-256 of what it received. */
public final class DigestServer {
  private DigestServer() {}

  /** Serves on {@code server} (bound in the pod's namespace) until it is closed; answers start with {@code who}. */
  public static void start(ServerSocketChannel server, String who) {
    Thread t = new Thread(() -> {
      while (server.isOpen()) {
        try (SocketChannel c = server.accept()) {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
          while (c.read(buf) >= 0) {
            buf.flip();
            sha.update(buf);
            buf.clear();
          }
          c.write(ByteBuffer.wrap((who + " sha256 " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
          if (!server.isOpen()) return;
        }
      }
    }, "digest-server");
    t.setDaemon(true);
    t.start();
  }

  /** The answer the server gives for {@code payload}. */
  public static String answer(String who, byte[] payload) {
    try {
      return who + " sha256 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
