package dev.keyroom.attack;

class SqliteRevokingReachesEverySessionHoldingTheKeyTest
    extends RevokingReachesEverySessionHoldingTheKey {
  @Override
  boolean postgres() {
    return false;
  }
}
