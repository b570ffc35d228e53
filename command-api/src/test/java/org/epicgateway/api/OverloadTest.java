package org.epicgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.epicgateway.projections.topology.CommandBus;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.CommandEnvelope;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

/**
 * Overload answers: more commands than the bus lets be in flight are a 429, a decider that is not running a 503,
 * both with Retry-After and nothing sent (buses on the real platform with a tiny bound or a stopped decider).
 */
class OverloadTest {
    private static final Actor ADMIN = new Actor(ActorKind.USER, "admin@system", "system");

    private static CommandEnvelope createAccount() {
        String name = ApiFixture.unique("over");
        return Commands.command(ADMIN, UUID.randomUUID().toString(), null,
            new AggregateId(AggregateType.ACCOUNT, name, null, name), 0L, new CreateAccount(name, null));
    }

    private static ApiError refusal(boolean deciderRunning) throws Exception {
        ApiFixture f = ApiFixture.get();
        try (CommandBus bus = new CommandBus(f.platform.kafkaClient(),
            new SchemaRegistryClient(f.platform.schemaRegistryUrl()), () -> deciderRunning, 1)) {
            Commands commands = new Commands(bus, f.decider.queries(), Duration.ofSeconds(60), new SimpleMeterRegistry());
            return catchThrowableOfType(ApiError.class,
                () -> commands.submitAll(List.of(createAccount(), createAccount())));
        }
    }

    @Test
    void beyondTheInFlightBoundIs429WithRetryAfter() throws Exception {
        ApiError e = refusal(true);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.code()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(e.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void aStoppedDeciderIs503WithRetryAfter() throws Exception {
        ApiError e = refusal(false);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("UNAVAILABLE");
        assertThat(e.retryAfterSeconds()).isEqualTo(5);
    }
}
