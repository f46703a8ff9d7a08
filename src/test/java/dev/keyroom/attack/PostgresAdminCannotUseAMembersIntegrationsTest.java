package dev.keyroom.attack;

class PostgresAdminCannotUseAMembersIntegrationsTest extends AdminCannotUseAMembersIntegrations {
  @Override
  boolean postgres() {
    return true;
  }
}
