package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every setting has a flag on {@code keyroom serve} — except secrets, which never come from argv.
 */
class ServeFlagsTest {
  private static final List<Config.Setting> NEVER_A_FLAG =
      List.of(Config.Setting.DATABASE_PASSWORD, Config.Setting.METRICS_TOKEN);

  @Test
  void everySettingButSecretsIsAServeFlag() {
    CommandLine serve = Main.commandLine("serve").getSubcommands().get("serve");
    List<String> missing =
        Arrays.stream(Config.Setting.values())
            .filter(s -> !NEVER_A_FLAG.contains(s))
            .filter(s -> serve.getCommandSpec().findOption("--" + s.flag) == null)
            .map(s -> "--" + s.flag)
            .toList();
    assertThat(missing).as("settings without a serve flag").isEmpty();
  }

  @Test
  void secretSettingsHaveNoFlag() {
    CommandLine serve = Main.commandLine("serve").getSubcommands().get("serve");
    for (Config.Setting s : NEVER_A_FLAG) {
      assertThat(serve.getCommandSpec().findOption("--" + s.flag)).as("--" + s.flag).isNull();
    }
  }

  @Test
  void everyServeFlagReachesItsSetting() {
    for (Config.Setting s : Config.Setting.values()) {
      if (NEVER_A_FLAG.contains(s)) {
        continue;
      }
      Config c =
          Config.resolve(
              parseServe("--" + s.flag, "value-of-" + s.flag).flags(), java.util.Map.of());
      assertThat(c.get(s)).as("--" + s.flag).isEqualTo("value-of-" + s.flag);
    }
  }

  @Test
  void upstreamFlagOverridesTheProviderBaseUrl() {
    ServeCommand serve =
        parseServe(
            "--upstream", "gemini=http://127.0.0.1:9", "--upstream", "openai=http://127.0.0.1:10");
    Config c = Config.resolve(serve.flags(), java.util.Map.of());
    assertThat(c.upstreams())
        .containsEntry("gemini", "http://127.0.0.1:9")
        .containsEntry("openai", "http://127.0.0.1:10");
  }

  private static ServeCommand parseServe(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    CommandLine.ParseResult parsed = Main.commandLine("serve").parseArgs(all);
    return (ServeCommand) parsed.subcommand().commandSpec().userObject();
  }
}
