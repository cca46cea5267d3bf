package io.beamline.models.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerSlotTest {
  private static List<String> labels(List<WorkerSlot> slots) {
    return slots.stream().map(WorkerSlot::label).toList();
  }

  @Test
  void noGpuFallsBackToOneCpuWorker() {
    List<WorkerSlot> slots = WorkerSlot.plan(-1, 1, 0, 0);
    assertEquals(List.of("cpu-0"), labels(slots));
    assertEquals(Device.cpu(), slots.get(0).device());
  }

  @Test
  void gpusThenCpus() {
    List<WorkerSlot> slots = WorkerSlot.plan(-1, 1, 2, 2);
    assertEquals(List.of("gpu-0", "gpu-1", "cpu-0", "cpu-1"), labels(slots));
    assertEquals(Device.gpu(1), slots.get(1).device());
    assertTrue(slots.get(0).isGpu());
  }

  @Test
  void maxGpusCapsAndNeverExceedsWhatIsPresent() {
    assertEquals(List.of("gpu-0"), labels(WorkerSlot.plan(1, 1, 0, 4)));
    assertEquals(List.of("gpu-0", "gpu-1"), labels(WorkerSlot.plan(8, 1, 0, 2)));
    assertEquals(List.of("cpu-0", "cpu-1"), labels(WorkerSlot.plan(0, 1, 2, 4)));
  }

  @Test
  void severalWorkersPerGpu() {
    assertEquals(
        List.of("gpu-0-w0", "gpu-0-w1", "gpu-1-w0", "gpu-1-w1"),
        labels(WorkerSlot.plan(-1, 2, 0, 2)));
  }

  @Test
  void badArgumentsNameTheParameter() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WorkerSlot.plan(-2, 1, 0, 0));
    assertTrue(e.getMessage().contains("maxGpus"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WorkerSlot.plan(-1, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> WorkerSlot.plan(-1, 1, -1, 0));
  }
}
