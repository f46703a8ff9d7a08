package dev.keyroom.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The credential a subcommand acts on, as a person types it: {@code NAME}, {@code KIND/NAME} or an
 * id ({@code cred_…}), and {@code --kind} when several kinds use the name.
 */
final class CredentialArgs {
  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "name, KIND/NAME (e.g. gemini/prod) or id (cred_…)")
  String typed;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      description = "the kind, when several kinds use the name (same as KIND/NAME)")
  String kind;

  Credentials.Ref resolve(Credentials home) {
    return home.resolve("NAME", typed, kind);
  }
}
