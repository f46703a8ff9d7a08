package dev.keyroom.attack;

class SqliteDisablingAUserEndsAllTheirAccessTest extends DisablingAUserEndsAllTheirAccess {
  @Override
  boolean postgres() {
    return false;
  }
}
