package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With neither KEYROOM_CONFIG nor XDG_CONFIG_HOME, {@code keyroom login} saves to {@code
 * $HOME/.config/keyroom/config.json} — the HOME of the shell, as {@code ~} means, not the JVM's
 * {@code user.home} from the password database (it wrote into the real home of a person, or a test,
 * that had set HOME elsewhere).
 */
class ConfigFileFollowsHomeTest {
  @TempDir Path dir;

  @Test
  void loginSavesUnderHome_andWhoamiReadsItFromThere() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir.resolve("keyroom"))) {
      String token = k.tenant("acme").adminToken().token();
      Path home = dir.resolve("home");
      Map<String, String> env =
          Map.of("HOME", home.toString(), "KEYROOM_CONFIG", "", "XDG_CONFIG_HOME", "");
      CliProcess.Result login =
          CliProcess.run(env, (token + "\n").getBytes(StandardCharsets.UTF_8), "login", k.url());
      assertThat(login.exitCode()).as(login.stderr()).isZero();
      Path config = home.resolve(".config/keyroom/config.json");
      assertThat(login.stdout()).contains("saved in " + config);
      assertThat(config).isRegularFile();
      CliProcess.Result whoami = CliProcess.run(env, null, "whoami");
      assertThat(whoami.exitCode()).as(whoami.stderr()).isZero();
      assertThat(whoami.stdout()).contains("admin").contains(k.url());
    }
  }
}
