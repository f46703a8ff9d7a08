package dev.keyroom.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The hash of an audit row: SHA-256 over the previous hash and every field, length-prefixed. */
final class AuditChain {
  static final String GENESIS = "0".repeat(64);

  private AuditChain() {}

  static String hash(
      String prevHash,
      String tenantId,
      long seq,
      long at,
      String actor,
      String action,
      String targetType,
      String targetId,
      String outcome,
      String sessionId,
      String workroomId,
      String skill,
      Map<String, String> detail) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    field(sha, "keyroom.audit.v1");
    field(sha, prevHash);
    field(sha, tenantId);
    field(sha, Long.toString(seq));
    field(sha, Long.toString(at));
    field(sha, actor);
    field(sha, action);
    field(sha, targetType);
    field(sha, targetId);
    field(sha, outcome);
    field(sha, sessionId);
    field(sha, workroomId);
    field(sha, skill);
    for (Map.Entry<String, String> e : new TreeMap<>(detail).entrySet()) {
      field(sha, e.getKey());
      field(sha, e.getValue());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static String hash(AuditRecord r) {
    return hash(
        r.prevHash(),
        r.tenantId(),
        r.seq(),
        r.at(),
        r.actor(),
        r.action(),
        r.targetType(),
        r.targetId(),
        r.outcome(),
        r.sessionId(),
        r.workroomId(),
        r.skill(),
        r.detail());
  }

  private static void field(MessageDigest sha, String value) {
    if (value == null) {
      sha.update(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    sha.update(bytes);
  }
}
