package org.epicgateway.platform.secrets;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Where listener certificates and their keys live, outside Kafka: events and the derived Envoy config carry only a
 * certificate's name and content hash. Names are SDS names, {@code <account>/<namespace>/<secret>}. The embedded
 * platform keeps them encrypted under its data directory ({@link EncryptedCertificateStore}); the xds-projector
 * serves them over SDS and follows changes through {@link #onChange}.
 */
public interface CertificateStore {

    /** Stores (or replaces) a checked certificate; returns its content hash. */
    String put(String name, CertificateBundle certificate);

    Optional<CertificateBundle> get(String name);

    /** Removes a certificate; false when there was none. */
    boolean remove(String name);

    /** Calls {@code listener} with the name of every certificate put or removed from now on. */
    void onChange(Consumer<String> listener);

    /**
     * The parts of an SDS name, {@code <account>/<namespace>/<secret>}, each a DNS label (so a name can never leave
     * a store's directory nor be ambiguous joined by dots); throws {@link IllegalArgumentException} otherwise.
     */
    static String[] parts(String name) {
        String[] parts = name.split("/", -1);
        if (parts.length != 3 || !LABEL.matcher(parts[0]).matches() || !LABEL.matcher(parts[1]).matches()
                || !LABEL.matcher(parts[2]).matches()) {
            throw new IllegalArgumentException("certificate name '" + name
                    + "' is not <account>/<namespace>/<secret> of DNS labels");
        }
        return parts;
    }

    /** A DNS label, what each part of a certificate's name is. */
    Pattern LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

    /** A store without certificates, for a projector given none: HTTPS listeners then wait for SDS forever. */
    CertificateStore NONE = new CertificateStore() {
        @Override
        public String put(String name, CertificateBundle certificate) {
            throw new UnsupportedOperationException("no certificate store is configured");
        }

        @Override
        public Optional<CertificateBundle> get(String name) {
            return Optional.empty();
        }

        @Override
        public boolean remove(String name) {
            return false;
        }

        @Override
        public void onChange(Consumer<String> listener) {
        }
    };
}
