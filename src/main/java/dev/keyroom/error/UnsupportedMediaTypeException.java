package dev.keyroom.error;

/** The request body is not in a media type the route accepts. */
public class UnsupportedMediaTypeException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public UnsupportedMediaTypeException(String message) {
    super(message);
  }

  public UnsupportedMediaTypeException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 415;
  }

  @Override
  public String code() {
    return "unsupported_media_type";
  }
}
