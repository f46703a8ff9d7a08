package dev.keyroom.crypto;

import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.mac.MacConfig;
import java.security.GeneralSecurityException;

/** Registers the Tink primitives Keyroom uses, once. */
final class TinkSetup {
  private static volatile boolean done;

  private TinkSetup() {}

  static void ensure() {
    if (done) {
      return;
    }
    synchronized (TinkSetup.class) {
      if (!done) {
        try {
          AeadConfig.register();
          MacConfig.register();
        } catch (GeneralSecurityException e) {
          throw new CryptoSetupException("could not register Tink primitives", e);
        }
        done = true;
      }
    }
  }
}
