package org.epicgateway.cli.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.epicgateway.platform.KafkaAccess;

/** The ACLs that give one service's principal what its {@link KafkaAccess} declares, and nothing else. */
public final class ServiceAcls {

  private ServiceAcls() {
  }

  public static List<AclBinding> bindings(String principal, KafkaAccess access) {
    List<AclBinding> acls = new ArrayList<>();
    access.readTopics().forEach(t -> allow(acls, principal, ResourceType.TOPIC, t, PatternType.LITERAL,
        AclOperation.READ, AclOperation.DESCRIBE));
    access.writeTopics().forEach(t -> allow(acls, principal, ResourceType.TOPIC, t, PatternType.LITERAL,
        AclOperation.WRITE, AclOperation.DESCRIBE));
    if (!access.ownTopicPrefix().isEmpty()) {
      allow(acls, principal, ResourceType.TOPIC, access.ownTopicPrefix(), PatternType.PREFIXED, AclOperation.ALL);
    }
    access.groups().forEach(g -> allow(acls, principal, ResourceType.GROUP, g, PatternType.LITERAL,
        AclOperation.READ, AclOperation.DESCRIBE));
    if (!access.transactionalIdPrefix().isEmpty()) {
      allow(acls, principal, ResourceType.TRANSACTIONAL_ID, access.transactionalIdPrefix(), PatternType.PREFIXED,
          AclOperation.WRITE, AclOperation.DESCRIBE);
    }
    return acls;
  }

  /** One binding as the {@code kafka-acls.sh} arguments that add it. */
  public static String kafkaAclsArguments(AclBinding acl) {
    ResourcePattern r = acl.pattern();
    String resource = switch (r.resourceType()) {
      case TOPIC -> "--topic";
      case GROUP -> "--group";
      case TRANSACTIONAL_ID -> "--transactional-id";
      default -> throw new IllegalArgumentException("EPIC declares no ACLs on " + r.resourceType());
    };
    return "--add --allow-principal " + acl.entry().principal() + " --operation "
        + camel(acl.entry().operation().name()) + " " + resource + " " + r.name()
        + (r.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "");
  }

  private static void allow(List<AclBinding> acls, String principal, ResourceType type, String name,
      PatternType pattern, AclOperation... operations) {
    for (AclOperation op : operations) {
      acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
          new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
  }

  private static String camel(String operation) {
    StringBuilder out = new StringBuilder();
    for (String part : operation.toLowerCase(Locale.ROOT).split("_")) {
      out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return out.toString();
  }
}
