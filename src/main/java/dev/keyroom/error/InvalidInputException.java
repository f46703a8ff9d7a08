package dev.keyroom.error;

/** A request field breaks a rule. The message names the field and the rule, never the value. */
public class InvalidInputException extends KeyroomException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public InvalidInputException(String field, String rule) {
    super(field == null ? rule : field + ": " + rule);
    this.field = field;
  }

  /** The offending field (JSON path), or null when the whole request is at fault. */
  public String field() {
    return field;
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String code() {
    return "invalid_request";
  }
}
