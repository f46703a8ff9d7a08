package dev.keyroom.attack;

class PostgresRevokingReachesEverySessionHoldingTheKeyTest
    extends RevokingReachesEverySessionHoldingTheKey {
  @Override
  boolean postgres() {
    return true;
  }
}
