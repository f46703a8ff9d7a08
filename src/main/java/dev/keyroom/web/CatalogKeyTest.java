package dev.keyroom.web;

import dev.keyroom.proxy.KeyTest;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;

/**
 * "Test key" on Config → Secrets: the catalog's cheap call for the kind ({@link KeyTest}, shared
 * with the API).
 */
final class CatalogKeyTest implements KeyTester {
  private final KeyTest keyTest;

  CatalogKeyTest(KeyTest keyTest) {
    this.keyTest = keyTest;
  }

  @Override
  public Result test(WebUser user, CredentialInfo c) {
    KeyTest.Result r = keyTest.test(user.tenant(), new CredentialId(c.id()), user.auditName());
    return new Result(c.id(), r.ok(), r.message());
  }
}
