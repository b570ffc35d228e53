package org.epicgateway.edge.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** host.yaml: the workload cluster a host speaks for, given or the hosts' default, and a bad one named by its field. */
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
    void theClusterIsTheGivenIdElseOneForEveryHostOfTheAccount() throws Exception {
        assertThat(read("  clusterId: hosts-east", "host-1").cluster()).isEqualTo("hosts-east");
        // Hosts without a clusterId (host.yaml files written before it existed too) are one cluster, so that they can
        // serve one Service together.
        assertThat(read("", "host-1").cluster()).isEqualTo("linux-hosts");
        assertThat(read("", "host-2").cluster()).isEqualTo("linux-hosts");
    }

    @Test
    void aClusterIdThatIsNoDnsSubdomainIsRefusedNamingTheField() {
        assertThatThrownBy(() -> read("  clusterId: Hosts_East", "host-1"))
            .hasMessageContaining("epic.clusterId: 'Hosts_East' is not a DNS subdomain");
    }
}
