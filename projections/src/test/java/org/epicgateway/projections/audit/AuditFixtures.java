package org.epicgateway.projections.audit;

import java.util.ArrayList;
import java.util.List;
import org.epicgateway.projections.decider.Commands;
import org.epicgateway.projections.decider.Decision;
import org.epicgateway.projections.decider.MapLookup;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.serde.WireFormat;

/** A real event log, produced by the real decider from the README's walkthrough, one command a second. */
final class AuditFixtures {

  final Commands commands = new Commands();
  final MapLookup decider = new MapLookup();
  final List<EventEnvelope> log = new ArrayList<>();

  static AuditFixtures walkthrough() {
    return walkthrough(null);
  }

  /** The walkthrough with every event sealed with {@code seals}, as the platform's decider writes it. */
  static AuditFixtures walkthrough(EventSeals seals) {
    AuditFixtures f = new AuditFixtures();
    f.decider.seals = seals;
    Commands c = f.commands;
    f.submit(c.definePool("public", null, "192.0.2.0/28"));
    f.submit(c.defineTemplate("web", "public"));
    f.submit(c.createAccount("acme"));
    f.submit(c.addUser("acme", "alice"));
    f.submit(c.createGateway("acme", "shop", "web"));
    f.submit(c.upsertRoute("acme", "store", "shop"));
    f.submit(c.upsertSlice("acme", "web-1", "web"));
    return f;
  }

  Decision submit(CommandEnvelope command) {
    Decision d = decider.submit(command);
    if (!d.accepted()) {
      throw new AssertionError("fixture command rejected: " + d.rejection());
    }
    log.addAll(d.events());
    return d;
  }

  /** The log as the topic stores it: keyed by aggregate, framed in the wire format, one partition. */
  List<LoggedEvent> stored() {
    List<LoggedEvent> out = new ArrayList<>();
    for (EventEnvelope e : log) {
      out.add(record(out.size(), e.getAggregateId(), e));
    }
    return out;
  }

  static LoggedEvent record(long offset, String key, EventEnvelope e) {
    return new LoggedEvent(0, offset, key, WireFormat.frame(7, e), e, null);
  }
}
