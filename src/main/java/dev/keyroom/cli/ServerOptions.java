package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

/**
 * {@code --url} and {@code --profile} for commands that call a running Keyroom as a user (see
 * {@link Server}).
 */
class ServerOptions {
  @Option(
      names = "--url",
      description =
          "Keyroom URL (default: KEYROOM_URL, else the profile's URL, else http://127.0.0.1:$KEYROOM_PORT)")
  String url;

  @Option(
      names = "--profile",
      description =
          "profile of the configuration file (default: KEYROOM_PROFILE, else the default profile)")
  String profile;

  String base() {
    return Server.url(url, profile);
  }

  Server.Target target() {
    return Server.target(url, profile);
  }

  ApiClient api() {
    return new ApiClient(target());
  }

  JsonNode call(String method, String path, Object body) {
    return api().call(method, path, body);
  }
}
