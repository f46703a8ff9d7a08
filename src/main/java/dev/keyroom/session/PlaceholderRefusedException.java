package dev.keyroom.session;

import dev.keyroom.error.ForbiddenException;
import dev.keyroom.tenancy.TenantId;

/**
 * A known placeholder was refused (another provider's route, session no longer live, tool not
 * enabled, key revoked). Carries the tenant, session and workroom so the refusal can be audited;
 * the message and code are those of the underlying refusal.
 */
public class PlaceholderRefusedException extends ForbiddenException {
  private static final long serialVersionUID = 1L;
  private final String code;
  private final transient TenantId tenant;
  private final transient SessionId session;
  private final transient WorkroomId workroom;

  public PlaceholderRefusedException(
      ForbiddenException cause, TenantId tenant, SessionId session, WorkroomId workroom) {
    super(cause.getMessage(), cause);
    this.code = cause.code();
    this.tenant = tenant;
    this.session = session;
    this.workroom = workroom;
  }

  @Override
  public String code() {
    return code;
  }

  public TenantId tenant() {
    return tenant;
  }

  public SessionId session() {
    return session;
  }

  public WorkroomId workroom() {
    return workroom;
  }
}
