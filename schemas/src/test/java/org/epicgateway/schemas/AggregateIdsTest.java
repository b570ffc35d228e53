package org.epicgateway.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AggregateIdsTest {
  @Test
  void buildsTheDocumentedKeys() {
    assertThat(AggregateIds.account("acme")).isEqualTo("account/acme");
    assertThat(AggregateIds.pool("public-v4")).isEqualTo("pool/public-v4");
    assertThat(AggregateIds.template("small")).isEqualTo("template/small");
    assertThat(AggregateIds.gateway("acme", "default", "web")).isEqualTo("gateway/acme/default/web");
    assertThat(AggregateIds.httpRoute("acme", "shop", "r1")).isEqualTo("httproute/acme/shop/r1");
    assertThat(AggregateIds.tcpRoute("acme", "shop", "db")).isEqualTo("tcproute/acme/shop/db");
    assertThat(AggregateIds.endpointSlice("acme", "shop", "web-abc12")).isEqualTo("endpointslice/acme/shop/web-abc12");
    assertThat(AggregateIds.namespace("acme", "shop")).isEqualTo("namespace/acme/shop");
  }

  @Test
  void parsesBackToTypeAndParts() {
    assertThat(AggregateIds.parse("httproute/acme/shop/r1"))
        .isEqualTo(new AggregateId(AggregateType.HTTP_ROUTE, "acme", "shop", "r1"));
    assertThat(AggregateIds.parse("account/acme"))
        .isEqualTo(new AggregateId(AggregateType.ACCOUNT, "acme", null, "acme"));
    assertThat(AggregateIds.parse("pool/p1")).isEqualTo(new AggregateId(AggregateType.POOL, null, null, "p1"));
    assertThat(AggregateIds.parse(AggregateIds.endpointSlice("a", "b", "c")).type())
        .isEqualTo(AggregateType.ENDPOINT_SLICE);
    assertThat(AggregateIds.parse("template/t").toString()).isEqualTo("template/t");
    assertThat(AggregateIds.parse("namespace/acme/shop"))
        .isEqualTo(new AggregateId(AggregateType.NAMESPACE, "acme", null, "shop"));
  }

  @Test
  void rejectsMalformedIdsNamingTheProblem() {
    assertThatThrownBy(() -> AggregateIds.parse("widget/x"))
        .hasMessageContaining("'widget/x'").hasMessageContaining("unknown aggregate type 'widget'");
    assertThatThrownBy(() -> AggregateIds.parse("gateway/acme/web"))
        .hasMessageContaining("gateway/<account>/<namespace>/<name>").hasMessageContaining("got 3");
    assertThatThrownBy(() -> AggregateIds.parse("pool/a/b")).hasMessageContaining("pool/<name>");
    assertThatThrownBy(() -> AggregateIds.parse("namespace/acme/default/shop"))
        .hasMessageContaining("namespace/<account>/<name>").hasMessageContaining("got 4");
    assertThatThrownBy(() -> AggregateIds.parse("gateway/acme//web")).hasMessageContaining("namespace is empty");
    assertThatThrownBy(() -> AggregateIds.parse("")).hasMessageContaining("aggregate id is empty");
    assertThatThrownBy(() -> AggregateIds.gateway("acme", "default", "a/b")).hasMessageContaining("name 'a/b' contains '/'");
  }
}
