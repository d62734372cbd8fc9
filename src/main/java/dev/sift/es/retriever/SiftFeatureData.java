package dev.sift.es.retriever;

import org.elasticsearch.core.Nullable;

/**
 * One window hit's vector as it travels from a shard to the coordinating node in the rank-feature phase: the
 * exact IEEE-754 bits of each float, packed seven bits to a {@code char}, in {@code RankFeatureDoc#featureData}.
 *
 * <p><b>Why a string.</b> In Elasticsearch 8.19 the rank-feature phase's transport response is not extensible:
 * {@code RankFeatureResult} reads a concrete {@code RankFeatureShardResult}, which reads concrete
 * {@code RankFeatureDoc}s whose only payload is one optional string. A subclass with a {@code float[]} field would
 * lose that field (or corrupt the stream) as soon as the shard is on another node. So the vector rides in that
 * string, but as binary, not as decimal text: every char is in {@code [0, 127]}, which
 * {@code StreamOutput#writeString} writes as exactly one byte, so a vector of {@code d} floats costs
 * {@code ⌈32·d / 7⌉} bytes on the wire (4.57 per float, against 4 for a raw {@code float[]}) and arrives
 * bit-for-bit; nothing is formatted or parsed.
 *
 * <p>Layout: char 0 holds the format version (bits 2–6) and two flags, {@link #HAS_VECTOR} (the hit has a value
 * in the field) and {@link #COSINE} (the field uses {@code cosine}, so the coordinator must normalise the query
 * vector as the shard normalised the documents); with a vector, chars 1–3 hold the dimension (21 bits) and the
 * rest the packed bits, most significant first.
 */
final class SiftFeatureData {

    private static final int VERSION = 1;
    private static final int HAS_VECTOR = 1;
    private static final int COSINE = 2;
    private static final int BITS_PER_CHAR = 7;
    private static final int CHAR_MASK = (1 << BITS_PER_CHAR) - 1;
    private static final int DIM_CHARS = 3;
    /** Largest dimension the three dimension chars can hold (Elasticsearch allows 4096). */
    static final int MAX_DIMS = (1 << (BITS_PER_CHAR * DIM_CHARS)) - 1;

    /** A decoded payload: the hit's vector (null if it has none) and whether its field uses {@code cosine}. */
    record Decoded(@Nullable float[] vector, boolean cosine) {}

    private SiftFeatureData() {}

    static String encode(@Nullable float[] vector, boolean cosine) {
        int flags = (VERSION << 2) | (cosine ? COSINE : 0) | (vector != null ? HAS_VECTOR : 0);
        if (vector == null) {
            return String.valueOf((char) flags);
        }
        int dims = vector.length;
        if (dims > MAX_DIMS) {
            throw new IllegalArgumentException("cannot ship a vector of " + dims + " dimensions; at most " + MAX_DIMS);
        }
        StringBuilder out = new StringBuilder(1 + DIM_CHARS + packedChars(dims));
        out.append((char) flags);
        for (int shift = BITS_PER_CHAR * (DIM_CHARS - 1); shift >= 0; shift -= BITS_PER_CHAR) {
            out.append((char) ((dims >>> shift) & CHAR_MASK));
        }
        long pending = 0; // fewer than 7 + 32 bits, so a long never overflows
        int pendingBits = 0;
        for (float value : vector) {
            pending = (pending << Integer.SIZE) | (Float.floatToRawIntBits(value) & 0xFFFF_FFFFL);
            pendingBits += Integer.SIZE;
            while (pendingBits >= BITS_PER_CHAR) {
                pendingBits -= BITS_PER_CHAR;
                out.append((char) ((pending >>> pendingBits) & CHAR_MASK));
            }
            pending &= (1L << pendingBits) - 1;
        }
        if (pendingBits > 0) {
            out.append((char) ((pending << (BITS_PER_CHAR - pendingBits)) & CHAR_MASK));
        }
        return out.toString();
    }

    /** What a payload says about its hit before its vector is unpacked. */
    record Header(boolean hasVector, boolean cosine, int dims) {}

    /** @throws IllegalStateException if {@code data} is not a payload {@link #encode} wrote */
    static Header header(String data) {
        if (data.isEmpty()) {
            throw malformed("empty", data);
        }
        int flags = data.charAt(0);
        if (flags > CHAR_MASK || (flags >>> 2) != VERSION) {
            throw malformed("unknown format [" + flags + "]", data);
        }
        boolean cosine = (flags & COSINE) != 0;
        if ((flags & HAS_VECTOR) == 0) {
            if (data.length() != 1) {
                throw malformed("a hit without a vector carries data", data);
            }
            return new Header(false, cosine, 0);
        }
        if (data.length() < 1 + DIM_CHARS) {
            throw malformed("truncated dimension", data);
        }
        int dims = 0;
        for (int i = 1; i <= DIM_CHARS; i++) {
            dims = (dims << BITS_PER_CHAR) | sevenBits(data, i);
        }
        if (data.length() != 1 + DIM_CHARS + packedChars(dims)) {
            throw malformed("length " + data.length() + " does not fit " + dims + " dimensions", data);
        }
        return new Header(true, cosine, dims);
    }

    /**
     * Unpacks the vector of a payload whose {@link #header} says it has one into {@code out[offset, offset + dims)},
     * so that a window's vectors can be decoded straight into one flat array.
     */
    static void decodeInto(String data, Header header, float[] out, int offset) {
        long pending = 0;
        int pendingBits = 0;
        int v = 0;
        for (int i = 1 + DIM_CHARS; i < data.length() && v < header.dims(); i++) {
            pending = (pending << BITS_PER_CHAR) | sevenBits(data, i);
            pendingBits += BITS_PER_CHAR;
            if (pendingBits >= Integer.SIZE) {
                pendingBits -= Integer.SIZE;
                out[offset + v++] = Float.intBitsToFloat((int) (pending >>> pendingBits));
                pending &= (1L << pendingBits) - 1;
            }
        }
    }

    /** The whole payload: {@link #header} and, if the hit has one, its vector. */
    static Decoded decode(String data) {
        Header header = header(data);
        if (header.hasVector() == false) {
            return new Decoded(null, header.cosine());
        }
        float[] vector = new float[header.dims()];
        decodeInto(data, header, vector, 0);
        return new Decoded(vector, header.cosine());
    }

    private static int packedChars(int dims) {
        return (int) ((dims * (long) Integer.SIZE + BITS_PER_CHAR - 1) / BITS_PER_CHAR);
    }

    private static int sevenBits(String data, int i) {
        char c = data.charAt(i);
        if (c > CHAR_MASK) {
            throw malformed("char " + (int) c + " at " + i + " is not 7-bit", data);
        }
        return c;
    }

    private static IllegalStateException malformed(String why, String data) {
        return new IllegalStateException("malformed sift rank-feature data (" + why + ", " + data.length() + " chars)");
    }
}
