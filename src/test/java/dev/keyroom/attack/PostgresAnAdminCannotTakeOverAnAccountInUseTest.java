package dev.keyroom.attack;

class PostgresAnAdminCannotTakeOverAnAccountInUseTest extends AnAdminCannotTakeOverAnAccountInUse {
  @Override
  boolean postgres() {
    return true;
  }
}
