package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every setting has a flag on {@code keyroom serve} — except secrets, which never come from argv. */
class ServeFlagsTest {
  private static final List<Config.Setting> NEVER_A_FLAG = List.of(Config.Setting.DATABASE_PASSWORD);

  @Test
  void everySettingButSecretsIsAServeFlag() {
    CommandLine serve = new CommandLine(new Main()).getSubcommands().get("serve");
    List<String> missing = Arrays.stream(Config.Setting.values())
        .filter(s -> !NEVER_A_FLAG.contains(s))
        .filter(s -> serve.getCommandSpec().findOption("--" + s.flag) == null)
        .map(s -> "--" + s.flag)
        .toList();
    assertThat(missing).as("settings without a serve flag").isEmpty();
  }

  @Test
  void secretSettingsHaveNoFlag() {
    CommandLine serve = new CommandLine(new Main()).getSubcommands().get("serve");
    for (Config.Setting s : NEVER_A_FLAG) {
      assertThat(serve.getCommandSpec().findOption("--" + s.flag)).as("--" + s.flag).isNull();
    }
  }

  @Test
  void upstreamFlagOverridesTheProviderBaseUrl() {
    Config c = Config.resolve(java.util.Map.of("upstream-gemini", "http://127.0.0.1:9"), java.util.Map.of());
    assertThat(c.upstreams()).containsEntry("gemini", "http://127.0.0.1:9");
  }
}
