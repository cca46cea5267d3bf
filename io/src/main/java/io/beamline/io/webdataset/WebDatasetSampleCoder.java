package io.beamline.io.webdataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** Deterministic Beam coder for {@link WebDatasetSample}: key, field count, (name, bytes)... */
public final class WebDatasetSampleCoder extends CustomCoder<WebDatasetSample> {
  private static final WebDatasetSampleCoder INSTANCE = new WebDatasetSampleCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();
  private static final VarIntCoder INT = VarIntCoder.of();

  private WebDatasetSampleCoder() {}

  /** The singleton coder. */
  public static WebDatasetSampleCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(WebDatasetSample value, OutputStream out) throws IOException {
    STRING.encode(value.key(), out);
    INT.encode(value.fields().size(), out);
    for (Map.Entry<String, byte[]> e : value.fields().entrySet()) {
      STRING.encode(e.getKey(), out);
      BYTES.encode(e.getValue(), out);
    }
  }

  @Override
  public WebDatasetSample decode(InputStream in) throws IOException {
    WebDatasetSample s = WebDatasetSample.of(STRING.decode(in));
    int n = INT.decode(in);
    for (int i = 0; i < n; i++) {
      s = s.withBytes(STRING.decode(in), BYTES.decode(in));
    }
    return s;
  }

  @Override
  public void verifyDeterministic() {}
}
