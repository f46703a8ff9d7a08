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
    java.util.Map<String, CommandLine> all = Main.commandLine().getSubcommands();
    assertThat(all.keySet()).containsExactlyElementsOf(Main.COMMANDS);
    Main.COMMANDS.forEach(name ->
        assertThat(Main.command(name).getClass().getAnnotation(CommandLine.Command.class).name()).as(name).isEqualTo(name));
  }

  @Test
  void aNamedCommandIsTheOnlyOneBuilt_otherwiseAllAre() {
    assertThat(Main.commandLine("whoami").getSubcommands().keySet()).containsExactly("whoami");
    assertThat(Main.commandLine("run").getSubcommands().get("run").getCommandSpec().parser().stopAtPositional()).isTrue();
    assertThat(Main.commandLine("--help").getSubcommands().keySet()).containsExactlyElementsOf(Main.COMMANDS);
    assertThat(Main.commandLine("whoamy").getSubcommands().keySet()).containsExactlyElementsOf(Main.COMMANDS);
  }

  @Test
  void helpListsEveryCommand() {
    StringWriter help = new StringWriter();
    Main.commandLine().usage(new PrintWriter(help));
    Main.COMMANDS.forEach(name -> assertThat(help.toString()).contains("  " + name + " "));
  }
}
