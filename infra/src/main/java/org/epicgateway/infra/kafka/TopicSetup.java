package org.epicgateway.infra.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.epicgateway.schemas.Topics;

/**
 * Makes the broker's topics match {@link Topics#ALL}: creates the missing ones and sets the declared configs on the
 * existing ones, so a platform restarted after a config change (say, a new retention) gets it. Replication factor 1:
 * this is for the single embedded node.
 */
public final class TopicSetup {

    private TopicSetup() {
    }

    public static void ensure(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<Topics.Spec> missing = Topics.ALL.stream().filter(s -> !existing.contains(s.name())).toList();
            List<Topics.Spec> present = Topics.ALL.stream().filter(s -> existing.contains(s.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing.stream().map(s -> s.newTopic((short) 1)).toList()).all().get();
            }
            if (!present.isEmpty()) {
                checkPartitions(admin.describeTopics(present.stream().map(Topics.Spec::name).toList()).allTopicNames().get(), present);
                admin.incrementalAlterConfigs(present.stream().collect(Collectors.toMap(
                        s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name()),
                        s -> setAll(s.configs())))).all().get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create or update the EPIC topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** Adding partitions would move keys to other partitions and break per-aggregate order, so a mismatch stops here. */
    private static void checkPartitions(Map<String, TopicDescription> described, List<Topics.Spec> specs) {
        List<String> wrong = new ArrayList<>();
        for (Topics.Spec s : specs) {
            int actual = described.get(s.name()).partitions().size();
            if (actual != s.partitions()) {
                wrong.add(s.name() + " has " + actual + " partitions, Topics declares " + s.partitions());
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("existing topics disagree with Topics: " + String.join("; ", wrong)
                    + ". Start from an empty data directory to recreate them.");
        }
    }

    private static Collection<AlterConfigOp> setAll(Map<String, String> configs) {
        return configs.entrySet().stream()
                .map(c -> new AlterConfigOp(new ConfigEntry(c.getKey(), c.getValue()), AlterConfigOp.OpType.SET))
                .toList();
    }
}
