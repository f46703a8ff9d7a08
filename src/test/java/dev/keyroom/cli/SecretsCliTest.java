package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code keyroom secrets …} as a real child process against a running Keyroom. */
class SecretsCliTest {
  @TempDir Path dir;
  TestKeyroom k;
  Tenancy.Founded acme;
  Map<String, String> env;

  @BeforeEach
  void start() {
    k = TestKeyroom.sqlite(dir);
    acme = k.tenant("acme");
    env = Map.of("KEYROOM_TOKEN", acme.adminToken().token(), "KEYROOM_URL", k.url());
  }

  @AfterEach
  void stop() {
    k.close();
  }

  CredentialScope scope() {
    return CredentialScope.tenantSecrets(acme.tenant().id());
  }

  @Test
  void set_readsTheValueFromStdin_thenReplacesIt_fromAFile() throws Exception {
    CliProcess.Result created =
        CliProcess.run(
            env,
            "stdin-value-0123456789\n".getBytes(StandardCharsets.UTF_8),
            "secrets",
            "set",
            "--kind",
            "gemini",
            "--name",
            "prod");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    assertThat(created.stdout())
        .contains("created cred_")
        .contains("version 1")
        .doesNotContain("stdin-value");
    CredentialInfo c = k.keyroom.vault().list(scope()).get(0);
    assertThat(
            k.keyroom.vault().resolve(scope(), new CredentialId(c.id()), null).value().revealUtf8())
        .isEqualTo("stdin-value-0123456789");

    Path file = dir.resolve("value");
    Files.writeString(file, "file-value-0123456789\n");
    CliProcess.Result replaced =
        CliProcess.run(
            env,
            null,
            "secrets",
            "set",
            "--kind",
            "gemini",
            "--name",
            "prod",
            "--value-file",
            file.toString());
    assertThat(replaced.exitCode()).as(replaced.stderr()).isZero();
    assertThat(replaced.stdout()).contains("replaced " + c.id()).contains("version 2");
    assertThat(
            k.keyroom.vault().resolve(scope(), new CredentialId(c.id()), null).value().revealUtf8())
        .isEqualTo("file-value-0123456789");

    CliProcess.Result list = CliProcess.run(env, null, "secrets", "list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.stdout())
        .contains(c.id())
        .contains("gemini")
        .contains("prod")
        .contains("…6789")
        .doesNotContain("file-value")
        .doesNotContain("stdin-value");

    CliProcess.Result revoke =
        CliProcess.run(env, null, "secrets", "revoke", c.id(), "--version", "1");
    assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();
    assertThat(CliProcess.run(env, null, "secrets", "revoke", c.id()).stdout())
        .contains("status revoked");
    CliProcess.Result delete = CliProcess.run(env, null, "secrets", "delete", c.id());
    assertThat(delete.exitCode()).isZero();
    assertThat(k.keyroom.vault().list(scope())).isEmpty();
    CliProcess.Result gone = CliProcess.run(env, null, "secrets", "delete", c.id());
    assertThat(gone.exitCode()).isEqualTo(Main.FAILED);
    assertThat(gone.stderr()).contains("no credential with that id").contains("404");
  }

  @Test
  void noCommandLineOptionTakesAValue() {
    CommandLine cli = Main.commandLine("secrets");
    CommandLine set = cli.getSubcommands().get("secrets").getSubcommands().get("set");
    assertThat(set.getCommandSpec().options())
        .extracting(OptionSpec::longestName)
        .containsExactlyInAnyOrder(
            "--kind",
            "--name",
            "--value-file",
            "--url",
            "--profile",
            "--json",
            "--help",
            "--version");
    CliProcess.Result r =
        CliProcess.run(
            env,
            null,
            "secrets",
            "set",
            "--kind",
            "gemini",
            "--name",
            "x",
            "--value",
            "argv-value-0123");
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.stderr()).contains("unknown option --value").doesNotContain("argv-value-0123");
    CliProcess.Result inline =
        CliProcess.run(
            env,
            null,
            "secrets",
            "set",
            "--kind",
            "gemini",
            "--name",
            "x",
            "--value=argv-value-0456");
    assertThat(inline.exitCode()).isEqualTo(Main.USAGE);
    assertThat(inline.stderr())
        .contains("unknown option --value")
        .doesNotContain("argv-value-0456");
    assertThat(k.keyroom.vault().list(scope())).isEmpty();
  }

  @Test
  void failuresHaveClearExitCodes() {
    CliProcess.Result empty =
        CliProcess.run(env, new byte[0], "secrets", "set", "--kind", "gemini", "--name", "x");
    assertThat(empty.exitCode()).isEqualTo(Main.USAGE);
    assertThat(empty.stderr()).contains("no value given");

    CliProcess.Result noToken =
        CliProcess.run(Map.of("KEYROOM_URL", k.url()), null, "secrets", "list");
    assertThat(noToken.exitCode()).isEqualTo(Main.USAGE);
    assertThat(noToken.stderr()).contains("KEYROOM_TOKEN");

    CliProcess.Result badToken =
        CliProcess.run(
            Map.of("KEYROOM_URL", k.url(), "KEYROOM_TOKEN", "kr_u_" + "x".repeat(43)),
            null,
            "secrets",
            "list");
    assertThat(badToken.exitCode()).isEqualTo(Main.FAILED);
    assertThat(badToken.stderr()).contains("401");

    CliProcess.Result wrongHome =
        CliProcess.run(
            env,
            "v-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
            "secrets",
            "set",
            "--kind",
            "git-token",
            "--name",
            "x");
    assertThat(wrongHome.exitCode()).isEqualTo(Main.FAILED);
    assertThat(wrongHome.stderr())
        .contains("Profile → Integrations")
        .doesNotContain("v-0123456789abcdef");

    // one trailing newline is dropped as before; a CR or a second newline is refused by the API,
    // naming the rule
    CliProcess.Result controlCharacter =
        CliProcess.run(
            env,
            "v-0123456789abcdef\r\n\n".getBytes(StandardCharsets.UTF_8),
            "secrets",
            "set",
            "--kind",
            "gemini",
            "--name",
            "x");
    assertThat(controlCharacter.exitCode()).isEqualTo(Main.FAILED);
    assertThat(controlCharacter.stderr())
        .contains("control characters")
        .contains("HTTP header")
        .doesNotContain("v-0123456789abcdef");

    CliProcess.Result unreachable =
        CliProcess.run(
            Map.of("KEYROOM_TOKEN", "kr_u_" + "x".repeat(43), "KEYROOM_URL", "http://127.0.0.1:9"),
            null,
            "secrets",
            "list");
    assertThat(unreachable.exitCode()).isEqualTo(Main.UNREACHABLE);
    assertThat(unreachable.stderr()).contains("cannot reach Keyroom");
  }

  @Test
  void everySubcommandsHelpPrintsItsUsage() {
    for (String sub : new String[] {"list", "show", "set", "test", "revoke", "delete"}) {
      CliProcess.Result help = CliProcess.run(env, null, "secrets", sub, "--help");
      assertThat(help.exitCode()).as(sub + ": " + help.stderr()).isZero();
      assertThat(help.stdout()).as(sub).startsWith("Usage: keyroom secrets " + sub);
    }
    CliProcess.Result revoke = CliProcess.run(env, null, "secrets", "revoke", "-h");
    assertThat(revoke.stdout()).contains("--version").contains("revoke only this version");
  }

  @Test
  void theValueHintIsGivenOnlyForOptionsThatLookLikeValues() {
    CliProcess.Result unrelated = CliProcess.run(env, null, "secrets", "list", "--colour");
    assertThat(unrelated.exitCode()).isEqualTo(Main.USAGE);
    assertThat(unrelated.stderr()).contains("unknown option --colour").doesNotContain("stdin");
    for (String option :
        new String[] {"--value", "--secret", "--token", "--password", "--api-key"}) {
      CliProcess.Result valueLike =
          CliProcess.run(
              env,
              null,
              "secrets",
              "set",
              "--kind",
              "gemini",
              "--name",
              "x",
              option + "=argv-value-0789");
      assertThat(valueLike.exitCode()).isEqualTo(Main.USAGE);
      assertThat(valueLike.stderr())
          .as(option)
          .contains("unknown option " + option)
          .contains("values are read from stdin or --value-file")
          .doesNotContain("argv-value-0789");
    }
  }

  @Test
  void pipedValuesAreReadAsBefore_withoutAPrompt() {
    CliProcess.Result piped =
        CliProcess.run(
            env,
            "piped-value-0123456789".getBytes(StandardCharsets.UTF_8),
            "secrets",
            "set",
            "--kind",
            "gemini",
            "--name",
            "piped");
    assertThat(piped.exitCode()).as(piped.stderr()).isZero();
    assertThat(piped.stderr()).doesNotContain("value for").doesNotContain("piped-value");
    CredentialInfo c = k.keyroom.vault().list(scope()).get(0);
    assertThat(
            k.keyroom.vault().resolve(scope(), new CredentialId(c.id()), null).value().revealUtf8())
        .isEqualTo("piped-value-0123456789");
  }
}
