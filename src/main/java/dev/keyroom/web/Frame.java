package dev.keyroom.web;

/**
 * What every page's frame needs: its title, the signed-in person (null on the sign-in page), the
 * navigation entry to highlight and the CSRF token for forms.
 */
public record Frame(String title, WebUser user, String nav, String csrf) {
  public boolean signedIn() {
    return user != null;
  }

  public boolean isAdmin() {
    return user != null && user.isAdmin();
  }
}
