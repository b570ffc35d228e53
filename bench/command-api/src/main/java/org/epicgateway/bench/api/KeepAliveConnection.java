package org.epicgateway.bench.api;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection, one request at a time, as a load generator's connection is. Hand-written so
 * the client side of a run costs little CPU on the machine the server shares (the JDK HttpClient costs several times
 * more per request than the server's own work at these rates).
 */
final class KeepAliveConnection implements AutoCloseable {

  /** Status and body of one answer. */
  record Response(int status, String body) {}

  private final String host;
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  KeepAliveConnection(String host, int port) throws IOException {
    this.host = host + ":" + port;
    this.socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
  }

  Response send(String method, String path, String authorization, String body) throws IOException {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + authorization
        + "\r\nContent-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(content);
    out.flush();
    String status = line();
    if (status == null) {
      throw new IOException("connection closed by the server");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(h.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    if (chunked) {
      for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
        answer.write(in.readNBytes(size));
        line();
      }
      line();
    } else if (length > 0) {
      answer.write(in.readNBytes((int) length));
    }
    return new Response(code, answer.toString(StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.isEmpty() ? null : b.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
