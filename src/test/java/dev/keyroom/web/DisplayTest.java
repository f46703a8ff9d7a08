package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DisplayTest {
  @Test
  void initialsStandForTheProvider() {
    assertThat(Display.initials("Google Gemini")).isEqualTo("GG");
    assertThat(Display.initials("OpenAI")).isEqualTo("OA");
    assertThat(Display.initials("GitHub (OAuth login)")).isEqualTo("GH");
    assertThat(Display.initials("OAuth 2.0 / OpenID Connect login")).isEqualTo("OO");
    assertThat(Display.initials("(?)")).isEqualTo("?");
  }

  @Test
  void maskedHintNeverShowsMoreThanTheVaultsHint() {
    assertThat(Display.masked("…1QxZ")).isEqualTo("••••1QxZ");
    assertThat(Display.masked(null)).isEqualTo("••••••••");
  }
}
