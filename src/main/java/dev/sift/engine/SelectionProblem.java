package dev.sift.engine;

/**
 * The input of a selection: {@code K} candidate vectors in their incoming (kNN) order and one or more target
 * vectors (the queries), all of {@code dims} dimensions, as flat row-major arrays. Immutable by convention:
 * the arrays are not copied, and must not be changed while a selection runs.
 */
public final class SelectionProblem {

    private final float[] candidates;
    private final int candidateCount;
    private final float[] targets;
    private final int targetCount;
    private final int dims;

    /**
     * @param candidates {@code candidateCount * dims} values, candidate {@code i} at {@code [i*dims, (i+1)*dims)}
     * @param targets    {@code targetCount * dims} values; at least one target
     * @throws IllegalArgumentException on empty or ragged input, or a non-finite value (naming where it is)
     */
    public SelectionProblem(float[] candidates, float[] targets, int dims) {
        this(candidates, targets, dims, true);
    }

    /**
     * A problem whose values are known to be finite, so that they are not scanned again: vectors read from an
     * Elasticsearch {@code dense_vector} field (which refuses non-finite values at index time) and targets already
     * checked where the request was parsed. The shapes are still checked.
     */
    public static SelectionProblem ofCheckedValues(float[] candidates, float[] targets, int dims) {
        return new SelectionProblem(candidates, targets, dims, false);
    }

    private SelectionProblem(float[] candidates, float[] targets, int dims, boolean checkValues) {
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be at least 1, got " + dims);
        }
        if (candidates.length % dims != 0) {
            throw new IllegalArgumentException(
                "candidates hold " + candidates.length + " values, which is not a multiple of dims " + dims
            );
        }
        if (targets.length == 0 || targets.length % dims != 0) {
            throw new IllegalArgumentException(
                "targets hold " + targets.length + " values; need a positive multiple of dims " + dims
            );
        }
        if (checkValues) {
            checkFinite("candidate", candidates, dims);
            checkFinite("target", targets, dims);
        }
        this.candidates = candidates;
        this.candidateCount = candidates.length / dims;
        this.targets = targets;
        this.targetCount = targets.length / dims;
        this.dims = dims;
    }

    private static void checkFinite(String what, float[] values, int dims) {
        for (int i = 0; i < values.length; i++) {
            if (Float.isFinite(values[i]) == false) {
                throw new IllegalArgumentException(
                    what + " " + (i / dims) + " has a non-finite value [" + values[i] + "] at dimension " + (i % dims)
                );
            }
        }
    }

    public float[] candidates() {
        return candidates;
    }

    public int candidateCount() {
        return candidateCount;
    }

    public float[] targets() {
        return targets;
    }

    public int targetCount() {
        return targetCount;
    }

    public int dims() {
        return dims;
    }
}
