package dev.sift.es.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small corpus with a planted duplicate group, for checking that SIFT skips redundant hits.
 *
 * <p>With a unit query q and a unit w orthogonal to it:
 * <ul>
 *   <li>{@code dup-0..2}: near-identical copies of 0.9·q + 0.436·w (cosine with q ≈ 0.9), the nearest hits;</li>
 *   <li>{@code other}: 0.8·q − 0.6·w (cosine 0.8), the next nearest, and what the duplicates leave unexplained;</li>
 *   <li>{@code rnd-*}: random unit vectors (cosine with q around ±0.13).</li>
 * </ul>
 * kNN ranks dup, dup, dup, other; SIFT (λ = 0.01) picks one dup, then {@code other}. All vectors are unit length
 * (required by {@code dot_product}), so every similarity ranks them alike. For byte fields they are scaled by
 * 100 and rounded.
 */
public final class PlantedDuplicates {
    public static final List<String> DUPLICATES = List.of("dup-0", "dup-1", "dup-2");
    public static final String OTHER = "other";
    public static final int DOCS = 30;

    public final int dims;
    public final boolean bytes;
    public final float[] query;
    /** id to vector, in indexing order. */
    public final Map<String, float[]> vectors = new LinkedHashMap<>();

    public PlantedDuplicates(int dims, boolean bytes, long seed) {
        this.dims = dims;
        this.bytes = bytes;
        Random random = new Random(seed);
        double[] q = unit(gaussian(random, dims));
        double[] w = unit(orthogonalize(gaussian(random, dims), q));
        double[] dup = add(scale(q, 0.9), scale(w, 0.436));
        for (String id : DUPLICATES) {
            vectors.put(id, out(unit(add(unit(dup), scale(gaussian(random, dims), 0.002)))));
        }
        vectors.put(OTHER, out(unit(add(scale(q, 0.8), scale(w, -0.6)))));
        for (int i = 0; vectors.size() < DOCS; i++) {
            vectors.put("rnd-" + i, out(unit(gaussian(random, dims))));
        }
        this.query = out(q);
    }

    /** Documents for {@link SiftNodeTestCase#bulkIndex}: field {@code emb} plus a {@code group} keyword. */
    public Map<String, Map<String, Object>> docs(String field) {
        Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
            docs.put(e.getKey(), Json.obj(field, jsonVector(e.getValue()), "group", e.getKey().replaceAll("-.*", "")));
        }
        return docs;
    }

    /** A vector as the request should carry it (integers for byte fields). */
    public Object jsonVector(float[] v) {
        if (bytes == false) return v;
        int[] ints = new int[v.length];
        for (int i = 0; i < v.length; i++) ints[i] = Math.round(v[i]);
        return ints;
    }

    public Object jsonQuery() {
        return jsonVector(query);
    }

    private float[] out(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = bytes ? (float) Math.max(-127, Math.min(127, Math.round(v[i] * 100))) : (float) v[i];
        }
        return f;
    }

    private static double[] gaussian(Random r, int d) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) v[i] = r.nextGaussian();
        return v;
    }

    private static double[] unit(double[] v) {
        double n = 0;
        for (double x : v) n += x * x;
        n = Math.sqrt(n);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] / n;
        return out;
    }

    private static double[] orthogonalize(double[] v, double[] unitQ) {
        double dot = 0;
        for (int i = 0; i < v.length; i++) dot += v[i] * unitQ[i];
        return add(v, scale(unitQ, -dot));
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] + b[i];
        return out;
    }

    private static double[] scale(double[] a, double s) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] * s;
        return out;
    }
}
