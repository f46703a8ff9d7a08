package dev.keyroom.attack;

class SqliteAdminCannotUseAMembersIntegrationsTest extends AdminCannotUseAMembersIntegrations {
  @Override
  boolean postgres() {
    return false;
  }
}
