package org.epicgateway.platform.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets kept outside the key's file: AES-256-GCM with a key in a file of its own, giving
 * {@code aesgcm1:<base64url(nonce | ciphertext | tag)>}. The API seals users' bcrypt hashes with it before they enter
 * commands and events (readers of epic.commands, epic.events or the decider's changelog see only the sealed form),
 * the certificate store seals TLS keys with it before they touch the disk. Each use has its own purpose, bound into
 * every ciphertext as associated data, so a ciphertext of one use cannot be replayed as another. Deleting the key
 * file erases every such secret at once (crypto-erasure).
 */
public final class SecretBox {
    public static final String PREFIX = "aesgcm1:";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    /** Binds ciphertexts to their use, so one cannot be replayed as another kind of secret. */
    private final byte[] purpose;

    public SecretBox(byte[] key, String purpose) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the secrets key must have 32 bytes, has " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.purpose = purpose.getBytes(StandardCharsets.US_ASCII);
    }

    /** Loads the key from {@code file}, creating a random 256-bit one (owner-only) on first start. */
    public static SecretBox fromKeyFile(Path file, String purpose) {
        try {
            if (!Files.exists(file)) {
                Path dir = file.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                Path tmp = Files.createTempFile(dir, "secrets-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, HexFormat.of().formatHex(fresh) + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            return new SecretBox(HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).strip()),
                purpose);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secrets key " + file, e);
        }
    }

    public String seal(String secret) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(purpose);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is required by every JDK", e);
        }
    }

    /**
     * The secret, or empty when it cannot be read with this key (erased, or sealed with another key). A value without
     * the prefix is a hash stored in clear before encryption existed, and is returned as it is.
     */
    public Optional<String> open(String stored) {
        if (!stored.startsWith(PREFIX)) {
            return Optional.of(stored);
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length()));
            if (in.length <= NONCE) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE));
            cipher.updateAAD(purpose);
            return Optional.of(new String(cipher.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8));
        } catch (AEADBadTagException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is required by every JDK", e);
        }
    }
}
