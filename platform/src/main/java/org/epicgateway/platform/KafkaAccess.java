package org.epicgateway.platform;

import java.util.Set;
import java.util.TreeSet;

/**
 * The Kafka resources a service uses, declared by the service itself so that the ACLs of its principal grant exactly
 * these ({@code epic kafka-acls}) and nothing else.
 *
 * @param readTopics      topics it consumes (READ, DESCRIBE)
 * @param writeTopics     topics it produces to (WRITE, DESCRIBE)
 * @param ownTopicPrefix  a prefix of topics it creates and owns (ALL), e.g. a Streams application's changelogs; empty if none
 * @param groups          consumer groups it joins or commits offsets to (READ, DESCRIBE)
 * @param transactionalIdPrefix the prefix of its producers' transactional ids (WRITE, DESCRIBE); empty if none
 */
public record KafkaAccess(Set<String> readTopics, Set<String> writeTopics, String ownTopicPrefix, Set<String> groups,
        String transactionalIdPrefix) {

    public static final KafkaAccess NONE = new KafkaAccess(Set.of(), Set.of(), "", Set.of(), "");

    public KafkaAccess {
        readTopics = Set.copyOf(readTopics);
        writeTopics = Set.copyOf(writeTopics);
        groups = Set.copyOf(groups);
    }

    public static KafkaAccess reads(String... topics) {
        return NONE.plus(new KafkaAccess(Set.of(topics), Set.of(), "", Set.of(), ""));
    }

    public static KafkaAccess writes(String... topics) {
        return NONE.plus(new KafkaAccess(Set.of(), Set.of(topics), "", Set.of(), ""));
    }

    /**
     * What a Kafka Streams application with exactly-once processing uses besides its topics: its internal topics
     * and consumer group, both named by the application id, and its transactional ids, which start with it.
     */
    public static KafkaAccess streamsApplication(String applicationId) {
        return new KafkaAccess(Set.of(), Set.of(), applicationId + "-", Set.of(applicationId), applicationId + "-");
    }

    /** Both declarations together: a service made of several clients declares each and adds them up. */
    public KafkaAccess plus(KafkaAccess other) {
        return new KafkaAccess(union(readTopics, other.readTopics), union(writeTopics, other.writeTopics),
                one("topic prefix", ownTopicPrefix, other.ownTopicPrefix), union(groups, other.groups),
                one("transactional id prefix", transactionalIdPrefix, other.transactionalIdPrefix));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String one(String what, String a, String b) {
        if (!a.isEmpty() && !b.isEmpty() && !a.equals(b)) {
            throw new IllegalArgumentException("a service has one " + what + ", not '" + a + "' and '" + b + "'");
        }
        return a.isEmpty() ? b : a;
    }
}
