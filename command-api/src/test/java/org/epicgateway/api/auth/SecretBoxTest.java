package org.epicgateway.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.epicgateway.platform.secrets.SecretBox;

class SecretBoxTest {
    private static final String HASH = "$2a$04$abcdefghijklmnopqrstuuN2b8l7y0jz8q3rJ5m9xG0yQ8sK9vZ6e";

    @Test
    void sealsWithAFreshNonceAndOpensOnlyWithItsKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("api/secrets.key");
        SecretBox box = SecretBox.fromKeyFile(file, Passwords.SECRET_PURPOSE);
        assertThat(Files.getPosixFilePermissions(file))
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        String sealed = box.seal(HASH);
        assertThat(sealed).startsWith(SecretBox.PREFIX).doesNotContain("$2a$").hasSize(SecretBox.PREFIX.length() + 118);
        assertThat(box.seal(HASH)).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(box.open(sealed)).hasValue(HASH);
        assertThat(SecretBox.fromKeyFile(file, Passwords.SECRET_PURPOSE).open(sealed)).as("the same key after a restart").hasValue(HASH);

        // Erasure: a new key (the file deleted and re-created) opens nothing sealed before; tampering is refused.
        Files.delete(file);
        assertThat(SecretBox.fromKeyFile(file, Passwords.SECRET_PURPOSE).open(sealed)).isEmpty();
        // A character inside the text: the last one may carry only padding bits, which decode to the same bytes.
        int at = SecretBox.PREFIX.length() + 40;
        String flipped = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
        assertThat(box.open(flipped)).isEmpty();
        assertThat(box.open(SecretBox.PREFIX + "not base64!")).isEmpty();
        // A hash stored in clear before encryption existed still opens as it is.
        assertThat(box.open(HASH)).hasValue(HASH);
    }

    @Test
    void aPasswordWhoseHashCannotBeDecryptedFailsAfterTheSameBcryptWork() {
        Passwords before = new Passwords(4, new SecretBox(new byte[32], Passwords.SECRET_PURPOSE));
        String stored = before.hash("alice-password-1", "password");
        assertThat(before.matches("alice-password-1", stored)).isTrue();
        assertThat(before.readable(stored)).isTrue();

        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        Passwords after = new Passwords(4, new SecretBox(otherKey, Passwords.SECRET_PURPOSE));
        long checks = after.checks();
        assertThat(after.matches("alice-password-1", stored)).isFalse();
        assertThat(after.checks() - checks).isEqualTo(1);
        assertThat(after.readable(stored)).isFalse();
    }
}
