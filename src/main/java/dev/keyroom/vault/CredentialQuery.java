package dev.keyroom.vault;

import dev.keyroom.api.PageParams;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Keyset;
import java.util.List;
import java.util.Locale;

/**
 * How a list of credentials is searched and paged, the same for the API ({@code GET
 * /api/v1/secrets}, {@code GET /api/v1/me/integrations}) and the Secrets page: a search box that
 * matches a name or a kind, an exact kind, an exact name, and a cursor that is the {@code
 * kind:name} of the row a page starts next to (the list is ordered by kind, then name, and names
 * are unique per kind).
 */
public final class CredentialQuery {
  private final Catalog catalog;

  public CredentialQuery(Catalog catalog) {
    this.catalog = catalog;
  }

  /**
   * The vault's search for {@code text} (a name containing it, or a kind whose id or display name
   * contains it, in any case), only kind {@code kind} and only the name {@code name}; null means
   * anything. An unknown {@code kind} is refused naming {@code kindField}, listing the known ones.
   */
  public Vault.Search search(String text, String kind, String name, String kindField) {
    if (kind != null) {
      catalog.require(kind, kindField);
    }
    if (text == null) {
      return new Vault.Search(null, List.of(), kind, name);
    }
    String lower = text.toLowerCase(Locale.ROOT);
    List<String> kindsNamed =
        catalog.kinds().stream()
            .filter(
                k ->
                    k.id().toLowerCase(Locale.ROOT).contains(lower)
                        || k.displayName().toLowerCase(Locale.ROOT).contains(lower))
            .map(CredentialKind::id)
            .toList();
    return new Vault.Search(text, kindsNamed, kind, name);
  }

  /** A page's cursor: the kind and name of the row it starts next to, {@code gemini:prod}. */
  public static String cursor(CredentialInfo c) {
    return c.kind() + ":" + c.name();
  }

  /**
   * Where a page starts: {@code after=kind:name} the rows after that one (the next page), {@code
   * before=kind:name} the rows before it (the previous page).
   */
  public static Keyset.From start(PageParams paging) {
    if (paging.after() != null) {
      String[] key = key("after", paging.after());
      return Keyset.From.after(key[0], key[1]);
    }
    if (paging.before() != null) {
      String[] key = key("before", paging.before());
      return Keyset.From.before(key[0], key[1]);
    }
    return Keyset.From.start();
  }

  private static String[] key(String parameter, String raw) {
    int colon = raw.indexOf(':');
    if (colon < 1 || colon == raw.length() - 1 || raw.length() > 200) {
      throw new InvalidInputException(
          parameter, "must be a position (kind:name) from a previous page's next or prev");
    }
    return new String[] {raw.substring(0, colon), raw.substring(colon + 1)};
  }
}
