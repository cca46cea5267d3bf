package io.beamline.pipelines.stream.daq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaqScheduleTest {

  @Test
  void tomlOverridesSomeKeysAndKeepsTheOthers(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.toml");
    Files.writeString(
        f,
        "# a short run\nno_beam_seconds = 0\nphysics_seconds = 4.5\nphysics_periods = 3\n"
            + "pause_reason = \"beam loss\"\n");
    DaqSchedule s = DaqSchedule.read(f);
    DaqSchedule d = DaqSchedule.defaults();
    assertEquals(Duration.ZERO, s.noBeam());
    assertEquals(Duration.ofMillis(4500), s.physics());
    assertEquals(3, s.physicsPeriods());
    assertEquals("beam loss", s.pauseReason());
    assertEquals(d.beamNotReady(), s.beamNotReady());
    assertEquals(d.runImminent(), s.runImminent());
    assertEquals(d.standby(), s.standby());
    assertEquals(d.endRun(), s.endRun());
  }

  @Test
  void yamlReadsTheSameKeys(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "standby_seconds: 0.25\nend_run_seconds: 1\nbeam_ready_seconds: 3\n");
    DaqSchedule s = DaqSchedule.read(f);
    assertEquals(Duration.ofMillis(250), s.standby());
    assertEquals(Duration.ofSeconds(1), s.endRun());
    assertEquals(Duration.ofSeconds(3), s.beamReady());
    assertEquals(DaqSchedule.defaults().physics(), s.physics());
  }

  @Test
  void defaultsAreTheOriginals() {
    DaqSchedule d = DaqSchedule.defaults();
    assertEquals(Duration.ofSeconds(5), d.noBeam());
    assertEquals(Duration.ofSeconds(1), d.beamNotReady());
    assertEquals(Duration.ofSeconds(5), d.runImminent());
    assertEquals(Duration.ofSeconds(2), d.beamReady());
    assertEquals(Duration.ofSeconds(10), d.physics());
    assertEquals(2, d.physicsPeriods());
    assertEquals(Duration.ofSeconds(2), d.standby());
    assertEquals(Duration.ofSeconds(5), d.endRun());
  }

  @Test
  void everyProblemIsOneLineWithTheClosestKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.toml");
    Files.writeString(
        f, "physics_secnds = 4\nstandby_seconds = -1\nphysics_periods = 1.5\nwhatever = 1\n");
    UserInputException e = assertThrows(UserInputException.class, () -> DaqSchedule.read(f));
    String m = e.getMessage();
    assertEquals(1, m.lines().count(), m);
    assertTrue(m.startsWith("schedule " + f + ": "), m);
    assertTrue(m.contains("unknown field 'physics_secnds' (did you mean 'physics_seconds'?)"), m);
    assertTrue(m.contains("unknown field 'whatever' (known: no_beam_seconds,"), m);
    assertTrue(m.contains("field 'standby_seconds' must be a finite number >= 0, got -1"), m);
    assertTrue(m.contains("field 'physics_periods' must be an integer"), m);
  }

  @Test
  void syntaxErrorsAndFileTypesAreOneLine(@TempDir Path dir) throws Exception {
    Path toml = dir.resolve("bad.toml");
    Files.writeString(toml, "physics_seconds = = 3\n");
    UserInputException e = assertThrows(UserInputException.class, () -> DaqSchedule.read(toml));
    assertTrue(e.getMessage().contains("not valid TOML at line 1"), e.getMessage());
    Path ini = dir.resolve("s.ini");
    Files.writeString(ini, "x=1\n");
    e = assertThrows(UserInputException.class, () -> DaqSchedule.read(ini));
    assertTrue(e.getMessage().contains("use .yaml, .yml, .toml or .json"), e.getMessage());
    e = assertThrows(UserInputException.class, () -> DaqSchedule.read(dir.resolve("none.toml")));
    assertTrue(e.getMessage().contains("check --schedule"), e.getMessage());
  }
}
