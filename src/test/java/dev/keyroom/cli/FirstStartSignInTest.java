package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Keyroom;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.web.Passwords;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first start of an empty store prints a web one-time password for the first admin. */
class FirstStartSignInTest {
  @TempDir Path dir;

  @Test
  void firstStartPrintsAOneTimePasswordThatMustBeChanged() {
    try (Keyroom k = Keyroom.open(TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      ServeCommand.bootstrap(k, new PrintStream(buf, true, StandardCharsets.UTF_8));
      String out = buf.toString(StandardCharsets.UTF_8);
      Matcher m =
          Pattern.compile("one-time password[^\\n]*\\n[^\\n]*\\n\\n  ([A-Za-z0-9-]{23})")
              .matcher(out);
      assertThat(m.find()).as(out).isTrue();
      Passwords p = new Passwords(k.db(), k.tenancy(), k.audit(), k.clock());
      assertThat(p.check("default", "admin", m.group(1)))
          .hasValueSatisfying(a -> assertThat(a.mustChange()).isTrue());
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      ServeCommand.bootstrap(k, new PrintStream(again, true, StandardCharsets.UTF_8));
      assertThat(again.toString(StandardCharsets.UTF_8)).isEmpty();
    }
  }
}
