package org.epicgateway.projections.decider;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.epicgateway.projections.envoy.BaseConfig;
import org.epicgateway.projections.envoy.SafeRegex;
import org.epicgateway.projections.gatewayapi.BackendFilters;
import org.epicgateway.projections.gatewayapi.GatewayDurations;
import org.epicgateway.projections.gatewayapi.GrpcRoutes;
import org.epicgateway.projections.gatewayapi.LabelSelectors;
import org.epicgateway.projections.state.Fold;
import org.epicgateway.projections.gatewayapi.Certificates;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateIds;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.EventHashes;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.avro.CertificateRemoved;
import org.epicgateway.schemas.avro.CertificateRecorded;
import org.epicgateway.schemas.avro.RemoveCertificate;
import org.epicgateway.schemas.avro.RecordCertificate;
import org.epicgateway.schemas.avro.TlsMode;
import org.epicgateway.schemas.avro.CertificateRef;
import org.epicgateway.schemas.avro.TlsRouteState;
import org.epicgateway.schemas.avro.TlsRouteUpserted;
import org.epicgateway.schemas.avro.TlsRouteRemoved;
import org.epicgateway.schemas.avro.RemoveTlsRoute;
import org.epicgateway.schemas.avro.UpsertTlsRoute;
import org.epicgateway.schemas.avro.MarkNodeLost;
import org.epicgateway.schemas.avro.NodeHeartbeat;
import org.epicgateway.schemas.avro.NodeJoined;
import org.epicgateway.schemas.avro.NodeKind;
import org.epicgateway.schemas.avro.NodeLost;
import org.epicgateway.schemas.avro.NodeState;
import org.epicgateway.schemas.avro.NodeUpdated;
import org.epicgateway.schemas.avro.PlacementState;
import org.epicgateway.schemas.avro.ReplicaLost;
import org.epicgateway.schemas.avro.ReplicaPlaced;
import org.epicgateway.schemas.avro.ReplicaReady;
import org.epicgateway.schemas.avro.ReplicaState;
import org.epicgateway.schemas.avro.ReportAgentApplyFailed;
import org.epicgateway.schemas.avro.AgentApplyFailed;
import org.epicgateway.schemas.avro.ReportReplicaLost;
import org.epicgateway.schemas.avro.ReportReplicaPlaced;
import org.epicgateway.schemas.avro.ReportReplicaReady;
import org.epicgateway.schemas.avro.ReportTunnelRemoteLearned;
import org.epicgateway.schemas.avro.RequireTunnels;
import org.epicgateway.schemas.avro.TunnelAllocated;
import org.epicgateway.schemas.avro.TunnelFreed;
import org.epicgateway.schemas.avro.TunnelRemoteLearned;
import org.epicgateway.schemas.avro.TunnelState;
import org.epicgateway.schemas.avro.AccountCreated;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.AddApiUser;
import org.epicgateway.schemas.avro.AddressAllocated;
import org.epicgateway.schemas.avro.AddressPoolDefined;
import org.epicgateway.schemas.avro.AddressReleased;
import org.epicgateway.schemas.avro.AggregateState;
import org.epicgateway.schemas.avro.ApiUser;
import org.epicgateway.schemas.avro.ApiUserAdded;
import org.epicgateway.schemas.avro.ApiUserRemoved;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.reports.Report;
import org.epicgateway.schemas.avro.BackendRef;
import org.epicgateway.schemas.avro.BackendRefFilter;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.ConfigApplied;
import org.epicgateway.schemas.avro.ConfigRejected;
import org.epicgateway.schemas.avro.ConfigRolledBack;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.CreateGateway;
import org.epicgateway.schemas.avro.DefineAddressPool;
import org.epicgateway.schemas.avro.DefineGatewayTemplate;
import org.epicgateway.schemas.avro.DeleteGateway;
import org.epicgateway.schemas.avro.Endpoint;
import org.epicgateway.schemas.avro.EndpointPort;
import org.epicgateway.schemas.avro.EndpointSliceRemoved;
import org.epicgateway.schemas.avro.EndpointSliceUpserted;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.avro.GatewayCreated;
import org.epicgateway.schemas.avro.GatewayDeleted;
import org.epicgateway.schemas.avro.GatewayState;
import org.epicgateway.schemas.avro.GatewayTemplateDefined;
import org.epicgateway.schemas.avro.GatewayTemplateRemoved;
import org.epicgateway.schemas.avro.GatewayTemplateUpdated;
import org.epicgateway.schemas.avro.GatewayUpdated;
import org.epicgateway.schemas.avro.GatewaySharingSet;
import org.epicgateway.schemas.avro.SetGatewaySharing;
import org.epicgateway.schemas.avro.HeaderMatch;
import org.epicgateway.schemas.avro.GrpcMethodMatch;
import org.epicgateway.schemas.avro.GrpcRouteMatch;
import org.epicgateway.schemas.avro.GrpcRouteRemoved;
import org.epicgateway.schemas.avro.GrpcRouteRule;
import org.epicgateway.schemas.avro.GrpcRouteState;
import org.epicgateway.schemas.avro.GrpcRouteUpserted;
import org.epicgateway.schemas.avro.HttpRouteFilterType;
import org.epicgateway.schemas.avro.RemoveGrpcRoute;
import org.epicgateway.schemas.avro.UpsertGrpcRoute;
import org.epicgateway.schemas.avro.HttpRouteFilter;
import org.epicgateway.schemas.avro.HttpRouteMatch;
import org.epicgateway.schemas.avro.HttpRouteRemoved;
import org.epicgateway.schemas.avro.HttpRouteRule;
import org.epicgateway.schemas.avro.HttpRouteState;
import org.epicgateway.schemas.avro.HttpRouteUpserted;
import org.epicgateway.schemas.avro.Listener;
import org.epicgateway.schemas.avro.ListenerProtocol;
import org.epicgateway.schemas.avro.ParentRef;
import org.epicgateway.schemas.avro.PathMatchType;
import org.epicgateway.schemas.avro.PoolState;
import org.epicgateway.schemas.avro.QueryParamMatch;
import org.epicgateway.schemas.avro.QuotaSet;
import org.epicgateway.schemas.avro.RejectionCode;
import org.epicgateway.schemas.avro.RemoveApiUser;
import org.epicgateway.schemas.avro.RemoveEndpointSlice;
import org.epicgateway.schemas.avro.RemoveGatewayTemplate;
import org.epicgateway.schemas.avro.RemoveHttpRoute;
import org.epicgateway.schemas.avro.RemoveTcpRoute;
import org.epicgateway.schemas.avro.ReportConfigApplied;
import org.epicgateway.schemas.avro.ReportConfigRejected;
import org.epicgateway.schemas.avro.ReportConfigRolledBack;
import org.epicgateway.schemas.avro.SetQuota;
import org.epicgateway.schemas.avro.StringMatchType;
import org.epicgateway.schemas.avro.TcpRouteRemoved;
import org.epicgateway.schemas.avro.TcpRouteRule;
import org.epicgateway.schemas.avro.TcpRouteState;
import org.epicgateway.schemas.avro.TcpRouteUpserted;
import org.epicgateway.schemas.avro.TemplateState;
import org.epicgateway.schemas.avro.UpdateGateway;
import org.epicgateway.schemas.avro.UpdateGatewayTemplate;
import org.epicgateway.schemas.avro.UpsertEndpointSlice;
import org.epicgateway.schemas.avro.AllowedRoutes;
import org.epicgateway.schemas.avro.LabelSelector;
import org.epicgateway.schemas.avro.NamespaceRemoved;
import org.epicgateway.schemas.avro.NamespaceState;
import org.epicgateway.schemas.avro.NamespaceUpserted;
import org.epicgateway.schemas.avro.NamespacesFrom;
import org.epicgateway.schemas.avro.RemoveNamespace;
import org.epicgateway.schemas.avro.UpsertNamespace;
import org.epicgateway.schemas.avro.ReferenceGrantFrom;
import org.epicgateway.schemas.avro.ReferenceGrantRemoved;
import org.epicgateway.schemas.avro.ReferenceGrantTo;
import org.epicgateway.schemas.avro.ReferenceGrantUpserted;
import org.epicgateway.schemas.avro.RemoveReferenceGrant;
import org.epicgateway.schemas.avro.RemoveService;
import org.epicgateway.schemas.avro.ServicePort;
import org.epicgateway.schemas.avro.ServiceRemoved;
import org.epicgateway.schemas.avro.ServiceUpserted;
import org.epicgateway.schemas.avro.UpsertReferenceGrant;
import org.epicgateway.schemas.avro.UpsertService;
import org.epicgateway.schemas.avro.UpsertHttpRoute;
import org.epicgateway.schemas.avro.UpsertTcpRoute;

/**
 * Decides one command against the folded states: validates it, enforces the invariants, and returns the events to
 * append or a rejection. Deterministic: everything it writes comes from the command and the states (event ids are
 * {@code <commandId>-<n>}, times are the command's), so deciding the same log again gives byte-identical events.
 */
public final class Decider {

  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final Set<String> ROUTE_KINDS = Set.of("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute");
  /** What may reference across namespaces (routes to Services, gateways to certificate Secrets), and what into. */
  private static final Set<String> GRANT_FROM_KINDS = Set.of("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "Gateway");
  private static final Set<String> GRANT_TO_KINDS = Set.of("Service", "Secret");
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
  private static final Pattern AGGREGATION = Pattern.compile("default|/(\\d{1,3})");
  /** Envoy instances per gateway a template may ask for (each is a process on a node). */
  public static final int MAX_REPLICAS = 64;
  /** A Linux interface name (IFNAMSIZ 16 with the terminating NUL). */
  private static final Pattern INTERFACE = Pattern.compile("[^/:\\s]{1,15}");
  private static final Set<String> APPLY_TARGETS = Set.of("bpf", "bgp");
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d{2}\\$[./A-Za-z0-9]{53}");
  /**
   * A bcrypt hash as the command API stores it: AES-256-GCM under a key outside Kafka (its SecretBox), 12-byte nonce +
   * 60 + 16-byte tag in base64url. Clear bcrypt is still accepted from other writers and older logs.
   */
  private static final Pattern ENCRYPTED_BCRYPT = Pattern.compile("aesgcm1:[A-Za-z0-9_-]{118}");

  private Decider() {}

  /** Decides with unsealed events: for the pure decision tests and benchmarks; the platform seals. */
  public static Decision decide(CommandEnvelope command, StateLookup states) {
    return decide(command, states, null);
  }

  /** @param seals the audit chain key every emitted event is sealed with (null: unsealed) */
  public static Decision decide(CommandEnvelope command, StateLookup states, EventSeals seals) {
    Draft draft = new Draft(command, states, seals);
    try {
      draft.decide();
    } catch (Rejected r) {
      return Decision.rejected(r.rejection);
    }
    return new Decision(draft.events, draft.changed, null);
  }

  /** One decision in progress: the command, the states it reads and the events (with folded states) it emits. */
  private static final class Draft {
    private final CommandEnvelope command;
    private final StateLookup stored;
    private final EventSeals seals;
    private final List<EventEnvelope> events = new ArrayList<>();
    private final Map<String, AggregateState> changed = new LinkedHashMap<>();

    Draft(CommandEnvelope command, StateLookup stored, EventSeals seals) {
      this.command = command;
      this.stored = stored;
      this.seals = seals;
    }

    void decide() {
      String target = command.getTargetAggregateId();
      AggregateId id;
      try {
        id = AggregateIds.parse(target);
      } catch (IllegalArgumentException e) {
        throw Rejected.validation("targetAggregateId", e.getMessage());
      }
      checkTenant(id);
      checkExpectedVersion(target);
      checkOwner(target);
      switch (command.getPayload()) {
        case CreateAccount c -> createAccount(id, c);
        case AddApiUser c -> addApiUser(id, c);
        case RemoveApiUser c -> removeApiUser(id, c);
        case SetQuota c -> setQuota(id, c);
        case DefineAddressPool c -> defineAddressPool(id, c);
        case DefineGatewayTemplate c -> defineTemplate(id, c);
        case UpdateGatewayTemplate c -> updateTemplate(id, c);
        case RemoveGatewayTemplate c -> removeTemplate(id, c);
        case CreateGateway c -> createGateway(id, c);
        case UpdateGateway c -> updateGateway(id, c);
        case DeleteGateway c -> deleteGateway(id);
        case SetGatewaySharing c -> setGatewaySharing(id, c);
        case UpsertHttpRoute c -> upsertHttpRoute(id, c);
        case RemoveHttpRoute c -> remove(id, AggregateType.HTTP_ROUTE, new HttpRouteRemoved());
        case UpsertGrpcRoute c -> upsertGrpcRoute(id, c);
        case RemoveGrpcRoute c -> remove(id, AggregateType.GRPC_ROUTE, new GrpcRouteRemoved());
        case UpsertTcpRoute c -> upsertTcpRoute(id, c);
        case RemoveTcpRoute c -> remove(id, AggregateType.TCP_ROUTE, new TcpRouteRemoved());
        case UpsertTlsRoute c -> upsertTlsRoute(id, c);
        case RemoveTlsRoute c -> remove(id, AggregateType.TLS_ROUTE, new TlsRouteRemoved());
        case RecordCertificate c -> recordCertificate(id, c);
        case RemoveCertificate c -> remove(id, AggregateType.CERTIFICATE, new CertificateRemoved());
        case UpsertEndpointSlice c -> upsertEndpointSlice(id, c);
        case RemoveEndpointSlice c -> remove(id, AggregateType.ENDPOINT_SLICE, new EndpointSliceRemoved());
        case UpsertService c -> upsertService(id, c);
        case RemoveService c -> remove(id, AggregateType.SERVICE, new ServiceRemoved());
        case UpsertReferenceGrant c -> upsertReferenceGrant(id, c);
        case RemoveReferenceGrant c -> remove(id, AggregateType.REFERENCE_GRANT, new ReferenceGrantRemoved());
        case UpsertNamespace c -> upsertNamespace(id, c);
        case RemoveNamespace c -> remove(id, AggregateType.NAMESPACE, new NamespaceRemoved());
        case ReportConfigApplied c -> report(id, c.getGatewayId(), new ConfigApplied(c.getGatewayId(),
            Rules.required("proxy", c.getProxy()), Rules.required("version", c.getVersion()),
            List.copyOf(c.getSourceCommandIds())));
        case ReportConfigRejected c -> report(id, c.getGatewayId(), new ConfigRejected(c.getGatewayId(),
            Rules.required("proxy", c.getProxy()), Rules.required("version", c.getVersion()),
            Rules.required("typeUrl", c.getTypeUrl()), c.getErrorDetail()));
        case ReportConfigRolledBack c -> report(id, c.getGatewayId(), new ConfigRolledBack(c.getGatewayId(),
            Rules.required("fromVersion", c.getFromVersion()), Rules.required("toVersion", c.getToVersion()),
            c.getReason()));
        case NodeHeartbeat c -> heartbeat(id, c);
        case MarkNodeLost c -> markNodeLost(id, c);
        case ReportReplicaPlaced c -> replicaPlaced(id, c);
        case ReportReplicaReady c -> replicaReady(id, c);
        case ReportReplicaLost c -> replicaLost(id, c);
        case RequireTunnels c -> requireTunnels(id, c);
        case ReportTunnelRemoteLearned c -> tunnelRemoteLearned(id, c);
        case ReportAgentApplyFailed c -> agentApplyFailed(id, c);
        default -> throw Rejected.validation("payload",
            "unknown command " + command.getPayload().getClass().getSimpleName());
      }
    }

    /** A tenant-scoped command may only touch its own account's aggregates. */
    private void checkTenant(AggregateId id) {
      String tenant = command.getAccount();
      if (tenant != null && id.type() != AggregateType.POOL && id.type() != AggregateType.TEMPLATE
          && !tenant.equals(id.account())) {
        throw new Rejected(RejectionCode.FORBIDDEN, "targetAggregateId",
            "account '" + tenant + "' may not change " + id);
      }
    }

    /**
     * Two clusters of one account may hold objects of the same namespace and name: the first one's stays, the other
     * cluster's controller is refused (its status names the owner), so neither overwrites nor deletes the other's.
     */
    private void checkOwner(String target) {
      if (command.getActor().getKind() != ActorKind.CLUSTER) {
        return;
      }
      String cluster = command.getActor().getId();
      current(target).filter(s -> !s.getDeleted() && s.getOwner() != null && !s.getOwner().equals(cluster))
          .ifPresent(s -> {
            throw Rejected.conflict("owner", target + " belongs to workload cluster '" + s.getOwner()
                + "'; cluster '" + cluster + "' may not change it (give one of them another namespace or name)");
          });
    }

    private void checkExpectedVersion(String target) {
      Long expected = command.getExpectedVersion();
      if (expected != null) {
        long actual = current(target).map(AggregateState::getVersion).orElse(0L);
        if (expected != actual) {
          throw Rejected.conflict("expectedVersion",
              "expected version " + expected + " of " + target + " but it is at version " + actual);
        }
      }
    }

    // ---- accounts

    private void createAccount(AggregateId id, CreateAccount c) {
      expectType(id, AggregateType.ACCOUNT);
      Rules.name("account", c.getAccount());
      expectId(id, AggregateIds.account(c.getAccount()));
      requireAbsent(id, "account", "account '" + c.getAccount() + "' already exists");
      emit(id, new AccountCreated(c.getAccount(), c.getDisplayName()));
    }

    private void addApiUser(AggregateId id, AddApiUser c) {
      AccountState account = accountOf(id, c.getAccount());
      String user = Rules.name("username", c.getUsername());
      String hash = Rules.required("passwordHash", c.getPasswordHash());
      if (!BCRYPT.matcher(hash).matches() && !ENCRYPTED_BCRYPT.matcher(hash).matches()) {
        throw Rejected.validation("passwordHash",
            "is not a bcrypt hash ($2a$/$2b$/$2y$, cost, 53 characters) nor one the API encrypted (aesgcm1:...)");
      }
      for (int i = 0; i < c.getRoles().size(); i++) {
        Rules.name("roles[" + i + "]", c.getRoles().get(i));
      }
      if (account.getUsers().stream().anyMatch(u -> u.getUsername().equals(user))) {
        throw Rejected.conflict("username", "user '" + user + "' already exists in account '" + c.getAccount() + "'");
      }
      emit(id, new ApiUserAdded(c.getAccount(), user, c.getPasswordHash(), List.copyOf(c.getRoles())));
    }

    private void removeApiUser(AggregateId id, RemoveApiUser c) {
      AccountState account = accountOf(id, c.getAccount());
      if (account.getUsers().stream().map(ApiUser::getUsername).noneMatch(c.getUsername()::equals)) {
        throw Rejected.notFound("username",
            "user '" + c.getUsername() + "' does not exist in account '" + c.getAccount() + "'");
      }
      emit(id, new ApiUserRemoved(c.getAccount(), c.getUsername()));
    }

    private void setQuota(AggregateId id, SetQuota c) {
      accountOf(id, c.getAccount());
      if (c.getMaxGateways() < 0) {
        throw Rejected.validation("maxGateways", "must be 0 or more, got " + c.getMaxGateways());
      }
      emit(id, new QuotaSet(c.getAccount(), c.getMaxGateways()));
    }

    /** The live state of the account a command names, checking the target is that account. */
    private AccountState accountOf(AggregateId id, String account) {
      expectType(id, AggregateType.ACCOUNT);
      Rules.name("account", account);
      expectId(id, AggregateIds.account(account));
      return (AccountState) live(id.toString(), "account", "account '" + account + "' does not exist").getResource();
    }

    // ---- pools and templates

    private void defineAddressPool(AggregateId id, DefineAddressPool c) {
      expectType(id, AggregateType.POOL);
      Rules.name("pool", c.getPool());
      expectId(id, AggregateIds.pool(c.getPool()));
      requireAbsent(id, "pool", "pool '" + c.getPool() + "' already exists");
      AddressPool pool;
      try {
        pool = AddressPool.parseNew(c.getRanges());
      } catch (IllegalArgumentException e) {
        throw Rejected.validation("ranges", e.getMessage());
      }
      // Two pools sharing an address would hand it to two gateways.
      for (AggregateState other : liveWithPrefix(AggregateType.POOL.prefix() + "/")) {
        PoolState o = (PoolState) other.getResource();
        pool.overlapping(AddressPool.parse(o.getRanges())).ifPresent(i -> {
          throw Rejected.conflict("ranges[" + i + "]", "range '" + c.getRanges().get(i).toString().trim()
              + "' overlaps pool '" + o.getPool() + "' " + o.getRanges());
        });
      }
      if (c.getAltPool() != null) {
        PoolState alt = (PoolState) live(AggregateIds.pool(Rules.name("altPool", c.getAltPool())), "altPool",
            "alt pool '" + c.getAltPool() + "' does not exist").getResource();
        if (!AddressPool.parse(alt.getRanges()).allIpv4()) {
          throw Rejected.validation("altPool", "alt pool '" + c.getAltPool() + "' must hold only IPv4 ranges");
        }
      }
      if (c.getAggregation() != null) {
        var m = AGGREGATION.matcher(c.getAggregation());
        if (!m.matches() || (m.group(1) != null && Integer.parseInt(m.group(1)) > 128)) {
          throw Rejected.validation("aggregation", "'" + c.getAggregation() + "' is not 'default' or '/<0..128>'");
        }
      }
      List<String> ranges = c.getRanges().stream().map(String::trim).toList();
      emit(id, new AddressPoolDefined(c.getPool(), ranges, c.getAltPool(), c.getAggregation()));
    }

    private void defineTemplate(AggregateId id, DefineGatewayTemplate c) {
      checkTemplate(id, c.getTemplate(), c.getPool(), c.getDnsNamePattern(), c.getReplicas(),
          c.getEnvoyBaseConfig());
      requireAbsent(id, "template", "template '" + c.getTemplate() + "' already exists");
      emit(id, new GatewayTemplateDefined(c.getTemplate(), c.getPool(), c.getDnsNamePattern(), c.getReplicas(),
          c.getShareable(), c.getEnvoyBaseConfig()));
    }

    private void updateTemplate(AggregateId id, UpdateGatewayTemplate c) {
      checkTemplate(id, c.getTemplate(), c.getPool(), c.getDnsNamePattern(), c.getReplicas(),
          c.getEnvoyBaseConfig());
      live(id.toString(), "template", "template '" + c.getTemplate() + "' does not exist");
      emit(id, new GatewayTemplateUpdated(c.getTemplate(), c.getPool(), c.getDnsNamePattern(), c.getReplicas(),
          c.getShareable(), c.getEnvoyBaseConfig()));
    }

    private void checkTemplate(AggregateId id, String template, String pool, String dnsNamePattern, int replicas,
        String envoyBaseConfig) {
      expectType(id, AggregateType.TEMPLATE);
      Rules.name("template", template);
      expectId(id, AggregateIds.template(template));
      live(AggregateIds.pool(Rules.name("pool", pool)), "pool", "pool '" + pool + "' does not exist");
      if (replicas < 1 || replicas > MAX_REPLICAS) {
        throw Rejected.validation("replicas", "must be 1.." + MAX_REPLICAS + ", got " + replicas);
      }
      try {
        BaseConfig.parse(envoyBaseConfig);
      } catch (IllegalArgumentException e) {
        throw Rejected.validation("envoyBaseConfig", e.getMessage());
      }
      if (dnsNamePattern != null) {
        Rules.hostname("dnsNamePattern", DnsNames.expand(dnsNamePattern, "name", "namespace", "account"));
      }
    }

    private void removeTemplate(AggregateId id, RemoveGatewayTemplate c) {
      expectType(id, AggregateType.TEMPLATE);
      expectId(id, AggregateIds.template(Rules.name("template", c.getTemplate())));
      live(id.toString(), "template", "template '" + c.getTemplate() + "' does not exist");
      List<String> users = liveWithPrefix(AggregateType.GATEWAY.prefix() + "/").stream()
          .filter(s -> ((GatewayState) s.getResource()).getTemplate().equals(c.getTemplate()))
          .map(AggregateState::getAggregateId).toList();
      if (!users.isEmpty()) {
        throw Rejected.conflict("template", "template '" + c.getTemplate() + "' is used by gateways " + users);
      }
      emit(id, new GatewayTemplateRemoved(c.getTemplate()));
    }

    // ---- gateways

    private void createGateway(AggregateId id, CreateGateway c) {
      expectTenantTarget(id, AggregateType.GATEWAY, c.getAccount(), c.getNamespace(), c.getName());
      AccountState account = liveAccount(c.getAccount());
      requireAbsent(id, "name", "gateway '" + c.getNamespace() + "/" + c.getName() + "' already exists");
      TemplateState template = (TemplateState) live(AggregateIds.template(Rules.name("template", c.getTemplate())),
          "template", "template '" + c.getTemplate() + "' does not exist").getResource();
      checkListeners(c.getListeners());
      Integer quota = account.getMaxGateways();
      if (quota != null) {
        int used = liveWithPrefix(AggregateType.GATEWAY.prefix() + "/" + c.getAccount() + "/").size();
        if (used >= quota) {
          throw new Rejected(RejectionCode.QUOTA_EXCEEDED, "account",
              "account '" + c.getAccount() + "' already has " + used + " of its " + quota + " gateways");
        }
      }
      String gatewayId = id.toString();
      String address = allocate(template.getPool(), gatewayId);
      PoolState pool = (PoolState) current(AggregateIds.pool(template.getPool())).orElseThrow().getResource();
      String altAddress = pool.getAltPool() != null && address.contains(":")
          ? allocate(pool.getAltPool(), gatewayId) : null;
      String dnsName = template.getDnsNamePattern() == null ? null
          : DnsNames.expand(template.getDnsNamePattern(), c.getName(), c.getNamespace(), c.getAccount());
      if (dnsName != null) {
        // Valid labels can still expand past the 63/253-character DNS limits.
        try {
          Rules.hostname("name", dnsName);
        } catch (Rejected r) {
          throw Rejected.validation("name", "the template's DNS name pattern gives '" + dnsName
              + "', which is not a valid DNS name (labels up to 63 characters, 253 in all); choose shorter names");
        }
      }
      // Deterministic (a replay decides the same) yet not derivable from the gateway's name alone.
      String sharingKey = template.getShareable() ? Report.id("share", command.getCommandId(), gatewayId) : null;
      emit(id, new GatewayCreated(c.getAccount(), c.getNamespace(), c.getName(), c.getTemplate(),
          List.copyOf(c.getListeners()), address, altAddress, dnsName, command.getTimestamp(), sharingKey));
    }

    /** Takes the pool's first free address for the gateway (IPAM); single-writer because one task decides all. */
    private String allocate(String poolName, String gatewayId) {
      String poolId = AggregateIds.pool(poolName);
      PoolState pool = (PoolState) live(poolId, "template",
          "pool '" + poolName + "' of the template does not exist").getResource();
      String address = AddressPool.parse(pool.getRanges()).firstFree(pool.getAllocated().keySet())
          .orElseThrow(() -> new Rejected(RejectionCode.POOL_EXHAUSTED, "template",
              "pool '" + poolName + "' has no free address (" + pool.getAllocated().size() + " allocated)"));
      emit(AggregateIds.parse(poolId), new AddressAllocated(poolName, address, gatewayId));
      return address;
    }

    private void updateGateway(AggregateId id, UpdateGateway c) {
      expectType(id, AggregateType.GATEWAY);
      liveTenantResource(id, "gateway");
      checkListeners(c.getListeners());
      emit(id, new GatewayUpdated(List.copyOf(c.getListeners())));
    }

    /**
     * The owner of a shared gateway grants another account's routes attachment to it, or revokes that. Only a gateway
     * with a sharing key (of a shareable template) can be granted, as only those take another cluster's routes at
     * all. Unchanged grants record nothing (a retried or repeated PUT). A revoke leaves the grantee's routes in EPIC:
     * they are the grantee's; they stop attaching, and their next upsert is refused naming the missing grant.
     */
    private void setGatewaySharing(AggregateId id, SetGatewaySharing c) {
      expectType(id, AggregateType.GATEWAY);
      GatewayState gateway = (GatewayState) live(id.toString(), "targetAggregateId", "gateway '" + id.namespace()
          + "/" + id.name() + "' of account '" + id.account() + "' does not exist").getResource();
      String grantee = Rules.name("grantee", c.getGrantee());
      if (grantee.equals(id.account())) {
        throw Rejected.validation("grantee", "account '" + grantee + "' owns the gateway; only other accounts are"
            + " granted");
      }
      if (gateway.getSharingKey() == null) {
        throw Rejected.validation("targetAggregateId", "gateway '" + id.namespace() + "/" + id.name()
            + "' is not shared (its template '" + gateway.getTemplate() + "' is not shareable), so no other account"
            + " can be granted it");
      }
      if (c.getGranted()) {
        liveAccount(grantee);
      }
      if (gateway.getSharedWith().contains(grantee) != c.getGranted()) {
        emit(id, new GatewaySharingSet(grantee, c.getGranted()));
      }
    }

    /** Deletes the gateway and releases every address any pool holds for it (the template may have changed pool). */
    private void deleteGateway(AggregateId id) {
      expectType(id, AggregateType.GATEWAY);
      liveTenantResource(id, "gateway");
      String gatewayId = id.toString();
      for (AggregateState s : liveWithPrefix(AggregateType.POOL.prefix() + "/")) {
        PoolState pool = (PoolState) s.getResource();
        new TreeMap<>(pool.getAllocated()).forEach((address, holder) -> {
          if (holder.equals(gatewayId)) {
            emit(AggregateIds.parse(s.getAggregateId()), new AddressReleased(pool.getPool(), address, gatewayId));
          }
        });
      }
      emit(id, new GatewayDeleted());
    }

    private void checkListeners(List<Listener> listeners) {
      if (listeners.isEmpty()) {
        throw Rejected.validation("listeners", "a gateway needs at least one listener");
      }
      Set<String> names = new HashSet<>();
      Map<String, String> bindings = new HashMap<>();
      for (int i = 0; i < listeners.size(); i++) {
        Listener l = listeners.get(i);
        String f = "listeners[" + i + "]";
        if (!names.add(Rules.name(f + ".name", l.getName()))) {
          throw Rejected.validation(f + ".name", "listener name '" + l.getName() + "' is used twice");
        }
        Rules.port(f + ".port", l.getPort());
        if (l.getHostname() != null) {
          Rules.hostname(f + ".hostname", l.getHostname());
        }
        checkTls(f, l);
        if (l.getAllowedRoutes() != null) {
          for (String kind : l.getAllowedRoutes().getKinds()) {
            if (!ROUTE_KINDS.contains(kind)) {
              throw Rejected.validation(f + ".allowedRoutes.kinds", "'" + kind + "' is not one of " + ROUTE_KINDS);
            }
          }
          checkNamespaceSelector(f + ".allowedRoutes", l.getAllowedRoutes());
        }
        String binding = l.getPort() + "/" + Objects.requireNonNullElse(l.getHostname(), "*");
        String previous = bindings.putIfAbsent(binding, l.getName());
        if (previous != null) {
          throw Rejected.validation(f, "listeners '" + previous + "' and '" + l.getName()
              + "' both bind port " + l.getPort() + " for hostname " + binding.substring(binding.indexOf('/') + 1));
        }
      }
    }

    /** {@code from: Selector} needs a selector; any selector given must be one the API server would accept. */
    private void checkNamespaceSelector(String f, AllowedRoutes allowed) {
      LabelSelector selector = allowed.getNamespaceSelector();
      if (selector == null) {
        if (allowed.getNamespacesFrom() == NamespacesFrom.SELECTOR) {
          throw Rejected.validation(f + ".namespaceSelector", "is required when namespacesFrom is SELECTOR");
        }
        return;
      }
      LabelSelectors.problem(selector).ifPresent(p -> {
        throw Rejected.validation(f + ".namespaceSelector." + p.field(), p.message());
      });
    }

    // ---- routes and endpoint slices

    private void upsertHttpRoute(AggregateId id, UpsertHttpRoute c) {
      expectTenantTarget(id, AggregateType.HTTP_ROUTE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      checkParents(c.getAccount(), c.getNamespace(), c.getParentRefs());
      checkHostnames(c.getHostnames());
      for (int r = 0; r < c.getRules().size(); r++) {
        checkHttpRule("rules[" + r + "]", c.getRules().get(r));
      }
      emit(id, new HttpRouteUpserted(c.getAccount(), c.getNamespace(), c.getName(), List.copyOf(c.getParentRefs()),
          List.copyOf(c.getHostnames()), List.copyOf(c.getRules()), creationTimestamp(id)));
    }

    private void upsertGrpcRoute(AggregateId id, UpsertGrpcRoute c) {
      expectTenantTarget(id, AggregateType.GRPC_ROUTE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      checkParents(c.getAccount(), c.getNamespace(), c.getParentRefs());
      checkHostnames(c.getHostnames());
      for (int r = 0; r < c.getRules().size(); r++) {
        checkGrpcRule("rules[" + r + "]", c.getRules().get(r));
      }
      emit(id, new GrpcRouteUpserted(c.getAccount(), c.getNamespace(), c.getName(), List.copyOf(c.getParentRefs()),
          List.copyOf(c.getHostnames()), List.copyOf(c.getRules()), creationTimestamp(id)));
    }

    private void upsertTcpRoute(AggregateId id, UpsertTcpRoute c) {
      expectTenantTarget(id, AggregateType.TCP_ROUTE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      checkParents(c.getAccount(), c.getNamespace(), c.getParentRefs());
      checkStreamRules("TCP", c.getRules());
      emit(id, new TcpRouteUpserted(c.getAccount(), c.getNamespace(), c.getName(), List.copyOf(c.getParentRefs()),
          List.copyOf(c.getRules()), creationTimestamp(id)));
    }

    private void upsertTlsRoute(AggregateId id, UpsertTlsRoute c) {
      expectTenantTarget(id, AggregateType.TLS_ROUTE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      checkParents(c.getAccount(), c.getNamespace(), c.getParentRefs());
      if (c.getHostnames().isEmpty()) {
        throw Rejected.validation("hostnames", "a TLS route needs at least one SNI hostname");
      }
      checkHostnames(c.getHostnames());
      checkStreamRules("TLS", c.getRules());
      emit(id, new TlsRouteUpserted(c.getAccount(), c.getNamespace(), c.getName(), List.copyOf(c.getParentRefs()),
          List.copyOf(c.getHostnames()), List.copyOf(c.getRules()), creationTimestamp(id)));
    }

    /** TCPRoute and TLSRoute rules: at least one, each with at least one valid backend. */
    private void checkStreamRules(String kind, List<TcpRouteRule> rules) {
      if (rules.isEmpty()) {
        throw Rejected.validation("rules", "a " + kind + " route needs at least one rule");
      }
      for (int r = 0; r < rules.size(); r++) {
        TcpRouteRule rule = rules.get(r);
        if (rule.getBackendRefs().isEmpty()) {
          throw Rejected.validation("rules[" + r + "].backendRefs", "a " + kind + " rule needs at least one backend");
        }
        checkBackends("rules[" + r + "]", rule.getBackendRefs(), false);
      }
    }

    /** A route keeps the time of its first upsert, as Kubernetes keeps metadata.creationTimestamp. */
    private java.time.Instant creationTimestamp(AggregateId id) {
      return current(id.toString()).filter(s -> !s.getDeleted()).map(s -> switch (s.getResource()) {
        case HttpRouteState h -> h.getCreationTimestamp();
        case TcpRouteState t -> t.getCreationTimestamp();
        case TlsRouteState t -> t.getCreationTimestamp();
        case GrpcRouteState g -> g.getCreationTimestamp();
        default -> command.getTimestamp();
      }).orElse(command.getTimestamp());
    }

    /** A listener's tls as the Gateway CRD's rules have it: a listener that terminates TLS needs a certificate. */
    private static void checkTls(String f, Listener l) {
      if (l.getTlsCertificateRef() != null && !l.getTlsCertificateRefs().isEmpty()) {
        throw Rejected.validation(f + ".tlsCertificateRef", "give the certificates in tlsCertificateRefs only");
      }
      List<CertificateRef> refs = Certificates.refs(l);
      String field = l.getTlsCertificateRefs().isEmpty() ? f + ".tlsCertificateRef" : f + ".tlsCertificateRefs";
      switch (l.getProtocol()) {
        case HTTPS -> {
          if (l.getTlsMode() == TlsMode.PASSTHROUGH) {
            throw Rejected.validation(f + ".tlsMode", "tls mode must be Terminate for protocol HTTPS");
          }
          if (refs.isEmpty()) {
            throw Rejected.validation(field, "an HTTPS listener needs a certificate reference");
          }
        }
        case TLS -> {
          if (l.getTlsMode() == null) {
            throw Rejected.validation(f + ".tlsMode", "tls mode must be set for protocol TLS");
          }
          if (l.getTlsMode() == TlsMode.TERMINATE && refs.isEmpty()) {
            throw Rejected.validation(field, "a TLS listener in mode Terminate needs a certificate reference");
          }
        }
        default -> {
          if (l.getTlsMode() != null) {
            throw Rejected.validation(f + ".tlsMode", "tls is only for protocols HTTPS and TLS");
          }
        }
      }
      if (refs.size() > 64) {
        throw Rejected.validation(field, "at most 64 certificates per listener");
      }
      for (int i = 0; i < refs.size(); i++) {
        String r = l.getTlsCertificateRefs().isEmpty() ? field : field + "[" + i + "]";
        Rules.name(r + ".name", refs.get(i).getName());
        if (refs.get(i).getNamespace() != null) {
          Rules.name(r + ".namespace", refs.get(i).getNamespace());
        }
      }
    }

    /**
     * Every parent must be a live gateway of the same account, or one of another account whose owner granted this
     * account (parentRef.account); sectionName and port must name one of its listeners.
     */
    private void checkParents(String account, String namespace, List<ParentRef> parents) {
      if (parents.isEmpty()) {
        throw Rejected.validation("parentRefs", "a route needs at least one parent gateway");
      }
      for (int i = 0; i < parents.size(); i++) {
        ParentRef p = parents.get(i);
        String f = "parentRefs[" + i + "]";
        String ns = p.getNamespace() == null ? namespace : Rules.name(f + ".namespace", p.getNamespace());
        Rules.name(f + ".name", p.getName());
        String owner = p.getAccount() == null ? account : Rules.name(f + ".account", p.getAccount());
        AggregateState parent = owner.equals(account)
            ? live(AggregateIds.gateway(account, ns, p.getName()), f + ".name",
                "gateway '" + ns + "/" + p.getName() + "' does not exist")
            : granted(f, owner, ns, p.getName(), account);
        GatewayState gateway = (GatewayState) parent.getResource();
        if (owner.equals(account) && command.getActor().getKind() == ActorKind.CLUSTER && parent.getOwner() != null
            && !parent.getOwner().equals(command.getActor().getId()) && gateway.getSharingKey() == null) {
          throw new Rejected(RejectionCode.FORBIDDEN, f + ".name", "gateway '" + ns + "/" + p.getName()
              + "' belongs to workload cluster '" + parent.getOwner() + "' and is not shared (its template '"
              + gateway.getTemplate() + "' is not shareable): routes of cluster '" + command.getActor().getId()
              + "' may not attach to it");
        }
        if (p.getSectionName() != null && gateway.getListeners().stream()
            .noneMatch(l -> l.getName().equals(p.getSectionName()))) {
          throw Rejected.notFound(f + ".sectionName",
              "gateway '" + ns + "/" + p.getName() + "' has no listener '" + p.getSectionName() + "'");
        }
        if (p.getPort() != null) {
          Rules.port(f + ".port", p.getPort());
          if (gateway.getListeners().stream().noneMatch(l -> l.getPort() == p.getPort())) {
            throw Rejected.notFound(f + ".port",
                "gateway '" + ns + "/" + p.getName() + "' has no listener on port " + p.getPort());
          }
        }
      }
    }

    /**
     * Another account's gateway, live and shared with {@code account}. One answer whether the gateway is missing or
     * not granted, so an account learns nothing of another's gateways by naming them.
     */
    private AggregateState granted(String f, String owner, String namespace, String name, String account) {
      return current(AggregateIds.gateway(owner, namespace, name))
          .filter(s -> !s.getDeleted() && ((GatewayState) s.getResource()).getSharedWith().contains(account))
          .orElseThrow(() -> new Rejected(RejectionCode.FORBIDDEN, f + ".account", "account '" + owner
              + "' has not granted account '" + account + "' its gateway '" + namespace + "/" + name + "' (the owner"
              + " grants it with PUT /api/v1/accounts/" + owner + "/gateways/" + namespace + "/" + name + "/sharing/"
              + account + ")"));
    }

    private void checkHttpRule(String f, HttpRouteRule rule) {
      if (rule.getName() != null) {
        Rules.name(f + ".name", rule.getName());
      }
      for (int m = 0; m < rule.getMatches().size(); m++) {
        HttpRouteMatch match = rule.getMatches().get(m);
        String mf = f + ".matches[" + m + "]";
        if (match.getPath() != null) {
          String value = Rules.required(mf + ".path.value", match.getPath().getValue());
          if (match.getPath().getType() == PathMatchType.REGULAR_EXPRESSION) {
            regex(mf + ".path.value", value);
          } else if (!value.startsWith("/")) {
            throw Rejected.validation(mf + ".path.value", "'" + value + "' must start with '/'");
          }
        }
        checkHeaderMatches(mf, match.getHeaders());
        for (int q = 0; q < match.getQueryParams().size(); q++) {
          QueryParamMatch param = match.getQueryParams().get(q);
          Rules.required(mf + ".queryParams[" + q + "].name", param.getName());
          if (param.getType() == StringMatchType.REGULAR_EXPRESSION) {
            regex(mf + ".queryParams[" + q + "].value", param.getValue());
          }
        }
        if (match.getMethod() != null && !HTTP_METHODS.contains(match.getMethod())) {
          throw Rejected.validation(mf + ".method", "'" + match.getMethod() + "' is not one of " + HTTP_METHODS);
        }
      }
      checkFilters(f, rule.getFilters());
      checkBackends(f, rule.getBackendRefs(), true);
      if (rule.getTimeouts() != null) {
        duration(f + ".timeouts.request", rule.getTimeouts().getRequest());
        duration(f + ".timeouts.backendRequest", rule.getTimeouts().getBackendRequest());
      }
      if (rule.getRetry() != null) {
        duration(f + ".retry.backoff", rule.getRetry().getBackoff());
      }
    }

    /**
     * The CRD's CEL rules on a gRPC method match: a service or a method (or both); Exact ones are names of the gRPC
     * grammar; RegularExpression ones must compile as RE2, as the derivation puts them into the path regex.
     */
    private void checkGrpcRule(String f, GrpcRouteRule rule) {
      if (rule.getName() != null) {
        Rules.name(f + ".name", rule.getName());
      }
      for (int m = 0; m < rule.getMatches().size(); m++) {
        GrpcRouteMatch match = rule.getMatches().get(m);
        String mf = f + ".matches[" + m + "]";
        GrpcMethodMatch method = match.getMethod();
        if (method != null) {
          GrpcRoutes.problem(method).ifPresent(p -> {
            throw Rejected.validation(mf + ".method" + p.field(), p.message());
          });
          if (method.getType() == StringMatchType.REGULAR_EXPRESSION) {
            regex(mf + ".method", GrpcRoutes.pathMatch(method).getValue());
          }
        }
        checkHeaderMatches(mf, match.getHeaders());
      }
      for (int i = 0; i < rule.getFilters().size(); i++) {
        HttpRouteFilterType type = rule.getFilters().get(i).getType();
        if (!GrpcRoutes.FILTER_TYPES.contains(type)) {
          throw Rejected.validation(f + ".filters[" + i + "].type", "a GRPCRoute filter is one of "
              + GrpcRoutes.FILTER_TYPES + ", not " + type);
        }
      }
      checkFilters(f, rule.getFilters());
      checkBackends(f, rule.getBackendRefs(), true);
    }

    private static void checkHeaderMatches(String mf, List<HeaderMatch> headers) {
      for (int h = 0; h < headers.size(); h++) {
        HeaderMatch header = headers.get(h);
        Rules.required(mf + ".headers[" + h + "].name", header.getName());
        if (header.getType() == StringMatchType.REGULAR_EXPRESSION) {
          regex(mf + ".headers[" + h + "].value", header.getValue());
        }
      }
    }

    private static void checkFilters(String f, List<HttpRouteFilter> filters) {
      for (int i = 0; i < filters.size(); i++) {
        HttpRouteFilter filter = filters.get(i);
        Object detail = switch (filter.getType()) {
          case REQUEST_HEADER_MODIFIER -> filter.getRequestHeaderModifier();
          case RESPONSE_HEADER_MODIFIER -> filter.getResponseHeaderModifier();
          case REQUEST_REDIRECT -> filter.getRequestRedirect();
          case URL_REWRITE -> filter.getUrlRewrite();
          case REQUEST_MIRROR -> filter.getRequestMirror();
          case CORS -> filter.getCors();
        };
        if (detail == null) {
          throw Rejected.validation(f + ".filters[" + i + "]",
              "a " + filter.getType() + " filter needs its " + filter.getType() + " settings");
        }
        if (filter.getRequestMirror() != null) {
          checkBackend(f + ".filters[" + i + "].requestMirror.backendRef", filter.getRequestMirror().getBackendRef(),
              false);
        }
        if (filter.getRequestRedirect() != null && filter.getRequestRedirect().getPort() != null) {
          Rules.port(f + ".filters[" + i + "].requestRedirect.port", filter.getRequestRedirect().getPort());
        }
      }
    }

    /** Durations are derived into Envoy config, so one that does not parse is refused here, not at derivation. */
    private static void duration(String field, String value) {
      if (value != null) {
        GatewayDurations.problem(value).ifPresent(problem -> {
          throw Rejected.validation(field, problem);
        });
      }
    }

    /** Envoy's safe_regex is RE2, so a regex is checked here (size first) rather than NACKed by Envoy later. */
    private static void regex(String field, String value) {
      SafeRegex.problem(Rules.required(field, value)).ifPresent(problem -> {
        throw Rejected.validation(field, problem);
      });
    }

    /** {@code withFilters}: an HTTPRoute or GRPCRoute rule's backendRefs, which may carry backend filters. */
    private static void checkBackends(String f, List<BackendRef> backends, boolean withFilters) {
      for (int b = 0; b < backends.size(); b++) {
        checkBackend(f + ".backendRefs[" + b + "]", backends.get(b), withFilters);
      }
    }

    private static void checkBackend(String bf, BackendRef ref, boolean withFilters) {
      if (!withFilters && !ref.getFilters().isEmpty()) {
        throw Rejected.validation(bf + ".filters", "only the backendRefs of HTTPRoute and GRPCRoute rules carry filters");
      }
      Set<HttpRouteFilterType> seen = EnumSet.noneOf(HttpRouteFilterType.class);
      for (int i = 0; i < ref.getFilters().size(); i++) {
        BackendRefFilter filter = ref.getFilters().get(i);
        String ff = bf + ".filters[" + i + "]";
        if (!BackendFilters.TYPES.contains(filter.getType())) {
          throw Rejected.validation(ff + ".type", BackendFilters.unsupported(filter.getType().name()));
        }
        if (!seen.add(filter.getType())) {
          throw Rejected.validation(ff + ".type", "a " + filter.getType() + " filter may appear only once per backendRef");
        }
        boolean request = filter.getType() == HttpRouteFilterType.REQUEST_HEADER_MODIFIER;
        if ((request ? filter.getRequestHeaderModifier() : filter.getResponseHeaderModifier()) == null
            || (request ? filter.getResponseHeaderModifier() : filter.getRequestHeaderModifier()) != null) {
          throw Rejected.validation(ff, "a " + filter.getType() + " filter carries its own settings only");
        }
      }
      Rules.name(bf + ".name", ref.getName());
      if (ref.getNamespace() != null) {
        Rules.name(bf + ".namespace", ref.getNamespace());
      }
      Rules.port(bf + ".port", ref.getPort());
      if (ref.getWeight() < 0 || ref.getWeight() > 1_000_000) {
        throw Rejected.validation(bf + ".weight", "weight " + ref.getWeight() + " is outside 0..1000000");
      }
    }

    private void upsertEndpointSlice(AggregateId id, UpsertEndpointSlice c) {
      expectTenantTarget(id, AggregateType.ENDPOINT_SLICE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      Rules.name("serviceName", c.getServiceName());
      for (int i = 0; i < c.getPorts().size(); i++) {
        EndpointPort port = c.getPorts().get(i);
        Rules.port("ports[" + i + "].port", port.getPort());
        if (port.getName() != null) {
          Rules.name("ports[" + i + "].name", port.getName());
        }
      }
      for (int i = 0; i < c.getEndpoints().size(); i++) {
        Endpoint e = c.getEndpoints().get(i);
        String f = "endpoints[" + i + "]";
        if (e.getAddresses().isEmpty()) {
          throw Rejected.validation(f + ".addresses", "an endpoint needs at least one address");
        }
        for (int a = 0; a < e.getAddresses().size(); a++) {
          Rules.ipAddress(f + ".addresses[" + a + "]", e.getAddresses().get(a));
        }
        if (e.getNodeAddress() != null && Rules.ipAddress(f + ".nodeAddress", e.getNodeAddress()).contains(":")) {
          throw Rejected.validation(f + ".nodeAddress", "'" + e.getNodeAddress() + "' must be IPv4 (the GUE tunnel"
              + " to workload nodes is IPv4)");
        }
      }
      emit(id, new EndpointSliceUpserted(c.getAccount(), c.getNamespace(), c.getName(), c.getServiceName(),
          c.getClusterId(), List.copyOf(c.getPorts()), List.copyOf(c.getEndpoints())));
    }

    private void upsertService(AggregateId id, UpsertService c) {
      expectTenantTarget(id, AggregateType.SERVICE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      Set<Integer> ports = new HashSet<>();
      for (int i = 0; i < c.getPorts().size(); i++) {
        ServicePort port = c.getPorts().get(i);
        String f = "ports[" + i + "]";
        if (!ports.add(Rules.port(f + ".port", port.getPort()))) {
          throw Rejected.validation(f + ".port", "port " + port.getPort() + " is listed twice");
        }
        if (port.getName() != null) {
          Rules.name(f + ".name", port.getName());
        }
        if (port.getTargetPort() != null) {
          Rules.port(f + ".targetPort", port.getTargetPort());
        }
      }
      emit(id, new ServiceUpserted(c.getAccount(), c.getNamespace(), c.getName(), List.copyOf(c.getPorts())));
    }

    /** A stored certificate's name and content hash (the API has checked and stored the certificate itself). */
    private void recordCertificate(AggregateId id, RecordCertificate c) {
      expectTenantTarget(id, AggregateType.CERTIFICATE, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      if (!SHA256.matcher(c.getSha256()).matches()) {
        throw Rejected.validation("sha256", "'" + c.getSha256() + "' is not a hex SHA-256");
      }
      emit(id, new CertificateRecorded(c.getAccount(), c.getNamespace(), c.getName(), c.getSha256(),
          c.getNotAfter()));
    }

    /** The Gateway API's ReferenceGrant: at least one from (a route or gateway kind) and one to (Service, Secret). */
    private void upsertReferenceGrant(AggregateId id, UpsertReferenceGrant c) {
      expectTenantTarget(id, AggregateType.REFERENCE_GRANT, c.getAccount(), c.getNamespace(), c.getName());
      liveAccount(c.getAccount());
      if (c.getFrom().isEmpty()) {
        throw Rejected.validation("from", "a ReferenceGrant needs at least one from entry");
      }
      if (c.getTo().isEmpty()) {
        throw Rejected.validation("to", "a ReferenceGrant needs at least one to entry");
      }
      for (int i = 0; i < c.getFrom().size(); i++) {
        ReferenceGrantFrom from = c.getFrom().get(i);
        if (!GRANT_FROM_KINDS.contains(from.getKind())) {
          throw Rejected.validation("from[" + i + "].kind", "'" + from.getKind() + "' is not one of " + GRANT_FROM_KINDS);
        }
        Rules.name("from[" + i + "].namespace", from.getNamespace());
      }
      for (int i = 0; i < c.getTo().size(); i++) {
        ReferenceGrantTo to = c.getTo().get(i);
        if (!GRANT_TO_KINDS.contains(to.getKind())) {
          throw Rejected.validation("to[" + i + "].kind", "'" + to.getKind() + "' is not one of " + GRANT_TO_KINDS);
        }
        if (to.getName() != null) {
          Rules.name("to[" + i + "].name", to.getName());
        }
      }
      emit(id, new ReferenceGrantUpserted(c.getAccount(), c.getNamespace(), c.getName(), List.copyOf(c.getFrom()),
          List.copyOf(c.getTo())));
    }

    /**
     * A tenant namespace's labels. {@value LabelSelectors#NAME_LABEL} is the API server's, always the namespace's
     * name: a different value could never be true of a real namespace, so it is refused. Unchanged labels record
     * nothing: a workload controller resends a namespace at every change of its resourceVersion (labels bump no
     * generation), most of which are not its labels.
     */
    private void upsertNamespace(AggregateId id, UpsertNamespace c) {
      expectType(id, AggregateType.NAMESPACE);
      Rules.name("account", c.getAccount());
      Rules.name("name", c.getName());
      expectId(id, AggregateIds.namespace(c.getAccount(), c.getName()));
      liveAccount(c.getAccount());
      LabelSelectors.labelsProblem("labels", c.getLabels()).ifPresent(p -> {
        throw Rejected.validation(p.field(), p.message());
      });
      String name = c.getLabels().get(LabelSelectors.NAME_LABEL);
      if (name != null && !name.equals(c.getName())) {
        throw Rejected.validation("labels", "'" + LabelSelectors.NAME_LABEL + "' is the namespace's name ('"
            + c.getName() + "'), not '" + name + "'");
      }
      boolean unchanged = current(id.toString()).filter(s -> !s.getDeleted())
          .map(s -> ((NamespaceState) s.getResource()).getLabels().equals(c.getLabels())).orElse(false);
      if (!unchanged) {
        emit(id, new NamespaceUpserted(c.getAccount(), c.getName(), new TreeMap<>(c.getLabels())));
      }
    }

    private void remove(AggregateId id, AggregateType type, SpecificRecord removed) {
      expectType(id, type);
      liveTenantResource(id, type.prefix());
      emit(id, removed);
    }

    // ---- what proxies did (reported by the xds-projector)

    /**
     * Records an observation of a gateway's proxies on its {@code gatewayconfig} aggregate. Only an agent reports, never
     * a tenant; the gateway need not be live (a proxy may ACK just before its gateway is deleted), the facts stand.
     */
    private void report(AggregateId id, String gatewayId, SpecificRecord observed) {
      expectType(id, AggregateType.GATEWAY_CONFIG);
      if (command.getActor().getKind() != ActorKind.AGENT || command.getAccount() != null) {
        throw new Rejected(RejectionCode.FORBIDDEN, "actor",
            "only an agent reports what proxies did, not " + command.getActor().getKind() + " '"
                + command.getActor().getId() + "'");
      }
      AggregateId gateway;
      try {
        gateway = AggregateIds.parse(Rules.required("gatewayId", gatewayId));
      } catch (IllegalArgumentException e) {
        throw Rejected.validation("gatewayId", e.getMessage());
      }
      if (gateway.type() != AggregateType.GATEWAY) {
        throw Rejected.validation("gatewayId", "'" + gatewayId + "' is not a gateway id (gateway/<account>/<namespace>/<name>)");
      }
      expectId(id, AggregateIds.gatewayConfig(gateway.account(), gateway.namespace(), gateway.name()));
      emit(id, observed);
    }

    // ---- nodes, replicas and tunnels (reported by agents and the provisioner; nothing here reads a clock)

    /** Emits only what changed, so a node's steady heartbeats leave no trace in the audit log. */
    private void heartbeat(AggregateId id, NodeHeartbeat c) {
      agentOnly("heartbeats");
      String node = nodeId(id, c.getNode());
      if (c.getAddresses().isEmpty()) {
        throw Rejected.validation("addresses", "a node needs at least one IPv4 address (the tunnel's local end)");
      }
      for (int i = 0; i < c.getAddresses().size(); i++) {
        ipv4("addresses[" + i + "]", c.getAddresses().get(i));
      }
      if (c.getPublicAddress() != null) {
        ipv4("publicAddress", c.getPublicAddress());
      }
      String uplink = Rules.required("uplinkInterface", c.getUplinkInterface());
      if (!INTERFACE.matcher(uplink).matches()) {
        throw Rejected.validation("uplinkInterface", "'" + uplink + "' is not a Linux interface name (1..15"
            + " characters, no '/', ':' or white space)");
      }
      if (c.getTunnelCapacity() != null && (c.getTunnelCapacity() < 1
          || c.getTunnelCapacity() > TunnelIds.DEFAULT_CAPACITY)) {
        throw Rejected.validation("tunnelCapacity", "must be 1.." + TunnelIds.DEFAULT_CAPACITY + ", got "
            + c.getTunnelCapacity());
      }
      Optional<NodeState> prior = current(id.toString()).map(s -> (NodeState) s.getResource());
      List<String> addresses = List.copyOf(c.getAddresses());
      if (prior.isPresent() && !prior.get().getLost()) {
        NodeState n = prior.get();
        if (n.getKind() != c.getKind() && !n.getTunnels().isEmpty()) {
          throw Rejected.conflict("kind", "node '" + node + "' is " + n.getKind() + " with " + n.getTunnels().size()
              + " tunnels; it cannot become " + c.getKind() + " until they are freed");
        }
        boolean same = n.getKind() == c.getKind() && n.getAddresses().equals(addresses)
            && n.getUplinkInterface().equals(uplink) && Objects.equals(n.getPublicAddress(), c.getPublicAddress())
            && Objects.equals(n.getTunnelCapacity(), c.getTunnelCapacity());
        if (!same) {
          emit(id, new NodeUpdated(node, c.getKind(), addresses, uplink, c.getPublicAddress(), c.getTunnelCapacity()));
        }
        return;
      }
      emit(id, new NodeJoined(node, c.getKind(), addresses, uplink, c.getPublicAddress(), c.getTunnelCapacity()));
    }

    private void markNodeLost(AggregateId id, MarkNodeLost c) {
      agentOnly("node loss");
      String node = nodeId(id, c.getNode());
      NodeState n = knownNode(id.toString(), "node", node);
      if (c.getSilentForMillis() < 0) {
        throw Rejected.validation("silentForMillis", "must be 0 or more, got " + c.getSilentForMillis());
      }
      if (!n.getLost()) {
        emit(id, new NodeLost(node, c.getLastHeartbeatAt(), c.getSilentForMillis()));
      }
    }

    private void replicaPlaced(AggregateId id, ReportReplicaPlaced c) {
      agentOnly("replica placement");
      placementOf(id, c.getGatewayId());
      String instance = Rules.name("instance", c.getInstance());
      NodeState node = knownNode(AggregateIds.node(Rules.required("node", c.getNode())), "node", c.getNode());
      if (node.getKind() != NodeKind.EPIC) {
        throw Rejected.validation("node", "replicas run on EPIC nodes; '" + c.getNode() + "' is a " + node.getKind()
            + " node");
      }
      Rules.required("provider", c.getProvider());
      if (c.getInterfaceName() != null && !INTERFACE.matcher(c.getInterfaceName()).matches()) {
        throw Rejected.validation("interfaceName", "'" + c.getInterfaceName() + "' is not a Linux interface name");
      }
      Optional<ReplicaState> prior = replica(id, instance);
      if (prior.isEmpty() || !prior.get().getNode().equals(c.getNode())
          || !prior.get().getProvider().equals(c.getProvider())
          || !Objects.equals(prior.get().getInterfaceName(), c.getInterfaceName())) {
        emit(id, new ReplicaPlaced(c.getGatewayId(), instance, c.getNode(), c.getProvider(), c.getInterfaceName()));
      }
    }

    private void replicaReady(AggregateId id, ReportReplicaReady c) {
      agentOnly("replica readiness");
      placementOf(id, c.getGatewayId());
      ReplicaState r = replica(id, Rules.name("instance", c.getInstance()))
          .filter(x -> x.getNode().equals(c.getNode()))
          .orElseThrow(() -> Rejected.notFound("instance", "replica '" + c.getInstance() + "' of "
              + c.getGatewayId() + " is not placed on node '" + c.getNode() + "'"));
      if (!r.getReady()) {
        emit(id, new ReplicaReady(c.getGatewayId(), c.getInstance(), c.getNode()));
      }
    }

    /** Idempotent: a replica that is not placed (any more) is already lost. */
    private void replicaLost(AggregateId id, ReportReplicaLost c) {
      agentOnly("replica loss");
      placementOf(id, c.getGatewayId());
      Rules.required("reason", c.getReason());
      if (replica(id, Rules.name("instance", c.getInstance())).filter(r -> r.getNode().equals(c.getNode()))
          .isPresent()) {
        emit(id, new ReplicaLost(c.getGatewayId(), c.getInstance(), c.getNode(), c.getReason()));
      }
    }

    /**
     * Frees the EPIC node's tunnels to client nodes no longer listed, then gives each newly listed client node the
     * lowest id free on both nodes. Every allocation reads every EPIC node's tunnels: one writer decides them all.
     */
    private void requireTunnels(AggregateId id, RequireTunnels c) {
      agentOnly("tunnel requirements");
      String epicNode = nodeId(id, c.getEpicNode());
      NodeState epic = knownNode(id.toString(), "epicNode", epicNode);
      if (epic.getKind() != NodeKind.EPIC) {
        throw Rejected.validation("epicNode", "'" + epicNode + "' is a " + epic.getKind() + " node");
      }
      Map<String, NodeState> clients = new TreeMap<>();
      for (int i = 0; i < c.getClientNodes().size(); i++) {
        String name = Rules.required("clientNodes[" + i + "]", c.getClientNodes().get(i));
        NodeState client = knownNode(AggregateIds.node(name), "clientNodes[" + i + "]", name);
        if (client.getKind() != NodeKind.CLIENT) {
          throw Rejected.validation("clientNodes[" + i + "]", "'" + name + "' is an " + client.getKind() + " node");
        }
        clients.put(name, client);
      }
      for (TunnelState t : epic.getTunnels()) {
        if (!clients.containsKey(t.getClientNode())) {
          emit(id, new TunnelFreed(epicNode, t.getClientNode(), t.getTunnelId()));
        }
      }
      List<TunnelState> allTunnels = new ArrayList<>();
      for (AggregateState s : liveWithPrefix(AggregateType.NODE.prefix() + "/")) {
        allTunnels.addAll(((NodeState) s.getResource()).getTunnels());
      }
      for (var e : clients.entrySet()) {
        String client = e.getKey();
        NodeState now = (NodeState) current(id.toString()).orElseThrow().getResource();
        if (now.getTunnels().stream().noneMatch(t -> t.getClientNode().equals(client))) {
          Set<Long> used = new HashSet<>();
          now.getTunnels().forEach(t -> used.add(t.getTunnelId()));
          allTunnels.stream().filter(t -> t.getClientNode().equals(client)).forEach(t -> used.add(t.getTunnelId()));
          int capacity = Math.min(TunnelIds.capacity(now.getTunnelCapacity()),
              TunnelIds.capacity(e.getValue().getTunnelCapacity()));
          long tunnelId = TunnelIds.lowestFree(capacity, used).orElseThrow(() -> new Rejected(
              RejectionCode.TUNNELS_EXHAUSTED, "clientNodes",
              "no tunnel id in 1.." + capacity + " is free on both EPIC node '" + epicNode + "' and client node '"
                  + client + "'"));
          emit(id, new TunnelAllocated(epicNode, client, tunnelId));
          allTunnels.add(new TunnelState(tunnelId, client, null, null));
        }
      }
    }

    private void tunnelRemoteLearned(AggregateId id, ReportTunnelRemoteLearned c) {
      agentOnly("learned tunnel remotes");
      String epicNode = nodeId(id, c.getEpicNode());
      NodeState n = knownNode(id.toString(), "epicNode", epicNode);
      TunnelState t = n.getTunnels().stream().filter(x -> x.getTunnelId() == c.getTunnelId()).findFirst()
          .orElseThrow(() -> Rejected.notFound("tunnelId", "node '" + epicNode + "' has no tunnel "
              + c.getTunnelId()));
      ipv4("remoteAddress", c.getRemoteAddress());
      Rules.port("remotePort", c.getRemotePort());
      if (!c.getRemoteAddress().equals(t.getLearnedRemoteAddress())
          || !Integer.valueOf(c.getRemotePort()).equals(t.getLearnedRemotePort())) {
        emit(id, new TunnelRemoteLearned(epicNode, c.getTunnelId(), c.getRemoteAddress(), c.getRemotePort()));
      }
    }

    private void agentApplyFailed(AggregateId id, ReportAgentApplyFailed c) {
      agentOnly("apply failures");
      String node = nodeId(id, c.getNode());
      knownNode(id.toString(), "node", node);
      if (!APPLY_TARGETS.contains(c.getWhat())) {
        throw Rejected.validation("what", "'" + c.getWhat() + "' is not one of " + APPLY_TARGETS);
      }
      emit(id, new AgentApplyFailed(node, c.getWhat(), c.getVersion(), Rules.required("reason", c.getReason())));
    }

    private void agentOnly(String what) {
      if (command.getActor().getKind() != ActorKind.AGENT || command.getAccount() != null) {
        throw new Rejected(RejectionCode.FORBIDDEN, "actor", "only an agent reports " + what + ", not "
            + command.getActor().getKind() + " '" + command.getActor().getId() + "'");
      }
    }

    /** Checks the target is node/&lt;node&gt; with a DNS name, as Kubernetes names nodes. */
    private String nodeId(AggregateId id, String node) {
      expectType(id, AggregateType.NODE);
      Rules.hostname("node", node);
      if (node.startsWith("*.")) {
        throw Rejected.validation("node", "'" + node + "' is not a node name");
      }
      expectId(id, AggregateIds.node(node));
      return node;
    }

    private NodeState knownNode(String nodeId, String field, String node) {
      return (NodeState) current(nodeId).orElseThrow(() -> Rejected.notFound(field,
          "node '" + node + "' is unknown (it never sent a heartbeat)")).getResource();
    }

    /** Checks the target is the placement aggregate of {@code gatewayId}. */
    private void placementOf(AggregateId id, String gatewayId) {
      expectType(id, AggregateType.PLACEMENT);
      AggregateId gateway;
      try {
        gateway = AggregateIds.parse(Rules.required("gatewayId", gatewayId));
      } catch (IllegalArgumentException e) {
        throw Rejected.validation("gatewayId", e.getMessage());
      }
      if (gateway.type() != AggregateType.GATEWAY) {
        throw Rejected.validation("gatewayId", "'" + gatewayId + "' is not a gateway id");
      }
      expectId(id, AggregateIds.placement(gateway.account(), gateway.namespace(), gateway.name()));
    }

    private Optional<ReplicaState> replica(AggregateId placement, String instance) {
      return current(placement.toString()).map(s -> (PlacementState) s.getResource())
          .flatMap(p -> p.getReplicas().stream().filter(r -> r.getInstance().equals(instance)).findFirst());
    }

    private static String ipv4(String field, String value) {
      if (Rules.ipAddress(field, value).contains(":")) {
        throw Rejected.validation(field, "'" + value + "' must be IPv4 (the GUE tunnel is IPv4)");
      }
      return value;
    }

    // ---- shared checks

    private void tenantNames(String account, String namespace, String name) {
      Rules.name("account", account);
      Rules.name("namespace", namespace);
      Rules.name("name", name);
    }

    private void liveTenantResource(AggregateId id, String kind) {
      live(id.toString(), "targetAggregateId", kind + " '" + (id.namespace() == null ? "" : id.namespace() + "/")
          + id.name() + "' of account '" + id.account() + "' does not exist");
    }

    private AccountState liveAccount(String account) {
      return (AccountState) live(AggregateIds.account(account), "account",
          "account '" + account + "' does not exist").getResource();
    }

    /** A namespaced resource's command targets its own aggregate: of its type, with valid names, the id they make. */
    private void expectTenantTarget(AggregateId id, AggregateType type, String account, String namespace, String name) {
      expectType(id, type);
      tenantNames(account, namespace, name);
      expectId(id, new AggregateId(type, account, namespace, name).toString());
    }

    private static void checkHostnames(List<String> hostnames) {
      for (int i = 0; i < hostnames.size(); i++) {
        Rules.hostname("hostnames[" + i + "]", hostnames.get(i));
      }
    }

    private void expectType(AggregateId id, AggregateType type) {
      if (id.type() != type) {
        throw Rejected.validation("targetAggregateId", command.getPayload().getClass().getSimpleName()
            + " targets a " + type.prefix() + " aggregate, not '" + id + "'");
      }
    }

    private static void expectId(AggregateId id, String expected) {
      if (!id.toString().equals(expected)) {
        throw Rejected.validation("targetAggregateId",
            "'" + id + "' does not match the command's resource '" + expected + "'");
      }
    }

    private void requireAbsent(AggregateId id, String field, String message) {
      if (current(id.toString()).filter(s -> !s.getDeleted()).isPresent()) {
        throw Rejected.conflict(field, message);
      }
    }

    private AggregateState live(String aggregateId, String field, String message) {
      return current(aggregateId).filter(s -> !s.getDeleted())
          .orElseThrow(() -> Rejected.notFound(field, message));
    }

    /** The state as this decision has changed it so far, else as stored. */
    private Optional<AggregateState> current(String aggregateId) {
      AggregateState mine = changed.get(aggregateId);
      return mine != null ? Optional.of(mine) : stored.get(aggregateId);
    }

    private List<AggregateState> liveWithPrefix(String prefix) {
      Map<String, AggregateState> merged = new TreeMap<>();
      for (AggregateState s : stored.withPrefix(prefix)) {
        merged.put(s.getAggregateId(), s);
      }
      changed.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          merged.put(k, v);
        }
      });
      return merged.values().stream().filter(s -> !s.getDeleted()).toList();
    }

    /** Wraps the payload in its envelope (next sequence, chained hash) and folds it so later checks see it. */
    private void emit(AggregateId aggregate, SpecificRecord payload) {
      String aggregateId = aggregate.toString();
      Optional<AggregateState> before = current(aggregateId);
      EventEnvelope event = EventEnvelope.newBuilder()
          .setEventId(command.getCommandId() + "-" + events.size())
          .setAggregateType(aggregate.type().prefix())
          .setAggregateId(aggregateId)
          .setSequence(before.map(AggregateState::getVersion).orElse(0L) + 1)
          .setTimestamp(command.getTimestamp())
          .setAccount(aggregate.account() != null ? aggregate.account() : command.getAccount())
          .setActor(command.getActor())
          .setCorrelationId(command.getCommandId())
          .setCausationId(null)
          .setPreviousHash(before.map(s -> s.getLastHash().duplicate()).orElseGet(EventHashes::genesis))
          .setPayload(payload)
          .build();
      if (seals == null) {
        events.add(event);
        changed.put(aggregateId, Fold.apply(before.orElse(null), event));
        return;
      }
      EventSeals.Sealed sealed = seals.seal(event);
      events.add(sealed.event());
      changed.put(aggregateId, Fold.apply(before.orElse(null), sealed.event(), sealed.hash()));
    }
  }
}
