package org.epicgateway.transport.libbpf;

import java.nio.file.Path;
import org.epicgateway.transport.libbpf.TcAttachment.Direction;
import org.epicgateway.transport.maps.EpicMaps;
import org.epicgateway.transport.netns.NetNs;

/**
 * A JVM of its own for {@link LibbpfRootTest#libbpfsMessagesGoThroughTheLoggerAndTheExpectedRefusalsAreDebug}: what
 * libbpf prints by default goes to the process's stderr, which only a parent process can read. Attaches a program to
 * a bare interface (the kernel refuses: no clsact qdisc yet) and detaches it twice (the second: no such filter).
 * Arguments: namespace, interface, BPF object, pin directory.
 */
public final class AttachToBareInterface {
  public static void main(String[] args) throws Exception {
    try (NetNs ns = NetNs.named(args[0]);
         BpfObject object = BpfObject.load(Path.of(args[2]), Path.of(args[3]), EpicMaps.ALL_MAPS)) {
      int ifindex = ns.ifindex(args[1]);
      int encap = object.programFd(EpicMaps.PROG_ENCAP);
      ns.call(() -> {
        TcAttachment.attach(ifindex, Direction.EGRESS, encap);
        System.out.println("detached: " + TcAttachment.detach(ifindex, Direction.EGRESS) + ", "
            + TcAttachment.detach(ifindex, Direction.EGRESS));
        return null;
      });
    }
  }
}
