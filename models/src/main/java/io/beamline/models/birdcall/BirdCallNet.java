package io.beamline.models.birdcall;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.nio.file.Path;
import java.util.Map;

/**
 * The detector's architecture: input {@code (batch, 1, 48, 96)} features, output {@code (batch, 4)}
 * logits over {@link BirdCallModel#LABELS}.
 *
 * <p>Three 3x3 convolutions (8, 16, 32 channels, ReLU), 2x2 max-pooling after the first two, a
 * global max-pool (a call anywhere in the segment counts), and a linear layer: 6,020 parameters,
 * about 25 kB saved. Used as the {@link BlockFactory} of the model directory.
 */
public final class BirdCallNet implements BlockFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    return build();
  }

  /** A fresh, uninitialised block. */
  public static SequentialBlock build() {
    SequentialBlock net = new SequentialBlock();
    net.add(conv(8)).add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(2, 2)));
    net.add(conv(16)).add(Activation.reluBlock()).add(Pool.maxPool2dBlock(new Shape(2, 2)));
    net.add(conv(32)).add(Activation.reluBlock());
    net.add(Pool.globalMaxPool2dBlock());
    net.add(Linear.builder().setUnits(BirdCallModel.LABELS.size()).build());
    return net;
  }

  private static Conv2d conv(int filters) {
    return Conv2d.builder()
        .setKernelShape(new Shape(3, 3))
        .optPadding(new Shape(1, 1))
        .setFilters(filters)
        .build();
  }
}
