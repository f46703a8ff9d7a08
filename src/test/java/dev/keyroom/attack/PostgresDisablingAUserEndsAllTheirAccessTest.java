package dev.keyroom.attack;

class PostgresDisablingAUserEndsAllTheirAccessTest extends DisablingAUserEndsAllTheirAccess {
  @Override
  boolean postgres() {
    return true;
  }
}
