package io.beamline.framework;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Another name for one flag of a command: the spelling a seed uses for a flag that Beamline names
 * differently. Put on a command's options interface; the command line accepts {@link #flag()}
 * wherever it accepts the flag of {@link #property()}, with the same value and meaning, and {@code
 * --help} lists both names.
 *
 * <pre>{@code
 * @FlagAlias(flag = "--output", property = "outputDir")
 * public interface InferChunkOptions extends BeamlineOptions { ... }
 * }</pre>
 *
 * <p>The property must be one of the interface's (or an inherited) getters; the alias must be a
 * {@code --kebab-case} name that no other flag of the command has. Both are checked when the
 * command line is built.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(FlagAlias.List.class)
public @interface FlagAlias {

  /** The other name, e.g. {@code --output}. */
  String flag();

  /** The Beam property it stands for, e.g. {@code outputDir} (flag {@code --output-dir}). */
  String property();

  /** Several aliases on one interface. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @interface List {
    FlagAlias[] value();
  }
}
