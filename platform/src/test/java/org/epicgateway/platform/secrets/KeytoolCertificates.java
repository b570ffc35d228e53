package org.epicgateway.platform.secrets;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Real certificates for tests, made by the JDK's keytool (self-signed), as PEM chain and PKCS#8 key. */
public final class KeytoolCertificates {
    private static final char[] PASSWORD = "test-pass".toCharArray();

    public record Pem(String chain, String key) {}

    private KeytoolCertificates() {}

    /** A self-signed EC P-256 certificate for {@code dnsName}, valid from {@code startDate} (keytool's form). */
    public static Pem selfSigned(Path dir, String dnsName, String startDate, int validityDays) throws Exception {
        return selfSigned(dir, dnsName, startDate, validityDays, List.of("-keyalg", "EC", "-groupname", "secp256r1"));
    }

    /** A self-signed RSA 2048 certificate for {@code dnsName}, valid for 30 days. */
    public static Pem selfSignedRsa(Path dir, String dnsName) throws Exception {
        return selfSigned(dir, dnsName, null, 30, List.of("-keyalg", "RSA", "-keysize", "2048"));
    }

    private static Pem selfSigned(Path dir, String dnsName, String startDate, int validityDays, List<String> keyOptions)
            throws Exception {
        Path store = dir.resolve(dnsName + "-" + System.nanoTime() + ".p12");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", "cert"));
        command.addAll(keyOptions);
        command.addAll(List.of(
                "-dname", "CN=" + dnsName, "-ext", "SAN=dns:" + dnsName, "-validity", String.valueOf(validityDays),
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD)));
        if (startDate != null) {
            command.addAll(List.of("-startdate", startDate));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        Certificate cert = ks.getCertificate("cert");
        PrivateKey key = (PrivateKey) ks.getKey("cert", PASSWORD);
        return new Pem(pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", key.getEncoded()));
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
