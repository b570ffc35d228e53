package org.epicgateway.projections.state;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.avro.CertificateState;
import org.epicgateway.schemas.avro.CertificateRemoved;
import org.epicgateway.schemas.avro.CertificateRecorded;
import org.epicgateway.schemas.avro.TlsRouteState;
import org.epicgateway.schemas.avro.TlsRouteRemoved;
import org.epicgateway.schemas.avro.TlsRouteUpserted;
import org.epicgateway.schemas.avro.AccountCreated;
import org.epicgateway.schemas.avro.AgentApplyFailed;
import org.epicgateway.schemas.avro.NodeJoined;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeLost;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.NodeUpdated;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaLost;
import org.epicgateway.schemas.avro.ReplicaPlaced;
import org.epicgateway.schemas.avro.ReplicaReady;
import org.epicgateway.schemas.avro.ReplicaProblem;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.TunnelAllocated;
import org.epicgateway.schemas.avro.TunnelFreed;
import org.epicgateway.schemas.avro.TunnelRemoteLearned;
import org.epicgateway.schemas.avro.TunnelState;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.AddressAllocated;
import org.epicgateway.schemas.avro.AddressPoolDefined;
import org.epicgateway.schemas.avro.AddressReleased;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.ApiUser;
import org.epicgateway.schemas.avro.ApiUserAdded;
import org.epicgateway.schemas.avro.ApiUserRemoved;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.ConfigRejected;
import org.epicgateway.schemas.avro.ConfigRolledBack;
import org.epicgateway.schemas.avro.EndpointSliceRemoved;
import org.epicgateway.schemas.avro.EndpointSliceState;
import org.epicgateway.schemas.avro.EndpointSliceUpserted;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.epicgateway.schemas.avro.GatewayConfigState;
import org.epicgateway.schemas.avro.GatewayDeleted;
import org.epicgateway.schemas.avro.GatewayRequested;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayTemplateDefined;
import org.epicgateway.schemas.avro.GatewayTemplateRemoved;
import org.epicgateway.schemas.avro.GatewayTemplateUpdated;
import org.epicgateway.schemas.avro.GatewayUpdated;
import org.epicgateway.schemas.avro.GatewaySharingSet;
import org.epicgateway.schemas.avro.GrpcRouteRemoved;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.GrpcRouteUpserted;
import org.epicgateway.schemas.avro.HttpRouteRemoved;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.HttpRouteUpserted;
import org.epicgateway.schemas.avro.PoolState;
import org.epicgateway.schemas.avro.QuotaSet;
import org.epicgateway.schemas.avro.NamespaceRemoved;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.NamespaceUpserted;
import org.epicgateway.schemas.avro.ReferenceGrantRemoved;
import org.epicgateway.schemas.avro.ReferenceGrantState;
import org.epicgateway.schemas.avro.ReferenceGrantUpserted;
import org.epicgateway.schemas.avro.ServiceRemoved;
import org.epicgateway.schemas.avro.ServiceState;
import org.epicgateway.schemas.avro.ServiceUpserted;
import org.epicgateway.schemas.avro.TcpRouteRemoved;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TcpRouteUpserted;
import org.epicgateway.schemas.avro.TemplateState;

/**
 * {@code state = fold(events)}: the state of one aggregate after one more of its events. Pure and total over the
 * catalogue; used by the decider (to store what it appends), replays, audit and the benchmark. It never mutates its
 * input and refuses an event that does not continue the aggregate's sequence and hash chain.
 */
public final class Fold {

  /** The events that may start an aggregate; every other event changes an existing state. */
  private static final Set<Class<?>> CREATES = Set.of(AccountCreated.class, AddressPoolDefined.class,
      GatewayTemplateDefined.class, GatewayRequested.class, GatewayCreated.class, HttpRouteUpserted.class,
      TcpRouteUpserted.class, TlsRouteUpserted.class, GrpcRouteUpserted.class, CertificateRecorded.class,
      EndpointSliceUpserted.class,
      ConfigApplied.class, ConfigRejected.class, ConfigRolledBack.class, NodeJoined.class, ReplicaPlaced.class, ServiceUpserted.class,
      ReferenceGrantUpserted.class, NamespaceUpserted.class);

  private Fold() {}

  /** A heartbeat's view of the node; a node keeps its tunnels across loss and rejoin (the pair may come back). */
  private static NodeState node(Object prior, String node, NodeKind kind, List<String> addresses, String uplink,
      String publicAddress, Integer tunnelCapacity) {
    List<TunnelState> tunnels = prior == null ? List.of() : ((NodeState) prior).getTunnels();
    return new NodeState(node, kind, List.copyOf(addresses), uplink, publicAddress, tunnelCapacity, false, tunnels);
  }

  /** The node with tunnel {@code id} replaced by {@code tunnel} (null removes it), kept sorted by id. */
  private static NodeState tunnels(NodeState node, long id, TunnelState tunnel) {
    Map<Long, TunnelState> byId = new TreeMap<>();
    node.getTunnels().forEach(t -> byId.put(t.getTunnelId(), t));
    if (tunnel == null) {
      byId.remove(id);
    } else {
      byId.put(id, tunnel);
    }
    return NodeState.newBuilder(node).setTunnels(List.copyOf(byId.values())).build();
  }

  /**
   * A workload cluster's controller owns what it writes; other writers (users, agents, the platform) leave the owner
   * of a live object as it is, and an object created again after its deletion starts without one.
   */
  private static String owner(AggregateState prior, EventEnvelope event) {
    if (event.getActor().getKind() == ActorKind.CLUSTER) {
      return event.getActor().getId();
    }
    return prior == null || prior.getDeleted() ? null : prior.getOwner();
  }

  /** The placement with {@code instance} replaced by {@code replica} (null removes it), kept sorted by instance. */
  private static PlacementState replicas(Object prior, String gatewayId, String instance, ReplicaState replica) {
    Map<String, ReplicaState> byInstance = new TreeMap<>();
    if (prior != null) {
      ((PlacementState) prior).getReplicas().forEach(r -> byInstance.put(r.getInstance(), r));
    }
    if (replica == null) {
      byInstance.remove(instance);
    } else {
      byInstance.put(instance, replica);
    }
    return new PlacementState(gatewayId, List.copyOf(byInstance.values()),
        prior == null ? null : ((PlacementState) prior).getProblem());
  }

  /** Folds a whole log (any order of aggregates, each in sequence order) into states by aggregate id. */
  public static Map<String, AggregateState> replay(Iterable<EventEnvelope> events) {
    Map<String, AggregateState> states = new TreeMap<>();
    for (EventEnvelope e : events) {
      states.put(e.getAggregateId(), apply(states.get(e.getAggregateId()), e));
    }
    return states;
  }

  /**
   * @param prior the aggregate's state before {@code event}, null for its first event
   * @throws IllegalStateException if the event's sequence or previousHash does not follow {@code prior}
   */
  public static AggregateState apply(AggregateState prior, EventEnvelope event) {
    return apply(prior, event, EventHashes.hash(event));
  }

  /**
   * Folds an event read back from the log, with {@code hash} = {@link EventHashes#hashOfDatum} of its stored bytes:
   * cheaper than re-encoding, and it checks the bytes actually written even after the reader's schema evolved.
   */
  public static AggregateState apply(AggregateState prior, EventEnvelope event, byte[] hash) {
    long expectedSequence = prior == null ? 1 : prior.getVersion() + 1;
    ByteBuffer expectedHash = prior == null ? EventHashes.genesis() : prior.getLastHash();
    if (event.getSequence() != expectedSequence) {
      throw new IllegalStateException("aggregate " + event.getAggregateId() + ": event " + event.getEventId()
          + " has sequence " + event.getSequence() + ", expected " + expectedSequence);
    }
    if (!expectedHash.equals(event.getPreviousHash())) {
      throw new IllegalStateException("aggregate " + event.getAggregateId() + ": event " + event.getEventId()
          + " does not carry the hash of the aggregate's previous event (broken chain)");
    }
    if (prior == null && !CREATES.contains(event.getPayload().getClass())) {
      throw new IllegalStateException("aggregate " + event.getAggregateId() + ": event " + event.getEventId()
          + " (" + event.getPayload().getClass().getSimpleName() + ") needs a prior state");
    }
    Object resource = prior == null ? null : prior.getResource();
    boolean deleted = false;
    switch (event.getPayload()) {
      case AccountCreated e -> resource = new AccountState(e.getAccount(), e.getDisplayName(), List.of(), null);
      case ApiUserAdded e -> {
        AccountState a = AccountState.newBuilder((AccountState) resource).build();
        List<ApiUser> users = new ArrayList<>(a.getUsers());
        users.add(new ApiUser(e.getUsername(), e.getPasswordHash(), List.copyOf(e.getRoles())));
        a.setUsers(users);
        resource = a;
      }
      case ApiUserRemoved e -> {
        AccountState a = AccountState.newBuilder((AccountState) resource).build();
        a.setUsers(a.getUsers().stream().filter(u -> !u.getUsername().equals(e.getUsername())).toList());
        resource = a;
      }
      case QuotaSet e -> resource = AccountState.newBuilder((AccountState) resource)
          .setMaxGateways(e.getMaxGateways()).build();
      case AddressPoolDefined e ->
          resource = new PoolState(e.getPool(), List.copyOf(e.getRanges()), e.getAltPool(), e.getAggregation(),
              Map.of());
      case AddressAllocated e -> {
        PoolState p = PoolState.newBuilder((PoolState) resource).build();
        Map<String, String> allocated = new TreeMap<>(p.getAllocated());
        allocated.put(e.getAddress(), e.getGatewayId());
        p.setAllocated(allocated);
        resource = p;
      }
      case AddressReleased e -> {
        PoolState p = PoolState.newBuilder((PoolState) resource).build();
        Map<String, String> allocated = new TreeMap<>(p.getAllocated());
        allocated.remove(e.getAddress());
        p.setAllocated(allocated);
        resource = p;
      }
      case GatewayTemplateDefined e -> resource = new TemplateState(e.getTemplate(), e.getPool(),
          e.getDnsNamePattern(), e.getReplicas(), e.getShareable(), e.getEnvoyBaseConfig());
      case GatewayTemplateUpdated e -> resource = new TemplateState(e.getTemplate(), e.getPool(),
          e.getDnsNamePattern(), e.getReplicas(), e.getShareable(), e.getEnvoyBaseConfig());
      case GatewayTemplateRemoved e -> deleted = true;
      case GatewayRequested e -> resource = new GatewayState(e.getAccount(), e.getNamespace(), e.getName(),
          e.getTemplate(), List.copyOf(e.getListeners()), null, null, null, null, null, List.of());
      case GatewayCreated e -> resource = new GatewayState(e.getAccount(), e.getNamespace(), e.getName(),
          e.getTemplate(), List.copyOf(e.getListeners()), e.getAddress(), e.getAltAddress(), e.getDnsName(),
          e.getCreationTimestamp(), e.getSharingKey(), List.of());
      case GatewayUpdated e -> resource = GatewayState.newBuilder((GatewayState) resource)
          .setListeners(List.copyOf(e.getListeners())).build();
      case GatewaySharingSet e -> {
        TreeSet<String> grantees = new TreeSet<>(((GatewayState) resource).getSharedWith());
        if (e.getGranted()) {
          grantees.add(e.getGrantee());
        } else {
          grantees.remove(e.getGrantee());
        }
        resource = GatewayState.newBuilder((GatewayState) resource).setSharedWith(List.copyOf(grantees)).build();
      }
      case GatewayDeleted e -> deleted = true;
      case HttpRouteUpserted e -> resource = new HttpRouteState(e.getAccount(), e.getNamespace(), e.getName(),
          List.copyOf(e.getParentRefs()), List.copyOf(e.getHostnames()), List.copyOf(e.getRules()),
          e.getCreationTimestamp());
      case HttpRouteRemoved e -> deleted = true;
      case TcpRouteUpserted e -> resource = new TcpRouteState(e.getAccount(), e.getNamespace(), e.getName(),
          List.copyOf(e.getParentRefs()), List.copyOf(e.getRules()), e.getCreationTimestamp());
      case TcpRouteRemoved e -> deleted = true;
      case TlsRouteUpserted e -> resource = new TlsRouteState(e.getAccount(), e.getNamespace(), e.getName(),
          List.copyOf(e.getParentRefs()), List.copyOf(e.getHostnames()), List.copyOf(e.getRules()),
          e.getCreationTimestamp());
      case TlsRouteRemoved e -> deleted = true;
      case GrpcRouteUpserted e -> resource = new GrpcRouteState(e.getAccount(), e.getNamespace(), e.getName(),
          List.copyOf(e.getParentRefs()), List.copyOf(e.getHostnames()), List.copyOf(e.getRules()),
          e.getCreationTimestamp());
      case GrpcRouteRemoved e -> deleted = true;
      case CertificateRecorded e -> resource = new CertificateState(e.getAccount(), e.getNamespace(), e.getName(),
          e.getSha256(), e.getNotAfter());
      case CertificateRemoved e -> deleted = true;
      case EndpointSliceUpserted e -> resource = new EndpointSliceState(e.getAccount(), e.getNamespace(),
          e.getName(), e.getServiceName(), e.getClusterId(), List.copyOf(e.getPorts()),
          List.copyOf(e.getEndpoints()));
      case EndpointSliceRemoved e -> deleted = true;
      case ServiceUpserted e -> resource = new ServiceState(e.getAccount(), e.getNamespace(), e.getName(),
          List.copyOf(e.getPorts()));
      case ServiceRemoved e -> deleted = true;
      case ReferenceGrantUpserted e -> resource = new ReferenceGrantState(e.getAccount(), e.getNamespace(),
          e.getName(), List.copyOf(e.getFrom()), List.copyOf(e.getTo()));
      case ReferenceGrantRemoved e -> deleted = true;
      case NamespaceUpserted e -> resource = new NamespaceState(e.getAccount(), e.getName(), new TreeMap<>(e.getLabels()));
      case NamespaceRemoved e -> deleted = true;
      // Reports of what proxies did are facts in the chain; the state only anchors the chain head.
      case ConfigApplied e -> resource = new GatewayConfigState(e.getGatewayId());
      case ConfigRejected e -> resource = new GatewayConfigState(e.getGatewayId());
      case ConfigRolledBack e -> resource = new GatewayConfigState(e.getGatewayId());
      case NodeJoined e -> resource = node(resource, e.getNode(), e.getKind(), e.getAddresses(),
          e.getUplinkInterface(), e.getPublicAddress(), e.getTunnelCapacity());
      case NodeUpdated e -> resource = node(resource, e.getNode(), e.getKind(), e.getAddresses(),
          e.getUplinkInterface(), e.getPublicAddress(), e.getTunnelCapacity());
      case NodeLost e -> resource = NodeState.newBuilder((NodeState) resource).setLost(true).build();
      case TunnelAllocated e -> resource = tunnels((NodeState) resource, e.getTunnelId(),
          new TunnelState(e.getTunnelId(), e.getClientNode(), null, null));
      case TunnelFreed e -> resource = tunnels((NodeState) resource, e.getTunnelId(), null);
      case TunnelRemoteLearned e -> resource = tunnels((NodeState) resource, e.getTunnelId(),
          ((NodeState) resource).getTunnels().stream().filter(t -> t.getTunnelId() == e.getTunnelId()).findFirst()
              .map(t -> new TunnelState(t.getTunnelId(), t.getClientNode(), e.getRemoteAddress(), e.getRemotePort()))
              .orElseThrow(() -> new IllegalStateException("aggregate " + event.getAggregateId() + ": tunnel "
                  + e.getTunnelId() + " learned a remote but was never allocated")));
      // A failed apply is a fact in the chain; the node's state does not change.
      case AgentApplyFailed e -> { }
      case ReplicaPlaced e -> resource = replicas(resource, e.getGatewayId(), e.getInstance(),
          new ReplicaState(e.getInstance(), e.getNode(), e.getProvider(), e.getInterfaceName(), false));
      case ReplicaReady e -> {
        ReplicaState placed = ((PlacementState) resource).getReplicas().stream()
            .filter(r -> r.getInstance().equals(e.getInstance())).findFirst()
            .orElseThrow(() -> new IllegalStateException("aggregate " + event.getAggregateId() + ": replica "
                + e.getInstance() + " is ready but was never placed"));
        PlacementState p = replicas(resource, e.getGatewayId(), e.getInstance(),
            ReplicaState.newBuilder(placed).setReady(true).build());
        if (p.getProblem() != null && p.getProblem().getInstance().equals(e.getInstance())) {
          p.setProblem(null); // that replica serves again
        }
        resource = p;
      }
      case ReplicaLost e -> {
        PlacementState p = replicas(resource, e.getGatewayId(), e.getInstance(), null);
        p.setProblem(new ReplicaProblem(e.getInstance(), e.getNode(), e.getReason()));
        resource = p;
      }
      default -> throw new IllegalStateException("aggregate " + event.getAggregateId() + ": no fold for event "
          + event.getPayload().getClass().getName());
    }
    return AggregateState.newBuilder()
        .setAggregateId(event.getAggregateId())
        .setAggregateType(event.getAggregateType())
        .setVersion(event.getSequence())
        .setLastHash(ByteBuffer.wrap(hash))
        .setUpdatedAt(event.getTimestamp())
        .setDeleted(deleted)
        .setResource(resource)
        .setOwner(owner(prior, event))
        .build();
  }
}
