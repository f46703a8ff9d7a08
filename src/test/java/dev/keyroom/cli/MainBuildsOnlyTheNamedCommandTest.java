package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command line that names a command builds only that command (start-up time); without one, or
 * with a name that is none, every command is there, under the name its own {@code @Command} gives.
 */
class MainBuildsOnlyTheNamedCommandTest {
  @Test
  void eachCommandIsListedUnderItsOwnName() {
    Main.COMMANDS.forEach(
        name ->
            assertThat(
                    Main.command(name).getClass().getAnnotation(CommandLine.Command.class).name())
                .as(name)
                .isEqualTo(name));
  }

  @Test
  void aNamedCommandIsTheOnlyOneBuilt_inFull() {
    CommandLine whoami = Main.commandLine("whoami");
    assertThat(whoami.getSubcommands().keySet()).containsExactly("whoami");
    assertThat(whoami.getSubcommands().get("whoami").getCommandSpec().findOption("--json"))
        .isNotNull();
    assertThat(
            Main.commandLine("run")
                .getSubcommands()
                .get("run")
                .getCommandSpec()
                .parser()
                .stopAtPositional())
        .isTrue();
    assertThat(Main.commandLine("admin").getSubcommands().get("admin").getSubcommands())
        .containsKey("verify-audit");
  }

  @Test
  void withoutACommand_everyCommandIsListedWithItsDescription() {
    for (String first : new String[] {null, "--help", "whoamy"}) {
      assertThat(Main.commandLine(first).getSubcommands().keySet())
          .as(first)
          .containsExactlyElementsOf(Main.COMMANDS);
    }
    StringWriter help = new StringWriter();
    Main.commandLine().usage(new PrintWriter(help));
    Main.COMMANDS.forEach(
        name -> {
          String description =
              Main.command(name)
                  .getClass()
                  .getAnnotation(CommandLine.Command.class)
                  .description()[0];
          assertThat(help.toString())
              .contains("  " + name + " ")
              .contains(description.substring(0, Math.min(30, description.length())));
        });
  }

  @Test
  void aMistypedCommandIsStillAUsageError() {
    assertThat(Main.run("whoamy")).isEqualTo(Main.USAGE);
  }
}
