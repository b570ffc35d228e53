package org.epicgateway.edge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** host.yaml: the workload cluster a host speaks for, given or its node's name, and a bad one named by its field. */
class HostConfigTest {
    @TempDir
    Path dir;

    private LinuxController.HostConfig read(String epicExtra, String node) throws Exception {
        return LinuxController.HostConfig.read(Files.writeString(dir.resolve("host.yaml"), """
            epic:
              apiUrl: http://127.0.0.1:8080
              account: acme
              username: host-1
              password: secret-1
            %s
            node: {name: %s, address: 198.51.100.20}
            services:
              - name: web
                ports: [{name: http, port: 80}]
            """.formatted(epicExtra, node)));
    }

    @Test
    void theClusterIsTheGivenIdElseTheNodesName() throws Exception {
        assertThat(read("  clusterId: hosts-east", "host-1").cluster()).isEqualTo("hosts-east");
        assertThat(read("", "host-1").cluster()).isEqualTo("host-1");
    }

    @Test
    void aClusterIdThatIsNoDnsSubdomainIsRefusedNamingTheField() {
        assertThatThrownBy(() -> read("  clusterId: Hosts_East", "host-1"))
            .hasMessageContaining("epic.clusterId: 'Hosts_East' is not a DNS subdomain");
        assertThatThrownBy(() -> read("", "Host_1"))
            .hasMessageContaining("epic.clusterId: the default, node.name 'Host_1',");
    }
}
