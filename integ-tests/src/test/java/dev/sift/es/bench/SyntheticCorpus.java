package dev.sift.es.bench;

import java.util.SplittableRandom;

/**
 * A deterministic synthetic corpus of unit vectors with planted near-duplicate groups, for the end-to-end
 * benchmark and the reliability tests. Every vector is a pure function of (seed, doc number), so a corpus of any
 * size is generated in any order without being held in memory, and the queries can be recomputed at any time.
 *
 * <ul>
 *   <li>Docs {@code 0 .. groups·groupSize − 1} form {@code groups} planted groups of {@code groupSize}
 *       near-identical vectors: {@code unit(c_g + 0.05·z)} around a unit centre {@code c_g} (cosine between two
 *       members ≈ 0.997).</li>
 *   <li>The other docs are background: {@code unit(0.6·b_k + 0.8·z)} around one of {@link #BACKGROUND_CLUSTERS}
 *       unit centres {@code b_k}, so that the space has clusters the way real embeddings do (an unstructured
 *       random cloud is the worst case for HNSW and unlike any real corpus).</li>
 * </ul>
 *
 * where {@code z} is a fresh random unit vector. Query {@code j} is {@code unit(c_g + 0.3·z)} for group
 * {@code g = j mod groups}: its nearest hits are that group's near-duplicates, followed by background; the
 * case SIFT is for.
 */
public final class SyntheticCorpus {

    public static final int BACKGROUND_CLUSTERS = 256;
    private static final double DUPLICATE_NOISE = 0.05;
    private static final double QUERY_NOISE = 0.3;
    private static final double BACKGROUND_WEIGHT = 0.6;
    private static final double BACKGROUND_NOISE = 0.8;

    public final int docs;
    public final int dims;
    public final int groups;
    public final int groupSize;
    public final long seed;

    public SyntheticCorpus(int docs, int dims, int groups, int groupSize, long seed) {
        if (docs < 1 || dims < 1 || groups < 1 || groupSize < 1 || (long) groups * groupSize > docs) {
            throw new IllegalArgumentException(
                "need docs >= groups * groupSize >= 1, got docs=" + docs + " groups=" + groups + " groupSize=" + groupSize
            );
        }
        this.docs = docs;
        this.dims = dims;
        this.groups = groups;
        this.groupSize = groupSize;
        this.seed = seed;
    }

    /** Default shape: a tenth of the docs in groups of 10. */
    public static SyntheticCorpus of(int docs, int dims, long seed) {
        int groupSize = 10;
        int groups = Math.max(1, docs / (10 * groupSize));
        return new SyntheticCorpus(docs, dims, groups, groupSize, seed);
    }

    /** The planted group of doc {@code i}, or -1 for background. */
    public int groupOf(int i) {
        return i < groups * groupSize ? i / groupSize : -1;
    }

    /** The vector of doc {@code i}. */
    public float[] vector(int i) {
        SplittableRandom random = rng(1, i);
        int group = groupOf(i);
        double[] v = group >= 0
            ? add(centre(2, group), DUPLICATE_NOISE, unitGaussian(random))
            : add(scaled(centre(3, Math.floorMod(i * 31 + 7, BACKGROUND_CLUSTERS)), BACKGROUND_WEIGHT), BACKGROUND_NOISE, unitGaussian(random));
        return toUnitFloats(v);
    }

    /** Query {@code j}: near the centre of group {@code j mod groups}. */
    public float[] query(int j) {
        return toUnitFloats(add(centre(2, Math.floorMod(j, groups)), QUERY_NOISE, unitGaussian(rng(4, j))));
    }

    private double[] centre(int kind, int index) {
        return unitGaussian(rng(kind, index));
    }

    private SplittableRandom rng(int kind, long index) {
        return new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + kind * 0xBF58476D1CE4E5B9L + index));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private double[] unitGaussian(SplittableRandom random) {
        double[] v = new double[dims];
        double norm = 0;
        for (int i = 0; i < dims; i++) {
            // Box-Muller; SplittableRandom has no nextGaussian on JDK 17
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            norm += v[i] * v[i];
        }
        double inverse = 1 / Math.sqrt(norm);
        for (int i = 0; i < dims; i++) {
            v[i] *= inverse;
        }
        return v;
    }

    private static double[] add(double[] a, double weight, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + weight * b[i];
        }
        return out;
    }

    private static double[] scaled(double[] a, double s) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * s;
        }
        return out;
    }

    private static float[] toUnitFloats(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        double inverse = 1 / Math.sqrt(norm);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * inverse);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ compact JSON

    /**
     * Appends a vector as a JSON array with {@code decimals} fixed decimals and trailing zeros dropped
     * ({@code -0.05123}); a third of the bytes of {@link Float#toString}, which matters when a corpus is
     * hundreds of megabytes of JSON. Rounding moves a unit vector's components by at most 0.5·10^−decimals.
     */
    public static void appendVector(StringBuilder sb, float[] v, int decimals) {
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        sb.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendFixed(sb, v[i], scale, decimals);
        }
        sb.append(']');
    }

    private static void appendFixed(StringBuilder sb, float value, long scale, int decimals) {
        long units = Math.round(Math.abs((double) value) * scale);
        if (units == 0) {
            sb.append('0');
            return;
        }
        if (value < 0) {
            sb.append('-');
        }
        sb.append(units / scale);
        long fraction = units % scale;
        if (fraction == 0) {
            return;
        }
        int width = decimals;
        while (fraction % 10 == 0) {
            fraction /= 10;
            width--;
        }
        sb.append('.');
        String digits = Long.toString(fraction);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(digits);
    }

    /**
     * One {@code _bulk} body for docs {@code [from, to)}: ids are the doc numbers, each doc has {@code emb} and
     * {@code group} (the planted group, -1 for background).
     */
    public String bulkBody(String index, int from, int to, int decimals) {
        StringBuilder sb = new StringBuilder((to - from) * (dims * 9 + 80));
        for (int i = from; i < to; i++) {
            sb.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(i).append("\"}}\n");
            sb.append("{\"group\":").append(groupOf(i)).append(",\"emb\":");
            appendVector(sb, vector(i), decimals);
            sb.append("}\n");
        }
        return sb.toString();
    }
}
