package org.epicgateway.api.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The REST API's TLS identity: a PKCS#12 key store given by path ({@code EPIC_API_TLS_KEYSTORE} and
 * {@code EPIC_API_TLS_PASSWORD}), else a self-signed certificate generated at first start under
 * {@code <dataDir>/api/tls/} with the JDK's own {@code keytool} (EC P-256, valid 825 days, names localhost, 127.0.0.1
 * and the API host), whose SHA-256 fingerprint {@code epic up} prints so clients can pin it.
 *
 * @param selfSigned whether this is the generated certificate (for the printed note)
 */
public record ApiTls(Path keystore, String password, X509Certificate certificate, boolean selfSigned) {
    private static final String ALIAS = "epic-api";

    /** The configured key store, or the generated one under {@code dir} (created on first start). */
    public static ApiTls resolve(Path configuredKeystore, String configuredPassword, Path dir, String host) {
        if (configuredKeystore != null) {
            return load(configuredKeystore, configuredPassword == null ? "" : configuredPassword, false);
        }
        Path keystore = dir.resolve("api.p12");
        Path passwordFile = dir.resolve("api.p12.password");
        if (!Files.exists(keystore)) {
            generate(dir, keystore, passwordFile, host);
        }
        try {
            return load(keystore, Files.readString(passwordFile, StandardCharsets.US_ASCII).strip(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + passwordFile, e);
        }
    }

    private static ApiTls load(Path keystore, String password, boolean selfSigned) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            X509Certificate cert = null;
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof X509Certificate x) {
                    cert = x;
                    break;
                }
            }
            if (cert == null) {
                throw new IllegalStateException("the API key store " + keystore + " holds no private key with a certificate");
            }
            return new ApiTls(keystore, password, cert, selfSigned);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the API key store " + keystore + " (PKCS#12, password from "
                + "EPIC_API_TLS_PASSWORD): " + e.getMessage(), e);
        }
    }

    /** keytool writes to a temporary file, moved into place only once complete, so a crash leaves no half store. */
    private static void generate(Path dir, Path keystore, Path passwordFile, String host) {
        try {
            Files.createDirectories(dir);
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path pwTmp = Files.createTempFile(dir, "api-p12-password", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(pwTmp, password + "\n", StandardCharsets.US_ASCII);
            Path ksTmp = dir.resolve("api.p12.tmp");
            Files.deleteIfExists(ksTmp);
            List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-validity", "825", "-dname", "CN=EPIC API (self-signed)", "-ext", "SAN=" + subjectAltNames(host),
                "-keystore", ksTmp.toString(), "-storetype", "PKCS12", "-storepass:env", "EPIC_P12_PASSWORD",
                "-keypass:env", "EPIC_P12_PASSWORD"));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("EPIC_P12_PASSWORD", password);
            Process keytool = pb.start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                keytool.destroyForcibly();
                throw new IllegalStateException("keytool could not generate the API's self-signed certificate: " + output);
            }
            Files.setPosixFilePermissions(ksTmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(pwTmp, passwordFile, StandardCopyOption.ATOMIC_MOVE);
            Files.move(ksTmp, keystore, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate the API's self-signed certificate under " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating the API's certificate", e);
        }
    }

    private static String subjectAltNames(String host) {
        List<String> names = new ArrayList<>(List.of("dns:localhost", "ip:127.0.0.1"));
        if (host != null && !host.isBlank() && !host.equals("localhost") && !host.equals("127.0.0.1")
            && !host.equals("0.0.0.0") && !host.equals("::")) {
            names.add((host.matches("[0-9.]+") || host.contains(":") ? "ip:" : "dns:") + host);
        }
        return String.join(",", names);
    }

    /** SHA-256 of the certificate (DER), as {@code AB:CD:...}: what a client pins. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the API certificate", e);
        }
    }

    public SslContextFactory.Server sslContextFactory() {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(keystore.toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(password);
        // Clients may reach it by IP or a name the certificate does not carry; they pin the certificate instead.
        ssl.setSniRequired(false);
        return ssl;
    }
}
