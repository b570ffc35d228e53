package org.epicgateway.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.epicgateway.schemas.avro.GatewayRequested;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;

/** Realistic gateway events for tests of hashing, serde and formatting. */
public final class SampleEvents {
  public static final Instant T0 = Instant.parse("2026-11-22T04:00:00Z");
  public static final String GATEWAY = AggregateIds.gateway("acme", "default", "web");

  public static Listener http() {
    return Listener.newBuilder().setName("http").setPort(80).setProtocol(ListenerProtocol.HTTP).build();
  }

  public static EventEnvelope requested(ByteBuffer previousHash) {
    return envelope(1, previousHash, GatewayRequested.newBuilder().setAccount("acme").setNamespace("default")
        .setName("web").setTemplate("public").setListeners(List.of(http())).build());
  }

  public static EventEnvelope created(ByteBuffer previousHash) {
    return envelope(2, previousHash, GatewayCreated.newBuilder().setAccount("acme").setNamespace("default")
        .setName("web").setTemplate("public").setListeners(List.of(http())).setAddress("192.0.2.10")
        .setCreationTimestamp(T0.plusSeconds(1)).build());
  }

  private static EventEnvelope envelope(long sequence, ByteBuffer previousHash, Object payload) {
    return EventEnvelope.newBuilder()
        .setEventId("evt-" + sequence)
        .setAggregateType(AggregateType.GATEWAY.prefix())
        .setAggregateId(GATEWAY)
        .setSequence(sequence)
        .setTimestamp(T0.plusSeconds(sequence))
        .setAccount("acme")
        .setActor(Actor.newBuilder().setKind(ActorKind.USER).setId("alice").setAccount("acme").build())
        .setCorrelationId("cmd-1")
        .setPreviousHash(previousHash)
        .setPayload(payload)
        .build();
  }

  private SampleEvents() {}
}
