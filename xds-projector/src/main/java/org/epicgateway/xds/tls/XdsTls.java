package org.epicgateway.xds.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the xDS port from PKCS#12 key stores (what keytool and most PKI tooling emit): the server's key and
 * certificate chain, and optionally a trust store of client CAs, which makes client certificates mandatory (mTLS,
 * as EPIC's eds-server required).
 */
public record XdsTls(Path keyStore, char[] password, Optional<Path> clientCaTrustStore) {

  public ServerCredentials credentials() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(load(keyStore, password), password);
      TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(kmf.getKeyManagers());
      if (clientCaTrustStore.isPresent()) {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(clientCaTrustStore.get(), password));
        builder.trustManager(tmf.getTrustManagers()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("xDS TLS: cannot use key store " + keyStore
          + clientCaTrustStore.map(p -> " / client CA trust store " + p).orElse("") + ": " + e.getMessage(), e);
    }
  }

  static KeyStore load(Path path, char[] password) throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      ks.load(in, password);
    }
    return ks;
  }
}
