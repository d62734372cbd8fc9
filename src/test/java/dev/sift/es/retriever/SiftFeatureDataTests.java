package dev.sift.es.retriever;

import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.search.rank.feature.RankFeatureDoc;
import org.elasticsearch.test.ESTestCase;

import java.io.IOException;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

/** The vector payload of the rank-feature phase: bit-exact through Elasticsearch's own wire format, and compact. */
public class SiftFeatureDataTests extends ESTestCase {

    public void testRoundTripIsBitExactThroughTheWire() throws IOException {
        for (int iteration = 0; iteration < 200; iteration++) {
            float[] vector = randomVector(between(1, 300));
            boolean cosine = randomBoolean();
            RankFeatureDoc sent = new RankFeatureDoc(between(0, 1000), randomFloat(), between(0, 10));
            sent.featureData(SiftFeatureData.encode(vector, cosine));

            RankFeatureDoc received = viaWire(sent);
            SiftFeatureData.Decoded decoded = SiftFeatureData.decode(received.featureData);
            assertThat(decoded.cosine(), equalTo(cosine));
            assertThat(decoded.vector().length, equalTo(vector.length));
            for (int i = 0; i < vector.length; i++) {
                assertThat(Float.floatToRawIntBits(decoded.vector()[i]), equalTo(Float.floatToRawIntBits(vector[i])));
            }
        }
    }

    public void testSpecialValuesAndLargestDimension() {
        float[] special = { 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-38f, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001) };
        assertBitExact(special);
        assertBitExact(randomVector(4096));
        assertBitExact(new float[] { 1f });
    }

    public void testHitWithoutVector() throws IOException {
        RankFeatureDoc sent = new RankFeatureDoc(1, 1f, 0);
        sent.featureData(SiftFeatureData.encode(null, true));
        SiftFeatureData.Decoded decoded = SiftFeatureData.decode(viaWire(sent).featureData);
        assertThat(decoded.vector(), nullValue());
        assertThat(decoded.cosine(), equalTo(true));
    }

    /** Every char is 7-bit, so the string costs one byte a char on the wire: ⌈32·d/7⌉ + 4 bytes of payload. */
    public void testWireSize() throws IOException {
        for (int dims : new int[] { 1, 7, 64, 384, 768, 1024, 4096 }) {
            String data = SiftFeatureData.encode(randomVector(dims), false);
            for (int i = 0; i < data.length(); i++) {
                assertThat((int) data.charAt(i), lessThanOrEqualTo(127));
            }
            long payload = (dims * 32L + 6) / 7 + 4;
            assertThat(data.length(), equalTo((int) payload));
            try (BytesStreamOutput out = new BytesStreamOutput()) {
                out.writeString(data);
                int vIntBytes = payload < 128 ? 1 : payload < 16384 ? 2 : 3;
                assertThat((long) out.size(), equalTo(payload + vIntBytes));
            }
        }
    }

    public void testMalformedPayloadsAreRefused() {
        String good = SiftFeatureData.encode(new float[] { 1f, 2f, 3f }, false);
        expectThrows(IllegalStateException.class, () -> SiftFeatureData.decode(""));
        expectThrows(IllegalStateException.class, () -> SiftFeatureData.decode(good.substring(0, good.length() - 1)));
        expectThrows(IllegalStateException.class, () -> SiftFeatureData.decode(good + "\0"));
        expectThrows(IllegalStateException.class, () -> SiftFeatureData.decode("1.0,2.0"));
        expectThrows(IllegalStateException.class, () -> SiftFeatureData.decode(good.substring(0, 4) + "\u0400" + good.substring(5)));
    }

    private static void assertBitExact(float[] vector) {
        float[] back = SiftFeatureData.decode(SiftFeatureData.encode(vector, false)).vector();
        assertThat(back.length, equalTo(vector.length));
        for (int i = 0; i < vector.length; i++) {
            assertThat("dimension " + i, Float.floatToRawIntBits(back[i]), equalTo(Float.floatToRawIntBits(vector[i])));
        }
    }

    private static RankFeatureDoc viaWire(RankFeatureDoc doc) throws IOException {
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            doc.writeTo(out);
            try (StreamInput in = out.bytes().streamInput()) {
                return new RankFeatureDoc(in);
            }
        }
    }

    private static float[] randomVector(int dims) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = Float.intBitsToFloat(randomInt()); // any bit pattern, NaNs included
        }
        return v;
    }
}
