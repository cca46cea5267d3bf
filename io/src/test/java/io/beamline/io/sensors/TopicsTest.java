package io.beamline.io.sensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void joinsPrefixModalityAndSensor() {
    assertEquals("raw.eeg.eeg01", Topics.of("raw", "eeg", "eeg01"));
    assertEquals("lab-1.raw.ecg.ecg_02", Topics.of("lab-1.raw", "ecg", "ecg_02"));
  }

  @Test
  void rejectsIllegalCharactersDotsAndLength() {
    assertEquals(
        "modality 'e eg' must be non-empty and use only [a-zA-Z0-9_-] (Kafka topic characters)",
        assertThrows(IllegalArgumentException.class, () -> Topics.of("raw", "e eg", "x"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> Topics.of("raw", "eeg", "a.b"));
    assertThrows(IllegalArgumentException.class, () -> Topics.of("raw", "", "x"));
    assertThrows(IllegalArgumentException.class, () -> Topics.of("r/w", "eeg", "x"));
    assertThrows(IllegalArgumentException.class, () -> Topics.of(".raw", "eeg", "x"));
    assertThrows(IllegalArgumentException.class, () -> Topics.of("raw", "eeg", "ü"));
    String longPrefix = "p".repeat(240);
    assertThrows(IllegalArgumentException.class, () -> Topics.of(longPrefix, "eeg", "eeg01"));
  }
}
