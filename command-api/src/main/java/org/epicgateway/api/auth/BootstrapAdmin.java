package org.epicgateway.api.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.epicgateway.api.Commands;
import org.epicgateway.schemas.AggregateId;
import org.epicgateway.schemas.AggregateType;
import org.epicgateway.schemas.avro.AccountState;
import org.epicgateway.schemas.avro.Actor;
import org.epicgateway.schemas.avro.ActorKind;
import org.epicgateway.schemas.avro.AddApiUser;
import org.epicgateway.schemas.avro.ApiUser;
import org.epicgateway.schemas.avro.CreateAccount;
import org.epicgateway.schemas.avro.RemoveApiUser;

/**
 * Makes sure the first admin exists: on a fresh log it sends CreateAccount and AddApiUser (role admin) through the
 * decider like any other command, so the admin's origin is in the audit log (actor SYSTEM "command-api-bootstrap").
 * On later starts it does nothing; the password given then is not applied to an existing admin, unless the admin's
 * stored hash can no longer be decrypted (the secrets key was deleted: crypto-erasure), in which case the admin is
 * removed and added again with that password, also through the decider, so the platform stays administrable.
 */
public final class BootstrapAdmin {
    private static final Actor ACTOR = new Actor(ActorKind.SYSTEM, "command-api-bootstrap", null);

    private BootstrapAdmin() {
    }

    public static void ensure(Commands commands, Function<String, Optional<AccountState>> accounts,
                              Passwords passwords, String account, String username, String password) {
        AggregateId id = new AggregateId(AggregateType.ACCOUNT, account, null, account);
        Optional<AccountState> state = accounts.apply(account);
        if (state.isEmpty()) {
            commands.submit(ACTOR, UUID.randomUUID().toString(), null, id, 0L, new CreateAccount(account, "EPIC administrators"))
                .join();
            state = accounts.apply(account);
        }
        Optional<ApiUser> admin = state.flatMap(s -> s.getUsers().stream()
            .filter(u -> u.getUsername().equals(username)).findFirst());
        if (admin.isPresent() && !passwords.readable(admin.get().getPasswordHash())) {
            commands.submit(ACTOR, UUID.randomUUID().toString(), null, id, null, new RemoveApiUser(account, username))
                .join();
            admin = Optional.empty();
        }
        if (admin.isEmpty()) {
            commands.submit(ACTOR, UUID.randomUUID().toString(), null, id, null,
                new AddApiUser(account, username, passwords.hash(password, "adminPassword"), List.of(Principal.ADMIN_ROLE)))
                .join();
        }
    }

    /** The given password, else the one kept in {@code file}, else a new random one written there (owner-only). */
    public static String password(String configured, Path file) {
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "admin-password", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, generated + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin password file " + file, e);
        }
    }
}
