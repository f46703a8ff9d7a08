package dev.keyroom.attack;

class SqliteAnAdminCannotTakeOverAnAccountInUseTest extends AnAdminCannotTakeOverAnAccountInUse {
  @Override
  boolean postgres() {
    return false;
  }
}
