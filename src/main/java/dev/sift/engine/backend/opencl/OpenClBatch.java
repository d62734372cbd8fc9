package dev.sift.engine.backend.opencl;

import dev.sift.engine.Cancellation;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.Trajectories;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy SIFT for several independent selections at once on one {@link OpenClDevice}: their vectors go to the
 * device once, then every step is two kernel launches for the whole batch (pick, then update), and only the
 * trajectories come back. The arithmetic is the CPU engine's, in double precision ({@code sift.cl}).
 *
 * <p>Every buffer is released before {@link #run} returns or throws.
 */
final class OpenClBatch {

    /** One selection of a batch. */
    record Job(SelectionProblem problem, SiftOptions options, Cancellation cancellation) {
        int steps() {
            return options.allowRepeats() ? options.size() : Math.min(options.size(), problem.candidateCount());
        }

        /** The device memory this job needs in a batch. */
        Footprint footprint() {
            long k = problem.candidateCount();
            return new Footprint(
                k * problem.dims() * Float.BYTES,
                k * problem.targetCount() * Double.BYTES,
                k * Math.max(1, steps() - 1) * Double.BYTES,
                k * Double.BYTES,
                (long) problem.targets().length * Float.BYTES + 4096 // the targets; the table, state and trajectory
            );
        }
    }

    /**
     * The device memory of a batch, by the buffers {@link #run} makes: each of these kinds is one buffer for the whole
     * batch, so besides the total, the largest of them must fit the device's largest allocation.
     *
     * @param vectors    the candidate vectors, made twice (as sent, and transposed)
     * @param cross      {@code k_t(a,x)} for every target and candidate
     * @param columns    the scaled columns of the earlier picks
     * @param candidates each per-candidate double array (diagonal, gains; taken and owner are half that)
     * @param small      the targets, the table, the state and the trajectory
     */
    record Footprint(long vectors, long cross, long columns, long candidates, long small) {

        Footprint plus(Footprint o) {
            return new Footprint(vectors + o.vectors, cross + o.cross, columns + o.columns, candidates + o.candidates, small + o.small);
        }

        long total() {
            return 2 * vectors + cross + columns + 3 * candidates + small;
        }

        boolean fits(long budget, long maxAllocation) {
            return total() <= budget && Math.max(Math.max(vectors, cross), Math.max(columns, candidates)) <= maxAllocation;
        }
    }

    /** What became of a job: its selection, or the exception its cancellation threw. */
    record Outcome(Selection selection, RuntimeException failure) {}

    /** Steps enqueued between two looks at the device: whether every selection is done, and cancellations. */
    private static final int STEPS_PER_CHECK = 8;

    /** Fields per selection in the table (sift.cl's FIELDS) and the positions read here (its F_VEC, F_CAND, ...). */
    private static final int FIELDS = 13;
    private static final int F_VEC = 4;
    private static final int F_CAND = 5;
    private static final int F_TARGET = 8;
    private static final int F_TRAJ = 9;
    private static final int DOUBLES = 3;
    private static final int STATE = 3;

    private final OpenClDevice device;
    private final List<Job> jobs;
    private final List<cl_mem> buffers = new ArrayList<>();

    private OpenClBatch(OpenClDevice device, List<Job> jobs) {
        this.device = device;
        this.jobs = jobs;
    }

    /**
     * Runs the jobs' selections together.
     *
     * @param afterUpload run once the inputs are on the device (a seam for tests of device failures)
     * @throws RuntimeException a device error ({@code CLException}); the caller falls back to the CPU
     */
    static Outcome[] run(OpenClDevice device, List<Job> jobs, Runnable afterUpload) {
        OpenClBatch batch = new OpenClBatch(device, jobs);
        try {
            return batch.run(afterUpload);
        } finally {
            batch.releaseAll();
        }
    }

    private cl_mem keep(cl_mem mem) {
        buffers.add(mem);
        return mem;
    }

    private void releaseAll() {
        RuntimeException first = null;
        for (cl_mem mem : buffers) {
            try {
                device.release(mem);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        buffers.clear();
        if (first != null) {
            throw first;
        }
    }

    private Outcome[] run(Runnable afterUpload) {
        int count = jobs.size();
        long[] table = new long[count * FIELDS];
        double[] doubles = new double[count * DOUBLES];
        double[] variance = new double[count * 2];
        long vectors = 0;
        int candidates = 0;
        long cross = 0;
        long columns = 0;
        int targetFloats = 0;
        int trajectory = 0;
        int weights = 0;
        int maxSteps = 0;
        for (int b = 0; b < count; b++) {
            Job job = jobs.get(b);
            SelectionProblem p = job.problem();
            SiftOptions o = job.options();
            int k = p.candidateCount();
            int steps = job.steps();
            long[] f = { k, p.dims(), p.targetCount(), steps, vectors, candidates, cross, columns, targetFloats, trajectory, weights,
                o.allowRepeats() ? 1 : 0, o.keepFirstPick() ? 1 : 0 };
            System.arraycopy(f, 0, table, b * FIELDS, FIELDS);
            double prior = priorVariance(p);
            // the stopping rules as absolute values; NaN (off) makes every comparison false, as on the CPU
            doubles[b * DOUBLES] = o.lambda();
            doubles[b * DOUBLES + 1] = o.minGain() * prior;
            doubles[b * DOUBLES + 2] = o.targetVariance() * prior;
            variance[b * 2] = prior;
            vectors += (long) k * p.dims();
            candidates += k;
            cross += (long) k * p.targetCount();
            columns += (long) k * Math.max(1, steps - 1);
            targetFloats += p.targets().length;
            trajectory += steps;
            weights += p.targetCount();
            maxSteps = Math.max(maxSteps, steps);
        }
        int[] owner = new int[candidates];
        float[] rows = new float[Math.toIntExact(vectors)];
        float[] targets = new float[targetFloats];
        for (int b = 0; b < count; b++) {
            SelectionProblem p = jobs.get(b).problem();
            int from = (int) table[b * FIELDS + F_CAND];
            java.util.Arrays.fill(owner, from, from + p.candidateCount(), b);
            System.arraycopy(p.candidates(), 0, rows, (int) table[b * FIELDS + F_VEC], p.candidates().length);
            System.arraycopy(p.targets(), 0, targets, (int) table[b * FIELDS + F_TARGET], p.targets().length);
        }

        cl_mem tableMem = keep(device.buffer(table));
        cl_mem doublesMem = keep(device.buffer(doubles));
        cl_mem ownerMem = keep(device.buffer(owner));
        cl_mem rowsMem = keep(device.buffer(rows));
        cl_mem targetsMem = keep(device.buffer(targets));
        cl_mem x = keep(device.buffer(vectors * Sizeof.cl_float));
        cl_mem diag = keep(device.buffer((long) candidates * Sizeof.cl_double));
        cl_mem crossMem = keep(device.buffer(cross * Sizeof.cl_double));
        cl_mem gains = keep(device.buffer((long) candidates * Sizeof.cl_double));
        cl_mem taken = keep(device.buffer((long) candidates * Sizeof.cl_int));
        cl_mem cols = keep(device.buffer(columns * Sizeof.cl_double));
        cl_mem state = keep(device.buffer(new int[count * STATE]));
        cl_mem varianceMem = keep(device.buffer(variance));
        cl_mem weightsMem = keep(device.buffer((long) weights * Sizeof.cl_double));
        cl_mem picks = keep(device.buffer((long) trajectory * Sizeof.cl_int));
        cl_mem pickGains = keep(device.buffer((long) trajectory * Sizeof.cl_double));
        cl_mem variances = keep(device.buffer((long) trajectory * Sizeof.cl_double));
        afterUpload.run();

        for (int b = 0; b < count; b++) {
            SelectionProblem p = jobs.get(b).problem();
            OpenClDevice.args(device.transpose, 0, rowsMem, x, (long) p.candidateCount(), (long) p.dims(), table[b * FIELDS + F_VEC]);
            device.run(device.transpose, (long) p.candidateCount() * p.dims(), device.itemGroupSize);
        }
        OpenClDevice.args(device.init, 0, tableMem, doublesMem, ownerMem, candidates, x, targetsMem, diag, crossMem, gains, taken);
        device.run(device.init, candidates, device.itemGroupSize);
        device.release(rowsMem); // only the transposed copy is used from here; OpenCL frees it once transpose has run
        buffers.remove(rowsMem);

        // pick's arguments, then its step (12) and its two local buffers; update's, then its step (12)
        Object[] pickArgs = { tableMem, doublesMem, gains, taken, diag, crossMem, state, varianceMem, weightsMem, picks, pickGains, variances };
        OpenClDevice.args(device.pick, 0, pickArgs);
        int pickStep = pickArgs.length;
        OpenClDevice.localArg(device.pick, pickStep + 1, (long) device.pickGroupSize * Sizeof.cl_double);
        OpenClDevice.localArg(device.pick, pickStep + 2, (long) device.pickGroupSize * Sizeof.cl_int);
        Object[] updateArgs = { tableMem, doublesMem, ownerMem, candidates, x, cols, diag, crossMem, gains, state, varianceMem, weightsMem };
        OpenClDevice.args(device.update, 0, updateArgs);
        int updateStep = updateArgs.length;

        RuntimeException[] failures = new RuntimeException[count];
        int[] status = new int[count * STATE];
        for (int t = 0; t < maxSteps; t++) {
            OpenClDevice.arg(device.pick, pickStep, t);
            device.run(device.pick, (long) count * device.pickGroupSize, device.pickGroupSize);
            if (t + 1 < maxSteps) {
                OpenClDevice.arg(device.update, updateStep, t);
                device.run(device.update, candidates, device.itemGroupSize);
            }
            if ((t + 1) % STEPS_PER_CHECK == 0 && t + 1 < maxSteps && checkDone(state, status, failures)) {
                break;
            }
        }
        device.read(state, status);
        int[] pickValues = new int[trajectory];
        double[] gainValues = new double[trajectory];
        double[] varianceValues = new double[trajectory];
        if (trajectory > 0) {
            device.read(picks, pickValues);
            device.read(pickGains, gainValues);
            device.read(variances, varianceValues);
        }
        Outcome[] outcomes = new Outcome[count];
        for (int b = 0; b < count; b++) {
            if (failures[b] != null) {
                outcomes[b] = new Outcome(null, failures[b]);
                continue;
            }
            Job job = jobs.get(b);
            int from = (int) table[b * FIELDS + F_TRAJ];
            int steps = status[b * STATE + 2];
            int to = from + job.steps();
            outcomes[b] = new Outcome(
                Trajectories.finish(
                    java.util.Arrays.copyOfRange(pickValues, from, to),
                    java.util.Arrays.copyOfRange(gainValues, from, to),
                    java.util.Arrays.copyOfRange(varianceValues, from, to),
                    steps,
                    variance[b * 2],
                    job.options().alpha(),
                    job.options().keepFirstPick()
                ),
                null
            );
        }
        return outcomes;
    }

    /**
     * Waits for the steps enqueued so far, stops the selections whose cancellation fires, and says whether every
     * selection is done.
     */
    private boolean checkDone(cl_mem state, int[] status, RuntimeException[] failures) {
        device.read(state, status);
        boolean allDone = true;
        for (int b = 0; b < jobs.size(); b++) {
            if (status[b * STATE + 1] != 0) {
                continue;
            }
            try {
                jobs.get(b).cancellation().check();
                allDone = false;
            } catch (RuntimeException e) {
                failures[b] = e;
                device.write(state, ((long) b * STATE + 1) * Sizeof.cl_int, new int[] { 1 });
            }
        }
        return allDone;
    }

    /** {@code V([])}: the targets' squared norms, summed in double. */
    static double priorVariance(SelectionProblem problem) {
        float[] targets = problem.targets();
        double sum = 0;
        for (float v : targets) {
            sum += (double) v * v;
        }
        return sum;
    }
}
