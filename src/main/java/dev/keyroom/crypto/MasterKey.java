package dev.keyroom.crypto;

import com.google.crypto.tink.Aead;

/**
 * The master key-encryption key. It only ever wraps tenant data keysets and the start-up sentinel.
 * The default lives in a local Tink keyset file; a KMS-backed one fits the same shape.
 */
public interface MasterKey {

  /** The key-encryption AEAD (encrypts with the primary key, decrypts with any key). */
  Aead aead();

  /** Adds a new primary key; existing wrapped keysets keep opening with the older keys. */
  void rotate();

  /** Re-reads the key source (another process may have rotated it). */
  void reload();

  /** Where the key lives and which key is primary — never key material. */
  String describe();
}
