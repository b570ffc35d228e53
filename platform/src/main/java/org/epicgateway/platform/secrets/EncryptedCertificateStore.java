package org.epicgateway.platform.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The embedded platform's certificate store: one file per certificate under {@code dir}
 * ({@code <account>/<namespace>/<secret>.pem.sealed}, owner-only), its content (chain and key) sealed with a
 * {@link SecretBox} whose key file lives outside {@code dir}, so a copy of the store alone reveals no key and deleting
 * the key file erases every certificate. Listeners in this process hear of every put and remove.
 */
public final class EncryptedCertificateStore implements CertificateStore {
    /** Bound into each ciphertext, so a sealed password hash cannot be passed off as a certificate or back. */
    public static final String PURPOSE = "epic tls certificate";
    private static final String SEPARATOR = "\n-----EPIC KEY FOLLOWS-----\n";

    private static final Map<Path, EncryptedCertificateStore> OF_DATA_DIR = new ConcurrentHashMap<>();

    private final Path dir;
    private final SecretBox box;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public EncryptedCertificateStore(Path dir, SecretBox box) {
        this.dir = dir;
        this.box = box;
    }

    /** The store under {@code dir} with its key in {@code keyFile} (created owner-only at first use). */
    public static EncryptedCertificateStore open(Path dir, Path keyFile) {
        if (keyFile.toAbsolutePath().normalize().startsWith(dir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the certificate key file " + keyFile + " must live outside the store "
                    + dir + ": a copy of the store must not carry its key");
        }
        return new EncryptedCertificateStore(dir, SecretBox.fromKeyFile(keyFile, PURPOSE));
    }

    /**
     * The platform's store: {@code <dataDir>/tls/certificates/}, key {@code <dataDir>/tls/certificates.key}. One
     * instance per data directory in a process, so the services of {@code epic up} (the API storing, the
     * xds-projector serving) share its change notifications.
     */
    public static EncryptedCertificateStore ofDataDir(Path dataDir) {
        Path tls = dataDir.toAbsolutePath().normalize().resolve("tls");
        return OF_DATA_DIR.computeIfAbsent(tls, t -> open(t.resolve("certificates"), t.resolve("certificates.key")));
    }

    @Override
    public String put(String name, CertificateBundle certificate) {
        Path file = file(name);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "cert", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, box.seal(certificate.certificateChainPem() + SEPARATOR
                    + certificate.privateKeyPem()) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store certificate " + name, e);
        }
        listeners.forEach(l -> l.accept(name));
        return certificate.sha256();
    }

    @Override
    public Optional<CertificateBundle> get(String name) {
        Path file = file(name);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String sealed;
        try {
            sealed = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read certificate " + name, e);
        }
        // A file that does not open (key deleted or replaced) is no certificate: nothing is served for it.
        return box.open(sealed).map(text -> {
            int at = text.indexOf(SEPARATOR);
            String chain = text.substring(0, at);
            String key = text.substring(at + SEPARATOR.length());
            return new CertificateBundle(chain, key, CertificateBundle.sha256(chain + key), notAfter(chain));
        });
    }

    @Override
    public boolean remove(String name) {
        try {
            boolean removed = Files.deleteIfExists(file(name));
            if (removed) {
                listeners.forEach(l -> l.accept(name));
            }
            return removed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove certificate " + name, e);
        }
    }

    @Override
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    private Path file(String name) {
        String[] parts = CertificateStore.parts(name);
        return dir.resolve(parts[0]).resolve(parts[1]).resolve(parts[2] + ".pem.sealed");
    }

    private static Instant notAfter(String chain) {
        return CertificateBundle.leaf(chain).getNotAfter().toInstant();
    }
}
